// Package redact keeps credentials found in inputs out of every output.
//
// Load-test traces carry live secrets: bearer tokens in Authorization
// headers, session cookies, API keys and passwords in query strings and
// form bodies, access tokens in token-endpoint responses, keys echoed in
// error bodies. jtlscope never prints one. Analyses identify a secret by
// its Fingerprint (the first six hex digits of its SHA-256: enough to tell
// tokens apart in a report, useless to an attacker).
//
// The layer: Strings passes every string of a result through Text before
// any writer sees it; the CLI calls it on every result, so a field added
// to a result is covered without anyone remembering to mask it. Text
// recognises credentials three ways, as the gitleaks and trufflehog rule
// sets do: by the name they are given (Name: header, parameter, JSON key,
// XML element, variable, the word before ":" or "="), by the form they
// are written in (URL user-info, an authentication scheme, a JSON number,
// escaped JSON, quoted assignments, through percent encoding and HTML
// entities), and by their shape (JWTs, PEM private keys, vendor prefixes
// such as AKIA, ghp_, sk_live_, xoxb-). Analyses that must leave
// credentials out of their evidence (duplicate-ID detection) ask Name.
package redact
