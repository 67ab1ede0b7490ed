module github.com/jtlscope/jtlscope/ci/quantbench

go 1.26.8

require (
	github.com/DataDog/sketches-go v1.4.8
	github.com/HdrHistogram/hdrhistogram-go v1.4.0
	github.com/jtlscope/jtlscope v0.0.0
)

require (
	golang.org/x/text v0.28.0 // indirect
	gonum.org/v1/gonum v0.17.0 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
)

replace github.com/jtlscope/jtlscope => ../..
