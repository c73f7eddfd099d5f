// Package handler is the function's entry: it reads the configuration and the invocation
// body, runs the guard against OCI, and answers with the JSON report (and the same facts in
// the log). Every failure becomes a report with status "error"; fdk-go answers HTTP 200
// whatever happens, so the report's status is the signal.
package handler
