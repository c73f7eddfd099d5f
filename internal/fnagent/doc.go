// Package fnagent plays the part of the Fn agent for a function binary built
// with fdk-go (built by internal/testing/gobuild): it starts it with the environment OCI
// Functions would give it (and nothing else from the parent process), waits
// for the fdk's unix socket, and sends invocations the way the agent does
// (POST /call with Fn-Call-Id, Fn-Deadline and Content-Type).
//
// It exists for end-to-end tests, the demo and benchmarks; it is not part of
// the deployed function.
package fnagent
