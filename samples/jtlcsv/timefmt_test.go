package jtlcsv

import (
	"testing"
	"time"
)

func TestFallbackPatterns(t *testing.T) {
	if len(jmeterFallbacks) != 5 {
		t.Fatalf("%d of JMeter's 5 fallback patterns compiled", len(jmeterFallbacks))
	}
}

func TestDateFormat(t *testing.T) {
	utc := time.UTC
	for _, c := range []struct {
		pattern, in string
		want        time.Time
		ok          bool
	}{
		{"yyyy/MM/dd HH:mm:ss.SSS", "2014/02/24 07:42:21.256", time.Date(2014, 2, 24, 7, 42, 21, 256e6, utc), true},
		{"yyyy/MM/dd HH:mm:ss.SSS", "2014/2/4 7:42:21.5", time.Date(2014, 2, 4, 7, 42, 21, 5e6, utc), true},
		{"yyyy/MM/dd HH:mm:ss.SSS", "2014/02/24 07:42:21", time.Time{}, false},
		{"yyyy/MM/dd HH:mm:ss", "2014/02/24 07:42:21.256", time.Time{}, false}, // trailing text
		{"yyyy-MM-dd HH:mm:ss", "2014-02-29 07:42:21", time.Time{}, false},     // not a leap year
		{"yyyy-MM-dd HH:mm:ss", "2016-02-29 07:42:21", time.Date(2016, 2, 29, 7, 42, 21, 0, utc), true},
		{"yyyy-MM-dd HH:mm:ss", "2016-13-01 07:42:21", time.Time{}, false},
		{"yyyy-MM-dd HH:mm:ss", "2016-12-01 24:00:00", time.Time{}, false},
		{"yyyyMMddHHmmssSSS", "20140224074221256", time.Date(2014, 2, 24, 7, 42, 21, 256e6, utc), true},
		{"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2014-02-24T07:42:21.256-05:00", time.Date(2014, 2, 24, 12, 42, 21, 256e6, utc), true},
		{"yyyy-MM-dd'T'HH:mm:ssX", "2014-02-24T07:42:21+01", time.Date(2014, 2, 24, 6, 42, 21, 0, utc), true},
		{"yyyy-MM-dd HH:mm:ss Z", "2014-02-24 07:42:21 +0530", time.Date(2014, 2, 24, 2, 12, 21, 0, utc), true},
		{"yyyy-MM-dd HH:mm:ss z", "2014-02-24 07:42:21 GMT-08:00", time.Date(2014, 2, 24, 15, 42, 21, 0, utc), true},
		{"yyyy-MM-dd HH:mm:ss z", "2014-02-24 07:42:21 UTC", time.Date(2014, 2, 24, 7, 42, 21, 0, utc), true},
		{"yyyy-MM-dd HH:mm:ss z", "2014-02-24 07:42:21 Nowhere/Land", time.Time{}, false},
		{"dd.MM.yy hh:mm a", "24.02.14 12:05 AM", time.Date(2014, 2, 24, 0, 5, 0, 0, utc), true},
		{"dd.MM.yy hh:mm a", "24.02.14 12:05 pm", time.Date(2014, 2, 24, 12, 5, 0, 0, utc), true},
		{"dd.MM.yy hh:mm a", "24.02.14 13:05 pm", time.Time{}, false},
		{"d MMM yyyy kk:mm", "4 feb 2014 24:30", time.Date(2014, 2, 4, 0, 30, 0, 0, utc), true},
		{"EEEE, d MMMM yyyy H:mm", "Monday, 24 February 2014 7:42", time.Date(2014, 2, 24, 7, 42, 0, 0, utc), true},
		{"'at' HH 'o''clock' yyyy-MM-dd", "at 07 o'clock 2014-02-24", time.Date(2014, 2, 24, 7, 0, 0, 0, utc), true},
	} {
		f, err := compileDateFormat(c.pattern)
		if err != nil {
			t.Fatalf("%s: %v", c.pattern, err)
		}
		got, ok := f.parse([]byte(c.in), utc)
		if ok != c.ok || (ok && !got.Equal(c.want)) {
			t.Errorf("%s on %q: %v %v, want %v %v", c.pattern, c.in, got, ok, c.want, c.ok)
		}
	}
	for _, bad := range []string{"", "yyyy-MM-dd 'T", "yyyy-MM-dd QQ", "G yyyy"} {
		if _, err := compileDateFormat(bad); err == nil {
			t.Errorf("%q compiled", bad)
		}
	}
	// Two-digit years fall within 80 years before now and 20 after.
	f, _ := compileDateFormat("yy-MM-dd")
	now := time.Now().Year()
	for _, yy := range []int{0, 50, 99} {
		got, ok := f.parse([]byte(time.Date(2000+yy, 1, 1, 0, 0, 0, 0, utc).Format("06-01-02")), utc)
		if !ok || got.Year() < now-80 || got.Year() > now+20 || got.Year()%100 != yy {
			t.Errorf("yy=%02d: %v", yy, got)
		}
	}
}
