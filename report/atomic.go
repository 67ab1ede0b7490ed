package report

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/jtlscope/jtlscope/samples"
)

// WriteFile writes the output called path: see WriteFileContext.
func WriteFile(path string, write func(io.Writer) error) error {
	return WriteFileContext(context.Background(), path, write)
}

// WriteFileContext writes the output called path with write, as a user who
// types "-o path" expects:
//
//   - a regular file, or a name that does not exist yet, is written
//     atomically: write renders into a temporary file in the same
//     directory, which is synced and renamed over path only when write
//     succeeds, so a failed or interrupted write leaves path as it was. An
//     existing file keeps its permissions; a new one gets the umask's.
//   - a symbolic link is followed: its target is written (atomically, if
//     it is a regular file) and the link stays a link.
//   - anything else (a device such as /dev/null or /dev/full, a FIFO, a
//     terminal, /dev/stdout) is opened and written through; replacing it
//     with a regular file would break it.
//
// Every error reaches the caller (a full disk, a device that refuses
// data) and names path, not a temporary file. When ctx is cancelled the
// write stops at the next Write call, and so does the wait to open a FIFO
// that nobody reads.
func WriteFileContext(ctx context.Context, path string, write func(io.Writer) error) error {
	target, err := resolve(path)
	if err != nil {
		return err
	}
	fi, err := os.Stat(target)
	switch {
	case err == nil && fi.IsDir():
		return &fs.PathError{Op: "write", Path: path, Err: syscall.EISDIR}
	case err == nil && !fi.Mode().IsRegular():
		return writeThrough(ctx, path, target, write)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return renamePathErr(err, path)
	}
	return writeAtomic(ctx, path, target, fi, write)
}

// resolve follows symbolic links from path to the name that is to be
// written, which need not exist (a dangling link is written through to
// the file it names). The /dev/fd and /proc/*/fd links name open files,
// which are written through as they are.
func resolve(path string) (string, error) {
	p := path
	for hops := 0; ; hops++ {
		if hops > 40 {
			return "", &fs.PathError{Op: "open", Path: path, Err: syscall.ELOOP}
		}
		if isFDLink(p) {
			return p, nil
		}
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return p, nil
		}
		dest, err := os.Readlink(p)
		if err != nil {
			return "", renamePathErr(err, path)
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(p), dest)
		}
		p = dest
	}
}

// isFDLink reports whether p names an open file descriptor rather than a
// file: /dev/stdout, /dev/fd/1, /proc/self/fd/1.
func isFDLink(p string) bool {
	switch p {
	case "/dev/stdout", "/dev/stderr", "/dev/stdin":
		return true
	}
	return strings.HasPrefix(p, "/dev/fd/") ||
		strings.HasPrefix(p, "/proc/") && strings.Contains(p, "/fd/")
}

// writeThrough writes to a device, a FIFO or an open descriptor.
func writeThrough(ctx context.Context, path, target string, write func(io.Writer) error) error {
	f, err := openContext(ctx, target, os.O_WRONLY)
	if err != nil {
		return renamePathErr(err, path)
	}
	err = render(ctx, f, write)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return renamePathErr(err, path)
}

// openContext opens name, giving up when ctx is cancelled: opening a FIFO
// for writing blocks until something opens it for reading.
func openContext(ctx context.Context, name string, flag int) (*os.File, error) {
	return samples.Await(ctx, func() (*os.File, error) { return os.OpenFile(name, flag, 0) }, func(f *os.File) { f.Close() })
}

// writeAtomic writes a regular file through a temporary file renamed over
// it; old is the existing file's information, or nil.
func writeAtomic(ctx context.Context, path, target string, old os.FileInfo, write func(io.Writer) error) (err error) {
	f, tmp, err := createTemp(target)
	if err != nil {
		return renamePathErr(err, path)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
			err = renamePathErr(err, path)
		}
	}()
	if old != nil {
		// Keep the file's permissions (and, for root, its owner): a
		// report written over a 0600 file must not become readable by
		// all. Done before any data goes in.
		if err = f.Chmod(old.Mode().Perm()); err != nil {
			return err
		}
		if st, ok := old.Sys().(*syscall.Stat_t); ok && os.Geteuid() == 0 {
			f.Chown(int(st.Uid), int(st.Gid)) // best effort
		}
	}
	if err = render(ctx, f, write); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, target)
}

// createTemp creates a new file next to target. Its mode is 0666 less the
// umask, as for any file a program creates: os.CreateTemp's 0600 would
// ignore the user's umask.
func createTemp(target string) (*os.File, string, error) {
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	for i := 0; ; i++ {
		var b [6]byte
		rand.Read(b[:])
		tmp := filepath.Join(dir, "."+base+".tmp-"+hex.EncodeToString(b[:]))
		f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil || !errors.Is(err, fs.ErrExist) || i == 10 {
			return f, tmp, err
		}
	}
}

// render runs write into w through a buffer, stopping when ctx is
// cancelled, and returns the first error of either.
func render(ctx context.Context, w io.Writer, write func(io.Writer) error) error {
	cw := &ctxWriter{w: w, ctx: ctx}
	bw := bufio.NewWriterSize(cw, 64<<10)
	err := write(bw)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if err == nil {
		err = cw.err // a writer that ignored an error from w
	}
	return err
}

// ctxWriter stops writing when ctx is cancelled, and remembers the first
// error, so that a renderer that drops write errors cannot hide one.
type ctxWriter struct {
	w   io.Writer
	ctx context.Context
	err error
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if err := c.ctx.Err(); err != nil {
		c.err = err
		return 0, err
	}
	n, err := c.w.Write(p)
	if err != nil {
		c.err = err
	}
	return n, err
}

// renamePathErr makes err name path, the file the user asked for, instead
// of a temporary or resolved name.
func renamePathErr(err error, path string) error {
	if err == nil {
		return nil
	}
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.As(err, &pe):
		if pe.Path == path {
			return err
		}
		return &fs.PathError{Op: pe.Op, Path: path, Err: pe.Err}
	case errors.As(err, &le):
		return &fs.PathError{Op: "write", Path: path, Err: le.Err}
	}
	return fmt.Errorf("%s: %w", path, err)
}

// ErrUnknownFormat is returned for an output format a writer does not know.
var ErrUnknownFormat = errors.New("unknown output format")

// ReportMarker names the file that marks a directory as a jtlscope
// report, which a later run may replace as a whole. It records whether the
// report is partial (an interrupted run).
const ReportMarker = ".jtlscope-report"

// ErrNotReport is returned for an output directory that holds something
// other than a jtlscope report.
var ErrNotReport = errors.New("exists, is not empty and is not a jtlscope report")

// WriteReportDir writes the report into dir: see WriteReportDirContext.
func WriteReportDir(dir string, r *CapacityReport, force bool) error {
	_, err := WriteReportDirContext(context.Background(), dir, r, ReportDirOptions{Force: force})
	return err
}

// ReportDirOptions say how a report directory is written.
type ReportDirOptions struct {
	// Force writes into a directory that holds other files: the report's
	// files are written one by one and nothing else is touched.
	Force bool
	// Partial marks the report as covering only part of the inputs (an
	// interrupted run). A partial report never replaces a complete one:
	// it goes to DIR.partial beside it.
	Partial bool
}

// WriteReportDirContext writes the report into dir: index.html, report.md,
// charts/NAME.png and .svg, tables/NAME.csv, summary.json, diagnosis.json
// and capacity.json, and the ReportMarker. It returns the directory it
// wrote, which differs from dir for a partial report next to a complete
// one.
//
// The report is built in a temporary directory next to dir and renamed
// into place at the end, so that an interrupted run leaves the previous
// report (or nothing) rather than half of each. A directory that cannot
// be renamed (the current directory, a mount point) is written in place,
// file by file. A dir that exists, is not empty and is not a previous
// report is refused unless Force is set; then the files are written into
// it one by one (each atomically) and nothing else in it is touched.
func WriteReportDirContext(ctx context.Context, dir string, r *CapacityReport, o ReportDirOptions) (string, error) {
	if r.Figures == nil {
		r.Draw()
	}
	// A symbolic link is followed: the directory it names is written,
	// and the link stays.
	dir, err := resolve(filepath.Clean(dir))
	if err != nil {
		return dir, err
	}
	st, err := dirState(dir)
	if err != nil {
		return dir, err
	}
	if o.Partial && st == dirReport {
		// Keep the complete report; put the partial one beside it.
		dir += ".partial"
		if st, err = dirState(dir); err != nil {
			return dir, err
		}
	}
	if st == dirForeign {
		if !o.Force {
			return dir, fmt.Errorf("%s %w (it has no %s file): choose another directory, or use --force to write the report's files into it", dir, ErrNotReport, ReportMarker)
		}
		return dir, writeReportFiles(ctx, dir, r)
	}
	if st != dirMissing && isWorkingDir(dir) {
		return dir, writeInPlace(ctx, dir, r, o, st)
	}
	parent, base := filepath.Split(dir)
	if parent == "" {
		parent = "."
	}
	if err := os.MkdirAll(parent, 0o777); err != nil {
		return dir, err
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".tmp-")
	if err != nil {
		return dir, renamePathErr(err, dir)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	if err := fillReportDir(ctx, tmp, r, o); err != nil {
		return dir, err
	}
	// MkdirTemp makes 0700; a report directory gets the umask's mode.
	if err := os.Chmod(tmp, 0o777&^umask()); err != nil {
		return dir, err
	}
	if st == dirMissing {
		return dir, renamePathErr(os.Rename(tmp, dir), dir)
	}
	// Move the old report aside, put the new one in, then delete the old:
	// a crash in between leaves both, never neither.
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		if errors.Is(err, syscall.EBUSY) || errors.Is(err, syscall.EXDEV) || errors.Is(err, syscall.EINVAL) {
			// A mount point, or a directory in use: write in place.
			return dir, writeInPlace(ctx, dir, r, o, st)
		}
		return dir, renamePathErr(err, dir)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if rerr := os.Rename(old, dir); rerr != nil {
			return dir, fmt.Errorf("%w (and restoring the previous report from %s failed: %v)", err, old, rerr)
		}
		return dir, err
	}
	return dir, os.RemoveAll(old)
}

// fillReportDir writes the report's files, then the marker: only a
// report whose files are all there is marked as one.
func fillReportDir(ctx context.Context, dir string, r *CapacityReport, o ReportDirOptions) error {
	if err := writeReportFiles(ctx, dir, r); err != nil {
		return err
	}
	return WriteFileContext(ctx, filepath.Join(dir, ReportMarker), func(w io.Writer) error {
		return writeJSON(w, struct {
			Tool    string `json:"tool"`
			Version string `json:"version"`
			Partial bool   `json:"partial,omitempty"`
			Note    string `json:"note"`
		}{"jtlscope", r.Version, o.Partial, "a jtlscope report directory: jtlscope report -o may replace it as a whole"})
	})
}

// writeInPlace writes a report into a directory that cannot be replaced
// as a whole (the working directory: renaming it away would leave the
// shell in a deleted directory). A previous report's charts and tables
// go first, so that none of another run's are left among the new ones.
func writeInPlace(ctx context.Context, dir string, r *CapacityReport, o ReportDirOptions, st outDir) error {
	if st == dirReport || st == dirPartialReport {
		os.Remove(filepath.Join(dir, ReportMarker))
		for _, pat := range []string{"charts/*.png", "charts/*.svg", "tables/*.csv"} {
			old, _ := filepath.Glob(filepath.Join(dir, pat))
			for _, f := range old {
				os.Remove(f)
			}
		}
	}
	return fillReportDir(ctx, dir, r, o)
}

// isWorkingDir reports whether dir is the current directory or holds it.
func isWorkingDir(dir string) bool {
	a, err := os.Stat(dir)
	if err != nil {
		return false
	}
	for p := "."; ; p = filepath.Join(p, "..") {
		b, err := os.Stat(p)
		if err != nil {
			return false
		}
		if os.SameFile(a, b) {
			return true
		}
		if up, err := os.Stat(filepath.Join(p, "..")); err != nil || os.SameFile(up, b) {
			return false // reached the root
		}
	}
}

// umask reads the process's umask without changing it (Linux), else
// assumes 022.
func umask() os.FileMode {
	b, err := os.ReadFile("/proc/self/status")
	if err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "Umask:"); ok {
				var m uint32
				if _, err := fmt.Sscanf(strings.TrimSpace(v), "%o", &m); err == nil {
					return os.FileMode(m)
				}
			}
		}
	}
	return 0o022
}

type outDir int

const (
	dirMissing outDir = iota
	dirEmpty
	dirReport
	dirPartialReport
	dirForeign
)

func dirState(dir string) (outDir, error) {
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return dirMissing, nil
	case err != nil:
		return 0, err
	case !fi.IsDir():
		return 0, fmt.Errorf("%s exists and is not a directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	if len(entries) == 0 {
		return dirEmpty, nil
	}
	m, err := os.Lstat(filepath.Join(dir, ReportMarker))
	if err != nil || !m.Mode().IsRegular() {
		return dirForeign, nil
	}
	b, err := os.ReadFile(filepath.Join(dir, ReportMarker))
	var marker struct {
		Partial bool `json:"partial"`
	}
	if err == nil && json.Unmarshal(b, &marker) == nil && marker.Partial {
		return dirPartialReport, nil
	}
	return dirReport, nil
}

// WriteStream renders write into w (standard output) through a buffer and
// returns the first error of either, including the ones a renderer
// dropped; it stops when ctx is cancelled.
func WriteStream(ctx context.Context, w io.Writer, write func(io.Writer) error) error {
	return render(ctx, w, write)
}
