// Package redact keeps credentials found in samples out of every output.
//
// Load-test traces carry live secrets: bearer tokens in Authorization
// headers, session cookies, API keys and passwords in query strings and
// form bodies, access tokens in token-endpoint responses. jtlscope never
// prints one. Analyses identify a secret by its Fingerprint (the first
// six hex digits of its SHA-256: enough to tell tokens apart in a report,
// useless to an attacker), and every string from an input that reaches a
// report goes through Text, URL or HeaderValue first.
package redact
