// Package gobuild is the one place that finds the module root and builds a binary of this
// module with the go command: the function for end-to-end tests (with -race), the demo, and
// the benchmarks (stripped, as it ships), and test binaries such as fnagent's echofn.
package gobuild
