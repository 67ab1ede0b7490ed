package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/jtlscope/jtlscope/report"
	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/redact"

	// The input formats register themselves with samples.Open.
	_ "github.com/jtlscope/jtlscope/samples/har"
	"github.com/jtlscope/jtlscope/samples/jtlcsv"
	_ "github.com/jtlscope/jtlscope/samples/jtlxml"
)

// Exit codes. Documented in the README and in --help; CI pipelines gate
// on them.
const (
	exitOK    = 0
	exitError = 1 // bad input, I/O error, nothing to analyse
	exitUsage = 2 // bad flags or arguments
	exitSLA   = 3 // the run broke an --sla or --fail-on criterion
	// exitUnevaluated: a --fail-on limit could not be judged (too few
	// samples) and none was broken. Not 0: a gate that measured nothing
	// must not pass silently; not 3: nothing was shown to be worse.
	exitUnevaluated = 4
	exitInterrupted = 130
)

// version is set at build time with -ldflags "-X main.version=..."; a
// plain go build falls back to the module version.
var version = ""

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// env is what a command needs from the process; tests pass their own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// isTerminal reports whether stderr is a terminal (progress bars).
	isTerminal bool
	// atExit run when the command has ended, whatever its outcome.
	atExit []func()
	// width is stdout's width in columns when it is a terminal, else 0:
	// the table format is then laid out for it (report.Layout). errWidth
	// is stderr's, for the warnings.
	width, errWidth int
}

// layout is how output to path is laid out: for the terminal when it
// goes to stdout and stdout is one, else not at all.
func (e *env) layout(path string) report.Layout {
	if path == "" || path == "-" {
		return report.Layout{Width: e.width}
	}
	return report.Layout{}
}

// usageError marks errors that are the user's invocation's fault. cmd
// is the command they were running ("jtlscope diagnose"), whose --help
// the message points to.
type usageError struct {
	err error
	cmd string
}

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return usageError{err: fmt.Errorf(format, a...)} }

// slaError means the analysis ran fine and the run broke a criterion.
type slaError struct{ msg string }

func (e slaError) Error() string { return e.msg }

// unevaluatedError means the analysis ran fine but a criterion could not
// be judged.
type unevaluatedError struct{ msg string }

func (e unevaluatedError) Error() string { return e.msg }

// defaultMemoryLimit is the garbage collector's soft memory limit when
// GOMEMLIMIT does not set one. The analyses' live memory is bounded (a
// reorder window, capped tables), but with the collector's default the
// process grows to twice its live heap before collecting: diagnose on
// 400 MB of repeated rows held 180 MB and used 400 MB; with this limit,
// 270 MB, for 8% more CPU. A soft limit never fails a run: past it the
// collector only works harder.
const defaultMemoryLimit = 256 << 20

// limitMemory sets the soft memory limit unless the user chose one.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}

// run is main without os.Exit, so tests can call it.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runEnv(args, &env{stdin: stdin, stdout: stdout, stderr: stderr, isTerminal: isTerminal(stderr),
		width: terminalWidth(stdout), errWidth: terminalWidth(stderr)})
}

// runEnv is run with the terminal's properties given, so that tests can
// lay the output out for a terminal without one.
func runEnv(args []string, e *env) int {
	stdin, stdout, stderr := e.stdin, e.stdout, e.stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first interrupt stops reading and prints what was found so far;
	// restoring the default handler lets a second one kill at once.
	go func() { <-ctx.Done(); stop() }()
	root := newRootCmd(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	for _, f := range e.atExit {
		f()
	}
	if err != nil && strings.HasPrefix(err.Error(), "unknown command") {
		err = usageError{err: err} // cobra's own argument errors are plain errors
	}
	var ue usageError
	if errors.As(err, &ue) && ue.cmd == "" && cmd != nil {
		ue.cmd = cmd.CommandPath()
		err = ue
	}
	return exitCode(err, stderr)
}

// exitCode prints err (the one place errors are printed) and maps it to
// an exit code.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ue usageError
	var se slaError
	var ne unevaluatedError
	switch {
	case errors.As(err, &se):
		fmt.Fprintln(stderr, "jtlscope: "+terminalText(redact.Text(se.msg)))
		return exitSLA
	case errors.As(err, &ne):
		fmt.Fprintln(stderr, "jtlscope: "+terminalText(redact.Text(ne.msg)))
		return exitUnevaluated
	case errors.Is(err, context.Canceled):
		var ie interrupted
		if !errors.As(err, &ie) {
			ie.msg = "interrupted before anything was written"
		}
		fmt.Fprintln(stderr, "jtlscope: "+terminalText(redact.Text(ie.msg)))
		return exitInterrupted
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "jtlscope: "+terminalText(redact.Text(ue.Error())))
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmp.Or(ue.cmd, "jtlscope"))
		return exitUsage
	}
	fmt.Fprintln(stderr, "jtlscope: "+terminalText(redact.Text(err.Error())))
	return exitError
}

// isTerminal reports whether w is a terminal. golang.org/x/term asks the
// terminal driver (a character device such as /dev/null is no terminal)
// and also gives the width; github.com/mattn/go-isatty would say the
// same through the same system call, so one library does both.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// terminalWidth is w's width in columns when w is a terminal, else 0. A
// terminal that does not say its size is taken as $COLUMNS, or 80 wide.
func terminalWidth(w io.Writer) int {
	if !isTerminal(w) {
		return 0
	}
	if cols, _, err := term.GetSize(int(w.(*os.File).Fd())); err == nil && cols > 0 {
		return cols
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 80
}

// inputFlags are the flags every command that reads results shares.
type inputFlags struct {
	format          string
	strict          bool
	timestampFormat string
	timezone        string
	delimiter       string
	properties      []string
	filter          filterFlags
	subresults      bool
}

func (f *inputFlags) register(cmd *cobra.Command) {
	fl := cmd.PersistentFlags()
	fl.StringVar(&f.format, "input-format", "", "read every input as `FORMAT` (csv, xml or har) instead of sniffing the content")
	fl.BoolVar(&f.strict, "strict", false, "stop at the first broken record instead of skipping it")
	fl.StringVar(&f.timestampFormat, "timestamp-format", "", "CSV timestamps: epoch \"ms\", \"s\", \"us\" or \"ns\", or a JMeter SimpleDateFormat `pattern` such as \"yyyy/MM/dd HH:mm:ss.SSS\" (default: detect from the first rows)")
	fl.StringVar(&f.timezone, "timezone", "", "`zone` of CSV timestamps written without one, e.g. Europe/Paris (default: local)")
	fl.StringVar(&f.delimiter, "delimiter", "", "CSV field delimiter: , ; | or tab (default: detect)")
	fl.StringArrayVar(&f.properties, "jmeter-properties", nil, "jmeter.properties or user.properties `file` describing the columns of a CSV without a header line (repeat: later files override)")
	f.filter.register(cmd)
	fl.BoolVar(&f.subresults, "subresults", false, "also count sub-results (redirect hops, embedded resources, JMeter 5 \"<label>-<n>\" rows) as requests of their own, besides their parent")
}

// options turns the flags into samples.StreamOptions.
func (f *inputFlags) options(e *env, ordered bool) (samples.StreamOptions, error) {
	o := samples.StreamOptions{Ordered: ordered}
	o.Stdin = e.stdin
	o.Strict = f.strict
	o.TimestampFormat = f.timestampFormat
	switch strings.ToLower(f.format) {
	case "", "csv", "xml", "har":
		o.Format = strings.ToLower(f.format)
	case "jtl":
		return o, usagef("--input-format jtl is ambiguous: say csv or xml")
	default:
		return o, usagef("unknown --input-format %q (want csv, xml or har)", f.format)
	}
	if f.timezone != "" {
		loc, err := time.LoadLocation(f.timezone)
		if err != nil {
			return o, usagef("--timezone: %v", err)
		}
		o.Location = loc
	}
	switch f.delimiter {
	case "":
	case "tab", `\t`, "\t":
		o.Delimiter = '\t'
	case ",", ";", "|":
		o.Delimiter = rune(f.delimiter[0])
	default:
		return o, usagef("--delimiter %q: want , ; | or tab", f.delimiter)
	}
	for _, p := range f.properties {
		props, err := readProperties(p)
		if err != nil {
			return o, err
		}
		if o.Properties == nil {
			o.Properties = map[string]string{}
		}
		for k, v := range props {
			o.Properties[k] = v
		}
	}
	return o, nil
}

func readProperties(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	props, err := jtlcsv.ReadProperties(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return props, nil
}

func newRootCmd(e *env) *cobra.Command {
	var in inputFlags
	root := &cobra.Command{
		Use:   "jtlscope",
		Short: "Explain load-test failures and draw capacity reports from JMeter JTL and HAR files",
		Long: `jtlscope reads JMeter results (JTL CSV or XML, any version from 2.x to 5.x) and HAR
captures, says which cause explains the failures (a concurrency limit, duplicate IDs,
stale tokens, multipart anomalies, rate limiting) and how sure it is, and draws the
tables and charts of a capacity report.

Inputs are sniffed by content (gzip and stdin "-" work too). Broken records are
reported as file:line: message on stderr and skipped; the rest is analysed.

Counting is the same for CSV, XML and HAR: a sampler's result is one request, its
redirect hops and embedded resources (nested in XML, "<label>-<n>" rows in a JMeter 5
CSV) are part of it, and --subresults counts them as requests too. A Transaction
Controller row is a transaction, not a request; the samplers inside it are requests
whether the file nests them or not.

Exit codes: 0 ok, 1 error, 2 usage, 3 an --sla (or compare --fail-on) criterion was broken, 130 interrupted.`,
		Example: `  jtlscope summary results.jtl
  jtlscope summary --format json run1.csv run2.csv > summary.json
  jtlscope diagnose results.xml
  jtlscope report results.xml -o report/`,
		Version:       versionString(),
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	in.register(root)
	// --cpuprofile is for us, measuring the hot path (see README,
	// Performance); it is hidden from --help.
	// --memprofile writes the heap in use when the command ends, which is
	// when every accumulator is still alive.
	var cpuprofile, memprofile string
	root.PersistentFlags().StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile to `file`")
	root.PersistentFlags().StringVar(&memprofile, "memprofile", "", "write a heap profile to `file` at the end")
	root.PersistentFlags().MarkHidden("cpuprofile")
	root.PersistentFlags().MarkHidden("memprofile")
	var stopProfile func()
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if cpuprofile == "" {
			return nil
		}
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		stopProfile = func() { pprof.StopCPUProfile(); f.Close() }
		return nil
	}
	// The profiles are written however the command ends: the runs worth
	// profiling include those that end in an error.
	e.atExit = append(e.atExit, func() {
		if stopProfile != nil {
			stopProfile()
		}
		if memprofile != "" {
			if f, err := os.Create(memprofile); err == nil {
				pprof.Lookup("heap").WriteTo(f, 0)
				f.Close()
			}
		}
	})
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err, c.CommandPath()} })
	root.AddCommand(newSummaryCmd(e, &in), newDiagnoseCmd(e, &in))
	root.AddCommand(newReportCmd(e, &in))
	root.AddCommand(newCompareCmd(e, &in))
	registerCompletions(root)
	return root
}

// exactArgs wraps cobra's argument checks as usage errors.
func minArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return usagef("%s: give at least %d %s", cmd.Name(), n, what)
		}
		return nil
	}
}
