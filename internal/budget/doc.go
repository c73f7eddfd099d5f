// Package budget is where the invocation's time is divided, in one place. Read this first to
// know when the function stops calling OCI and why.
//
// OCI Functions gives each invocation a deadline (the fdk context's Deadline, from the
// Fn-Deadline header; at most 300 s after the start) and kills the container when it passes.
// When the header is absent or malformed fdk-go sets no deadline at all; the handler then gives
// the invocation NoDeadlineTimeout (300 s) of its own, divided the same way.
// The function must have answered by then, with a report that says what it did and did not do.
// The time before that deadline is cut three ways:
//
//		start ──────────── work ───────────────┬── Reserve ──┬──── Margin ────┐ Fn deadline
//		                                       │             │                │
//		                         LastWrite ────┘     Run ────┘    report out ─┘
//
//	  - Margin (Margin(left) = a fifth of the time left, at most 1 s): the handler runs the guard
//	    under a context that ends Margin before Fn's deadline (Budget.Run). What is left is for
//	    encoding and writing the report and the log summary, on a CPU that may be starved. Every
//	    OCI call is bound to that context (internal/oci, deadline.go): a request in flight at Run
//	    is cut off, and the adapter's retry policy never schedules a backoff that would end after
//	    Run (the SDK's jitter included).
//	  - Reserve (250 ms): no new write (delete, capability update) starts after LastWrite = Run −
//	    Reserve (guard, execute.go), and the adapter's pacer sends no request that could only
//	    leave after it (internal/oci, pace.go): a write started earlier has Reserve to get its
//	    answer, so "cut off in flight, may or may not have been applied" stays rare. Writes not
//	    started are reported not-attempted; the next run does them.
//
// Budget computes both instants from Fn's deadline; the handler, the guard and the adapter
// take them from here, so the three layers cannot drift apart.
package budget
