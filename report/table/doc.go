// Package table renders rows of text as a terminal table or a Markdown
// table. It is the only place that knows tablewriter, so that swapping the
// library or its version (v1's API differs from v0's) touches one file.
package table
