package har

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	local := time.FixedZone("local", -3*3600)
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	for _, tc := range []struct {
		in   string
		want time.Time
		off  int // seconds east of UTC
	}{
		{"2015-01-16T14:25:58.652Z", utc(2015, 1, 16, 14, 25, 58, 652e6), 0},
		{"2010-06-06T09:40:21.181+02:00", utc(2010, 6, 6, 7, 40, 21, 181e6), 7200},
		{"2023-03-29T17:37:42.482-07:00", utc(2023, 3, 30, 0, 37, 42, 482e6), -25200},
		{"2023-07-25T11:03:15.216374+00:00", utc(2023, 7, 25, 11, 3, 15, 216374e3), 0},
		{"2024-05-01T10:00:00.1234567Z", utc(2024, 5, 1, 10, 0, 0, 123456700), 0},      // .NET's 7 digits
		{"2024-05-01T10:00:00.123456789123Z", utc(2024, 5, 1, 10, 0, 0, 123456789), 0}, // more than 9: cut
		{"2024-05-01T10:00:00Z", utc(2024, 5, 1, 10, 0, 0, 0), 0},
		{"2024-05-01t10:00:00z", utc(2024, 5, 1, 10, 0, 0, 0), 0},
		{"2024-05-01 10:00:00,5+0530", utc(2024, 5, 1, 4, 30, 0, 5e8), 19800},
		{"2024-05-01T10:00+01", utc(2024, 5, 1, 9, 0, 0, 0), 3600},
		{"20240501T100000Z", utc(2024, 5, 1, 10, 0, 0, 0), 0}, // the schema's basic form
		{"2024-05-01T10:00:00.250", utc(2024, 5, 1, 13, 0, 0, 25e7), -3 * 3600},
	} {
		got, ok := parseTime([]byte(tc.in), local, zones{})
		if !ok || !got.Equal(tc.want) {
			t.Errorf("parseTime(%q) = %v %v, want %v", tc.in, got, ok, tc.want)
			continue
		}
		if _, off := got.Zone(); off != tc.off {
			t.Errorf("parseTime(%q): offset %d, want %d", tc.in, off, tc.off)
		}
	}
	for _, in := range []string{"", "2024", "2024-05-01", "2024-13-01T10:00:00Z", "2024-05-01T10:60:00Z", "2024-05-01T10:00:00.Z",
		"2024-05-01T10:00:00+2", "2024-05-01T10:00:00+25:00", "2024-05-01T10:00:00Zjunk", "1714556000123", "yesterday"} {
		if got, ok := parseTime([]byte(in), local, zones{}); ok {
			t.Errorf("parseTime(%q) = %v, want failure", in, got)
		}
	}
}
