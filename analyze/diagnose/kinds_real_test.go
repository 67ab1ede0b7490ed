package diagnose_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jtlscope/jtlscope/analyze"
	"github.com/jtlscope/jtlscope/analyze/diagnose"
	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/samplestest"
)

// TestEveryFileNamesItsFailuresByKind runs the diagnosis on every real
// file the team has (public JTL and HAR files, the JMeter runs) and checks
// the failures it reports, by class, against counts made here from the
// samples with rules of the test's own: a failing request is one whose
// source says so, its class is its status (4xx, 5xx), a non-HTTP code, or
// neither (a failed assertion or other). No verdict may say "No failures"
// when requests failed.
func TestEveryFileNamesItsFailuresByKind(t *testing.T) {
	files := samplestest.Glob(t, "public/*/*")
	files = append(files, samplestest.Glob(t, "jmeter/*/results.*")...)
	more, _ := filepath.Glob("../../samples/testdata/jmeter/*/*.gz")
	files = append(files, more...)
	if len(files) == 0 {
		t.Skip("skipped, no real data")
	}
	for _, path := range files {
		if strings.HasSuffix(path, "truth.jsonl.gz") {
			continue
		}
		t.Run(filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), func(t *testing.T) {
			st, err := samples.OpenStream([]string{path}, samples.StreamOptions{Ordered: true})
			if err != nil {
				t.Skipf("not an input: %v", err) // the deliberately broken HAR
			}
			defer st.Close()
			d := diagnose.New(diagnose.Options{Seed: 1})
			want := map[string]int64{}
			var requests int64
			count := analyze.Func(func(s *samples.Sample) {
				s.Requests(func(r *samples.Sample) {
					if r.Has&samples.FieldStart == 0 {
						return
					}
					requests++
					failed := !r.Success
					if r.Has&samples.FieldSuccess == 0 {
						failed = r.Status() >= 400
					}
					if failed {
						want[classOf(r)]++
					}
				})
			})
			if err := analyze.Run(context.Background(), st, d, count); err != nil && st.Err() == nil {
				t.Fatal(err)
			}
			res := d.Result()
			got := map[string]int64{}
			for _, k := range res.Kinds {
				c := k.Class
				if c == diagnose.ClassOther {
					c = diagnose.ClassAssertion
				}
				got[c] += k.Failures
			}
			for c := range want {
				if got[c] != want[c] {
					t.Errorf("%s failures: diagnosis %d, counted %d (all: %v vs %v)", c, got[c], want[c], got, want)
				}
			}
			var total int64
			for _, n := range want {
				total += n
			}
			if res.Failures != total {
				t.Errorf("%d failures, counted %d", res.Failures, total)
			}
			if total > 0 && strings.HasPrefix(res.Verdict, "No failures") {
				t.Errorf("verdict says no failures, %d counted: %s", total, res.Verdict)
			}
			if total > 0 && res.Unexplained > res.Failures {
				t.Errorf("%d unexplained of %d failures", res.Unexplained, res.Failures)
			}
			var attributed int64
			for _, c := range res.Causes {
				attributed += c.Attributed
			}
			if total > 0 && attributed+res.Unexplained != res.Failures {
				t.Errorf("attributed %d + unexplained %d != %d failures", attributed, res.Unexplained, res.Failures)
			}
		})
	}
}

func classOf(r *samples.Sample) string {
	st := r.Status()
	// A page JMeter failed because an embedded resource or a redirect hop
	// failed (no assertion of its own failed): the failed sub-result says
	// what went wrong.
	if st < 400 && !strings.HasPrefix(r.Code, "Non HTTP") && r.FailureMessage == "" {
		for i := range r.Children {
			if c := &r.Children[i]; !c.Success {
				return classOf(c)
			}
		}
	}
	switch {
	case st >= 400 && st < 500:
		return diagnose.Class4xx
	case st >= 500 && st < 600:
		return diagnose.Class5xx
	case strings.HasPrefix(r.Code, "Non HTTP response code"):
		return diagnose.ClassNonHTTP
	}
	return diagnose.ClassAssertion
}
