// Command jtlscope reads JMeter results (JTL CSV or XML) and HAR captures,
// says which cause explains the failures, with numbers, and draws the
// tables and charts of a capacity report.
//
// This package only wires samples, analyze and report together: flags in,
// exit code out.
package main
