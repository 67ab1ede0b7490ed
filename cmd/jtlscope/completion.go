package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/jtlscope/jtlscope/report"
)

// Shell completion (cobra's `jtlscope completion bash|zsh|fish|powershell`)
// completes commands, flags and file names by itself; these are the flag
// values it cannot know. Each is "value\tdescription": zsh and fish show
// the description, bash only the value.

// formatValues are the --format values of each command that has one.
var formatValues = map[string][]string{
	"summary":  {report.FormatTable + "\tboxed text for a terminal (default)", report.FormatJSON + "\tthe contract other tools read", report.FormatCSV + "\tone row per label, for spreadsheets", report.FormatMarkdown + "\ta table to paste"},
	"diagnose": {report.FormatTable + "\tverdict, causes and evidence as text (default)", report.FormatJSON + "\tthe contract other tools read", report.FormatMarkdown + "\tthe text layout in Markdown"},
	"compare":  {report.FormatTable + "\tper-metric tables as text (default)", report.FormatJSON + "\tevery metric with its interval", report.FormatMarkdown + "\tthe text layout in Markdown"},
}

var (
	inputFormatValues = []string{"csv\tJTL CSV", "xml\tJTL XML", "har\tHAR capture"}
	delimiterValues   = []string{",", ";", "|", "tab"}
	// statusValues are the classes and the codes load tests most often
	// fail with; any other code is accepted too.
	statusValues = []string{"4xx\tevery client error (default)", "5xx\tevery server error", "failed\tevery unsuccessful sample",
		"400\tBad Request", "401\tUnauthorized", "403\tForbidden", "404\tNot Found", "408\tRequest Timeout", "409\tConflict",
		"413\tContent Too Large", "429\tToo Many Requests", "500\tInternal Server Error", "502\tBad Gateway",
		"503\tService Unavailable", "504\tGateway Timeout"}
	// idValues are the kinds of --id; the user types the name after the
	// colon, so no space is added.
	idValues = []string{"header:\ta request header", "form:\ta multipart or urlencoded form field", "json:\ta JSON path in the request body",
		"var:\ta sample variable (sample_variables)", "query:\ta query-string parameter", "path:\tthe N-th URL path segment",
		"regex:\tthe first group of a pattern on the URL, headers or body"}
)

// registerCompletions offers values for the flags that take one of a few.
func registerCompletions(root *cobra.Command) {
	root.RegisterFlagCompletionFunc("input-format", fixed(inputFormatValues, cobra.ShellCompDirectiveNoFileComp))
	root.RegisterFlagCompletionFunc("delimiter", fixed(delimiterValues, cobra.ShellCompDirectiveNoFileComp))
	for _, c := range root.Commands() {
		if v, ok := formatValues[c.Name()]; ok && c.Flags().Lookup("format") != nil {
			c.RegisterFlagCompletionFunc("format", fixed(v, cobra.ShellCompDirectiveNoFileComp))
		}
		if c.Flags().Lookup("status") != nil {
			c.RegisterFlagCompletionFunc("status", listed(statusValues))
		}
		if c.Flags().Lookup("id") != nil {
			c.RegisterFlagCompletionFunc("id", fixed(idValues, cobra.ShellCompDirectiveNoFileComp|cobra.ShellCompDirectiveNoSpace))
		}
	}
}

// fixed completes from a list of values.
func fixed(values []string, d cobra.ShellCompDirective) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) { return values, d }
}

// listed completes the last item of a comma-separated list ("4xx,5" to
// "4xx,5xx"), keeping what is before it.
func listed(values []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		i := strings.LastIndexByte(toComplete, ',')
		if i < 0 {
			return values, cobra.ShellCompDirectiveNoFileComp
		}
		out := make([]string, len(values))
		for j, v := range values {
			out[j] = toComplete[:i+1] + v
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}
