// Package report turns analysis results into what people read and what
// other tools parse: terminal and Markdown tables, JSON and CSV, charts,
// and the HTML/Markdown capacity report. It is the only package that
// imports tablewriter (through report/table) and gonum/plot (through
// report/chart).
//
// Every writer is a func(io.Writer) error in spirit (vegeta's reporters):
// it renders a result it is given and does no analysis of its own. Text
// from inputs (labels, messages, response bodies) is untrusted: the HTML
// writer escapes it through html/template, the Markdown writer escapes
// table syntax, and nothing that looks like a credential is printed.
// Files are written atomically (a temporary file renamed into place), so
// an interrupted run never leaves half a report behind.
package report
