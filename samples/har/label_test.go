package har

import "testing"

func TestLabel(t *testing.T) {
	for _, tc := range []struct{ method, url, want string }{
		{"GET", "https://Example.COM/Path/To?q=1#frag", "GET https://example.com/Path/To"},
		{"GET", "https://example.com", "GET https://example.com/"},
		{"GET", "https://example.com?x=1", "GET https://example.com/"},
		{"GET", "HTTPS://user:s3cret@example.com:8443/a/", "GET https://example.com:8443/a/"},
		{"POST", "https://api.example.com/v2/recordings/4F6C1A52-3B1E-4D8E-9A57-1C2D3E4F5A6B/upload", "POST https://api.example.com/v2/recordings/{id}/upload"},
		{"GET", "https://api.example.com/users/42/orders/7", "GET https://api.example.com/users/{id}/orders/{id}"},
		{"GET", "https://api.example.com/objects/507f1f77bcf86cd799439011", "GET https://api.example.com/objects/{id}"},
		{"GET", "https://api.example.com/files/d41d8cd98f00b204e9800998ecf8427e.png", "GET https://api.example.com/files/d41d8cd98f00b204e9800998ecf8427e.png"},
		{"GET", "https://api.example.com/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV", "GET https://api.example.com/jobs/{id}"},
		{"GET", "https://api.example.com/events/evt-1714556000123", "GET https://api.example.com/events/{id}"},
		// Names are not IDs: short hex words, versions, words of hex letters.
		{"GET", "https://api.example.com/v2/feed/cafe/deadbeefdeadbeef/2024", "GET https://api.example.com/v2/feed/cafe/deadbeefdeadbeef/{id}"},
		{"GET", "https://cdn.example.com/main.8a9f3e2b.js", "GET https://cdn.example.com/main.8a9f3e2b.js"},
		{"GET", "data:image/png;base64,iVBORw0KGgo=", "GET data:image/png"},
		{"GET", "blob:https://app.example.com/4f6c1a52-3b1e-4d8e-9a57-1c2d3e4f5a6b", "GET blob:https://app.example.com/{id}"},
		{"GET", "about:blank", "GET about:blank"},
		{"GET", "/relative/123?x", "GET /relative/{id}"},
		{"GET", "", "GET"},
		{"", "https://a/b", "https://a/b"},
		{"GET", "https://a//double//", "GET https://a//double//"},
	} {
		if got := string(appendLabel(nil, tc.method, []byte(tc.url))); got != tc.want {
			t.Errorf("label(%s %s) = %q, want %q", tc.method, tc.url, got, tc.want)
		}
	}
}
