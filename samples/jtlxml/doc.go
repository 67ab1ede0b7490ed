// Package jtlxml decodes JMeter's XML result files (JTL XML, written with
// jmeter.save.saveservice.output_format=xml) into samples.Sample values.
//
// It owns everything about that dialect: the <testResults> envelope; the
// sample elements (<httpSample>, <sample>, <statSample>, and the elements
// XStream names after a plugin's SampleResult class, whose fields are child
// elements); their attributes (t, lt, ts, lb, rc, ... and sample_variables,
// with XStream's name mangling undone); their child elements (headers, the
// request body JMeter keeps in <queryString>, <samplerData>,
// <responseData>, cookies, method, URL, assertion results); and sub-results
// nested to any depth, which become Sample.Children.
//
// The decoder is a purpose-built scanner, not encoding/xml: JTL files are
// large, mostly header and body text, and JMeter writes control characters
// as references (&#x1;) that XML 1.0 forbids and encoding/xml rejects. It
// reads one sample element at a time through one reusable buffer, so memory
// does not grow with the file, and it never expands entities declared in a
// DOCTYPE or fetches anything.
//
// Broken input is reported, not fatal: a malformed sample element is
// skipped with a *samples.ParseError and decoding resumes at the next
// top-level sample; a file cut off by a killed test yields every complete
// sample and one ParseError saying where it was cut.
//
// Importing the package registers the "xml" format with samples.Open.
package jtlxml
