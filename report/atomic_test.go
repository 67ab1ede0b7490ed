package report

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A failed write leaves the old file as it was and no temporary file.
func TestWriteFileIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFile(path, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("file now %q", b)
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("%d entries left in the directory", len(es))
	}
	if err := WriteFile(path, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("file now %q", b)
	}
}

// The message names the file the user asked for, not the temporary one.
func TestWriteFileErrorNamesThePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "x.json")
	err := WriteFile(path, func(io.Writer) error { return nil })
	if err == nil || !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), ".tmp-") {
		t.Errorf("err %v, want it to name %s", err, path)
	}
}

// device returns a character device like /dev/name: a node of its own
// made with mknod when running as root (so that a broken WriteFile cannot
// replace the machine's), the system's when not (it cannot replace it).
func device(t *testing.T, name string, minor uint32) string {
	t.Helper()
	sys := "/dev/" + name
	if os.Geteuid() != 0 {
		if _, err := os.Stat(sys); err != nil {
			t.Skip(err)
		}
		return sys
	}
	p := filepath.Join(t.TempDir(), name)
	if err := syscall.Mknod(p, syscall.S_IFCHR|0o666, int(1<<8|minor)); err != nil {
		t.Skipf("mknod %s: %v", name, err)
	}
	return p
}

// Outputs that are not regular files are written through, never replaced
// (issue 13: --attribution /dev/full exited 0 and turned /dev/full into a
// regular file; a mknod null device the same).
func TestWriteFileThroughDevices(t *testing.T) {
	null := device(t, "null", 3)
	if err := WriteFile(null, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err }); err != nil {
		t.Errorf("null: %v", err)
	}
	if fi, err := os.Stat(null); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("%s is no longer a device: %v %v", null, fi, err)
	}
	full := device(t, "full", 7)
	// A renderer that ignores write errors cannot hide them either.
	err := WriteFile(full, func(w io.Writer) error {
		for i := 0; i < 1000; i++ {
			io.WriteString(w, strings.Repeat("x", 1000))
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), full) {
		t.Errorf("full: err %v, want a write error naming %s", err, full)
	}
	if fi, err := os.Stat(full); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("%s is no longer a device: %v %v", full, fi, err)
	}
}

func TestWriteFileThroughFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skip(err)
	}
	got := make(chan string)
	go func() {
		f, err := os.Open(p)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- string(b)
	}()
	if err := WriteFile(p, func(w io.Writer) error { _, err := io.WriteString(w, "through"); return err }); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "through" {
		t.Errorf("read %q", s)
	}
	if fi, err := os.Lstat(p); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v", fi.Mode())
	}
	// Nobody reads: a cancelled context ends the wait to open it.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := WriteFileContext(ctx, p, func(io.Writer) error { return nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v, want the context's", err)
	}
}

func TestWriteFileFollowsSymlinks(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.json")
	link := filepath.Join(dir, "link.json")
	os.WriteFile(target, []byte("old"), 0o640)
	os.Symlink("real.json", link)
	if err := WriteFile(link, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced by a file")
	}
	if b, _ := os.ReadFile(target); string(b) != "new" {
		t.Errorf("target holds %q", b)
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o640 {
		t.Errorf("target mode %v, want 0640 kept", fi.Mode().Perm())
	}
	// A dangling link: the file it names is created.
	dangling := filepath.Join(dir, "dangling")
	os.Symlink("made.json", dangling)
	if err := WriteFile(dangling, func(w io.Writer) error { _, err := io.WriteString(w, "made"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "made.json")); string(b) != "made" {
		t.Errorf("made.json holds %q", b)
	}
}

// An existing file keeps its mode; a new one gets the umask's.
func TestWriteFileModes(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret.json")
	os.WriteFile(secret, []byte("old"), 0o600)
	os.Chmod(secret, 0o600)
	if err := WriteFile(secret, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(secret); fi.Mode().Perm() != 0o600 {
		t.Errorf("existing 0600 file is now %v", fi.Mode().Perm())
	}
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	fresh := filepath.Join(dir, "fresh.json")
	if err := WriteFile(fresh, func(w io.Writer) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(fresh); fi.Mode().Perm() != 0o600 {
		t.Errorf("new file under umask 077 is %v", fi.Mode().Perm())
	}
	syscall.Umask(0o022)
	fresh2 := filepath.Join(dir, "fresh2.json")
	WriteFile(fresh2, func(w io.Writer) error { return nil })
	if fi, _ := os.Stat(fresh2); fi.Mode().Perm() != 0o644 {
		t.Errorf("new file under umask 022 is %v", fi.Mode().Perm())
	}
}

// /proc refuses new files: the message names the file asked for.
func TestWriteFileErrorNamesTheRequestedFile(t *testing.T) {
	err := WriteFile("/proc/nope", func(io.Writer) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "/proc/nope") || strings.Contains(err.Error(), "tmp") {
		t.Errorf("err %v, want it to name /proc/nope", err)
	}
}
