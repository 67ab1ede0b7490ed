package samplestest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// EnvVar names the environment variable that overrides the data folder.
const EnvVar = "JTLSCOPE_DATA"

var (
	once    sync.Once
	dir     string
	findErr error
)

// find locates the shared data folder once per test binary.
func find() (string, error) {
	once.Do(func() {
		if d := os.Getenv(EnvVar); d != "" {
			dir, findErr = d, checkDir(d)
			return
		}
		root, err := moduleRoot()
		if err != nil {
			findErr = err
			return
		}
		dir = filepath.Join(filepath.Dir(root), "shared", "data")
		findErr = checkDir(dir)
	})
	return dir, findErr
}

func checkDir(d string) error {
	fi, err := os.Stat(d)
	if err != nil {
		return fmt.Errorf("shared data folder %s: %w (set %s to point elsewhere)", d, err, EnvVar)
	}
	if !fi.IsDir() {
		return fmt.Errorf("shared data %s is not a folder (set %s to point elsewhere)", d, EnvVar)
	}
	return nil
}

// moduleRoot walks up from the working directory (a test runs in its
// package's folder) to the folder holding go.mod.
func moduleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("no go.mod above " + wd)
		}
	}
}

// Dir returns the shared data folder, or ends the test: a failure under
// CI, a skip otherwise.
func Dir(tb testing.TB) string {
	tb.Helper()
	d, err := find()
	if err != nil {
		missing(tb, err)
	}
	return d
}

// Path returns a file or folder inside the shared data (rel uses slashes),
// or ends the test as Dir does when it is absent.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join(Dir(tb), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		missing(tb, err)
	}
	return p
}

// Glob returns the shared files matching pattern (relative, slashes), or
// nil without ending the test when the data folder is absent and this is
// not CI: for tests that also read the repository's own testdata.
func Glob(tb testing.TB, pattern string) []string {
	tb.Helper()
	d, err := find()
	if err != nil {
		if InCI() {
			tb.Fatalf("real-data test needs the shared data under CI: %v", err)
		}
		note(err)
		return nil
	}
	m, err := filepath.Glob(filepath.Join(d, filepath.FromSlash(pattern)))
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// InCI reports whether the tests run under CI, where absent data fails.
func InCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "0" && v != "false"
}

func missing(tb testing.TB, err error) {
	tb.Helper()
	if InCI() {
		tb.Fatalf("real-data test needs the shared data under CI: %v", err)
	}
	note(err)
	tb.Skipf("skipped, no real data: %v", err)
}

var noteOnce sync.Once

// note tells the person at the terminal once per test binary that
// real-data tests were skipped. `go test ./...` prints a passing
// package's output only with -v, so a skip message alone would go
// unseen; the controlling terminal, when there is one, is not captured.
func note(err error) {
	noteOnce.Do(func() {
		tty, e := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
		if e != nil {
			return
		}
		defer tty.Close()
		fmt.Fprintf(tty, "jtlscope tests: real-data tests skipped: %v\n", err)
	})
}
