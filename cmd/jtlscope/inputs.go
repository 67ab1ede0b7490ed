package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jtlscope/jtlscope/analyze"
	"github.com/jtlscope/jtlscope/report"
	"github.com/jtlscope/jtlscope/report/table"
	"github.com/jtlscope/jtlscope/samples"
	"github.com/jtlscope/jtlscope/samples/redact"
)

// readResult is what reading the inputs produced besides the analyses.
type readResult struct {
	samples  int64
	problems *samples.Problems
	inputs   []inputInfo
	// warnings are the input problems as messages, ready for a result's
	// "warnings" and for stderr.
	warnings []string
	// filter says which sample filters were applied ("" for none).
	filter string
	// interrupted is set when the context was cancelled mid-read.
	interrupted bool
}

type inputInfo struct {
	Name   string       `json:"name"`
	Format string       `json:"format"`
	Meta   samples.Meta `json:"meta"`
}

// readInputs streams every named input once through the accumulators.
// Problems in the inputs become warnings, not errors; no samples at all is
// an error.
func readInputs(ctx context.Context, e *env, in *inputFlags, names []string, ordered bool, need samples.Fields, accs ...analyze.Accumulator) (*readResult, error) {
	opts, err := in.options(e, ordered)
	if err != nil {
		return nil, err
	}
	loc := opts.Location
	if loc == nil {
		loc = time.Local
	}
	filter, err := in.filter.options(loc)
	if err != nil {
		return nil, err
	}
	if filter.Active() {
		// Offsets count from the earliest sample, which only an ordered
		// stream reads first; the filter reads the start, label and kind.
		opts.Ordered = opts.Ordered || filter.NeedsOrigin()
		if need != 0 {
			need |= samples.FieldStart | samples.FieldLabel | samples.FieldMessage
		}
	}
	opts.Need = need
	opts.Context = ctx
	st, err := samples.OpenStream(names, opts)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	rr := &readResult{}
	count := analyze.Func(func(*samples.Sample) { rr.samples++ })
	accs = append([]analyze.Accumulator{count}, accs...)
	var prog *progress
	if e.isTerminal {
		prog = newProgress(e.stderr, st.BytesRead, names)
		accs = append(accs, prog)
	}
	var from analyze.Source = st
	var fl *analyze.Filter
	if filter.Active() {
		fl = analyze.NewFilter(st, filter)
		from = fl
	}
	src := analyze.LimitLabels(from, 0)
	var all analyze.Source = src
	if in.subresults {
		all = analyze.WithSubResults(src)
	}
	err = analyze.Run(ctx, all, accs...)
	if prog != nil {
		prog.done()
	}
	rr.problems = st.Problems()
	rr.warnings = append(rr.warnings, rr.problems.Messages()...)
	if fl != nil {
		rr.filter = filter.String()
		rr.warnings = append(rr.warnings, fl.Summary())
	}
	if w := src.Warning(); w != "" {
		rr.warnings = append(rr.warnings, w)
	}
	for _, i := range st.Inputs() {
		m := i.Meta()
		rr.inputs = append(rr.inputs, inputInfo{Name: i.Name, Format: i.Format, Meta: m})
		// A headerless CSV read with guessed columns: a wrong guess
		// misreads every row, so the user must hear which was assumed.
		if m.Assumed != "" {
			rr.warnings = append(rr.warnings, fmt.Sprintf("%s: no header line; read as %s (give --jmeter-properties if the test saved other columns)", i.Name, m.Assumed))
		}
		rr.warnings = append(rr.warnings, m.Warnings...)
	}
	if err == context.Canceled || err == context.DeadlineExceeded {
		rr.interrupted = true
		rr.warnings = append(rr.warnings, "interrupted: the result covers only the samples read before the interrupt")
		return rr, nil
	}
	if err != nil {
		return rr, err
	}
	if rr.samples == 0 {
		// What ended the inputs (not a JTL, cut off, unreadable) is the
		// error itself; everything else stays a warning.
		var why []string
		ended := map[string]bool{}
		for _, f := range rr.problems.Fatal {
			msg := f.Error()
			ended[msg] = true
			if ce := (*samples.ColumnsError)(nil); errors.As(f, &ce) {
				msg += " (--jmeter-properties FILE: a user.properties with the run's jmeter.save.saveservice.* lines)"
			}
			why = append(why, msg)
		}
		var rest []string
		for _, w := range rr.warnings {
			if !ended[w] {
				rest = append(rest, w)
			}
		}
		e.printWarnings(rest)
		for _, in := range rr.inputs {
			for _, n := range in.Meta.Notes {
				why = append(why, in.Name+": "+n)
			}
		}
		msg := fmt.Sprintf("no samples in %s", strings.Join(names, ", "))
		if fl != nil {
			msg = fmt.Sprintf("no samples in %s are left after the %s", strings.Join(names, ", "), fl.Summary())
		}
		if len(why) > 0 {
			msg += ": " + strings.Join(why, "; ")
		}
		return rr, errors.New(msg)
	}
	return rr, nil
}

// terminalText escapes what a terminal would act on in a message.
func terminalText(s string) string { return table.Printable(s) }

// printWarnings writes warnings to stderr, one per line, or wrapped to
// its width when it is a terminal; masked (they quote inputs) and escaped
// for the terminal.
func (e *env) printWarnings(ws []string) {
	for _, w := range ws {
		fmt.Fprintln(e.stderr, report.Hanging(terminalText(redact.Text(w)), e.errWidth, "jtlscope: warning: ", "  "))
	}
}

// writeOutput renders to path (see report.WriteFileContext: atomic for a
// regular file, written through for a device, a FIFO or a link's target),
// or to stdout when path is "" or "-". Every write error is returned,
// including those a renderer dropped (a full disk, /dev/full).
func writeOutput(ctx context.Context, e *env, path string, write func(io.Writer) error) error {
	// Text meant for people (tables, Markdown) cannot drive the terminal
	// it is shown on: control characters from labels are escaped. JSON
	// escapes them itself; CSV cells are made safe cell by cell.
	text := write
	write = func(w io.Writer) error { return table.WritePrintable(w, text) }
	var err error
	what := "standard output"
	if path == "" || path == "-" {
		err = report.WriteStream(ctx, e.stdout, write)
	} else {
		what = path
		err = report.WriteFileContext(ctx, path, write)
	}
	if errors.Is(err, context.Canceled) {
		return interrupted{"interrupted while writing " + what + "; a file is left as it was"}
	}
	if err != nil && what == "standard output" {
		return fmt.Errorf("writing to standard output: %w", err)
	}
	return err
}

// outputContext is the context outputs are written under: after an
// interrupted read the partial result is still written (a second
// interrupt kills at once), otherwise an interrupt stops the writing.
func outputContext(ctx context.Context, rr *readResult) context.Context {
	if rr != nil && rr.interrupted {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// finish turns an interrupted read into the exit code for a partial
// result, after the partial output has been written.
func finish(rr *readResult) error {
	if rr != nil && rr.interrupted {
		return interrupted{"interrupted: the output covers only the samples read before the interrupt, and says so (partial)"}
	}
	return nil
}

// interrupted is the error of a run stopped by Ctrl-C or SIGTERM; its
// message says what became of the output. It is context.Canceled for
// errors.Is, which maps it to exit code 130.
type interrupted struct{ msg string }

func (e interrupted) Error() string        { return e.msg }
func (e interrupted) Is(target error) bool { return target == context.Canceled }

// await runs f, a step that does not watch ctx (an analysis, the charts),
// and returns as soon as ctx is cancelled, whether or not f has finished:
// the process is about to exit, f's goroutine with it. Nothing is written
// by such steps, so nothing is left half done.
func await[T any](ctx context.Context, what string, f func() T) (T, error) {
	v, err := samples.Await(ctx, func() (T, error) { return f(), nil }, nil)
	if err != nil {
		return v, interrupted{"interrupted while " + what + "; nothing was written"}
	}
	return v, nil
}
