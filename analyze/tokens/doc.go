// Package tokens finds the OAuth2 access tokens in a run's requests and
// tells how old each request's token was, which threads shared it, and
// whether it was used after it expired: the evidence for "the 400s are a
// stale token shared by every thread".
//
// A token's age comes from the best evidence at hand, in this order:
//   - the token-endpoint response that carried it as access_token, when
//     its body was saved (HAR always, JMeter only on failure): issued when
//     that response ended, on the same clock as the request;
//   - its JWT "iat" claim: the issuer's clock, whole seconds, so the age
//     can be up to a second too old, plus any skew between the clocks;
//   - the first request that carried it: a lower bound.
//
// When the requests' headers were not recorded (every CSV JTL) the age is
// inferred from the token requests instead; see Tracker for the
// assumption. Each Use says which source it rests on, so that a caller
// never takes an inferred age for an observed one.
//
// JWTs are decoded, never verified: this is forensics, and the key is not
// ours. Tokens are secrets: nothing this package returns, prints or logs
// contains one; it names them by redact.Fingerprint.
package tokens
