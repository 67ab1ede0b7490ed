package redact

import "regexp"

// Shapes. Some credentials are recognisable without a name: a JWT, a key
// in a vendor's format (the prefixes of the gitleaks and trufflehog rule
// sets: AKIA for AWS, ghp_ for GitHub, sk_live_ for Stripe, xoxb- for
// Slack, ...), a PEM private key. They are masked wherever they stand.
var vendorRE = regexp.MustCompile(`(?:` +
	// JWT, JWS and JWE compact forms: a base64url JSON header.
	`eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*){1,3}` +
	`|\beyJrIjoi[A-Za-z0-9]{40,}={0,3}` + // Grafana API key
	`|\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z2-7]{16}\b` + // AWS
	`|\bgh[pousr]_[A-Za-z0-9]{30,255}\b|\bgithub_pat_[A-Za-z0-9_]{22,255}` + // GitHub
	`|\bgl(?:pat|dt|rt|ptt|ft|imt|cbt|oas|soat|agent|ffct)-[A-Za-z0-9_.-]{20,}|\bGR1348941[A-Za-z0-9_-]{20,}` + // GitLab
	`|\bxox[abeoprs]-[A-Za-z0-9-]{10,}|\bxapp-\d-[A-Za-z0-9-]{10,}` + // Slack
	`|hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{20,}` +
	`|\b(?:sk|rk|pk)_(?:test|live|prod)_[A-Za-z0-9]{10,}|\bwhsec_[A-Za-z0-9+/=]{20,}` + // Stripe
	`|\bAIza[A-Za-z0-9_-]{35}|\bya29\.[A-Za-z0-9_-]{20,}` + // Google
	`|\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}|\bsk-proj-[A-Za-z0-9_-]{40,}` + // OpenAI
	`|\bsk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{40,}` + // Anthropic
	`|\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}` + // SendGrid
	`|\bnpm_[A-Za-z0-9]{36}|\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{40,}|\brubygems_[a-f0-9]{48}` +
	`|\bdckr_pat_[A-Za-z0-9_-]{20,}|\bAKCp[A-Za-z0-9]{60,}|\bcmVmd[A-Za-z0-9]{59}` +
	`|\bSK[0-9a-fA-F]{32}\b` + // Twilio
	`|\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}` + // Shopify
	`|\bdo[opr]_v1_[a-f0-9]{64}|\bdapi[a-f0-9]{32}|\bhf_[A-Za-z]{30,}|\bhv[sb]\.[A-Za-z0-9_-]{90,}` +
	`|\bdp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,}|\blin_api_[A-Za-z0-9]{40}` +
	`|\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}|\bgl(?:c|sa)_[A-Za-z0-9+/_]{32,}={0,2}` +
	`|\bsntry[su]_[A-Za-z0-9+/=_]{40,}|\bpul-[a-f0-9]{40}|\bHRKU-AA[0-9a-zA-Z_-]{58}` +
	`|\bATATT3[A-Za-z0-9_=-]{100,}|\b(?:sq0atp|sq0csp)-[A-Za-z0-9_-]{22,}|\bEAA[A-Za-z0-9]{80,}` +
	`|\b[a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.-]{31,34}` + // Azure AD client secret
	`|\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}` +
	`|\bkey-[0-9a-f]{32}\b|\b[0-9a-f]{32}-us[0-9]{1,2}\b` + // Mailgun, Mailchimp
	`|\bdt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}|\bpscale_(?:tkn|oauth|pw)_[A-Za-z0-9_=.-]{32,}` +
	`|\brdme_[a-z0-9]{70}|\bntn_[0-9]{11}[A-Za-z0-9]{35}|\bpplx-[A-Za-z0-9]{48}` +
	`|\bxkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}|\bFLWSECK(?:_TEST)?-[a-hA-H0-9]{12,}` +
	`|\bshippo_(?:live|test)_[a-fA-F0-9]{40}|\bduffel_(?:test|live)_[A-Za-z0-9_=-]{43}` +
	`|\bEZA[KT][A-Za-z0-9]{54}|\bsha256~[A-Za-z0-9_-]{43}|\bops_eyJ[A-Za-z0-9+/]{100,}={0,3}` +
	`)`)

// privateKeyRE is a PEM private key, header to footer.
var privateKeyRE = regexp.MustCompile(`-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|$)`)

// vendorHints are substrings one of which every vendorRE match holds;
// a string with none of them skips the expression.
var vendorHints = []string{"eyJ", "A3T", "AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "AIPA",
	"ANPA", "ANVA", "APKA", "gh", "github_pat_", "gl", "GR1348941", "xox", "xapp-", "hooks.slack.com",
	"_test_", "_live_", "_prod_", "whsec_", "AIza", "ya29.", "sk-", "SG.", "npm_", "pypi-", "rubygems_",
	"dckr_pat_", "AKCp", "cmVmd", "SK", "shp", "_v1_", "dapi", "hf_", "hvs.", "hvb.", "dp.", "lin_api_",
	"PMAK-", "sntry", "pul-", "HRKU-", "ATATT3", "sq0", "EAA", "Q~", "AGE-SECRET-KEY-", "key-", "-us",
	"dt0c01.", "pscale_", "rdme_", "ntn_", "pplx-", "xkeysib-", "FLWSECK", "shippo_", "duffel_", "EZA",
	"sha256~", "ops_eyJ"}
