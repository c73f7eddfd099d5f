// Package guard is the product's specification in code: who counts as a tenancy administrator,
// which credentials must go, and what is reported. It knows nothing about HTTP or the OCI SDK;
// it talks to the tenancy through the Directory interface (directory.go), so it is tested
// against a fake (fakedir) and the same contract (directorytest) holds for the OCI adapter.
//
// One run has these steps, each in its own file:
//
//   - discover (run.go, policyadmins.go) reads: the configured groups, the groups policies make
//     administrators, their members, and the members' credentials. It is all-or-nothing.
//   - Run checks that every EXEMPT_USERS entry names an administrator (checkExemptions): one that
//     names nobody stops the run before any change.
//   - Plan (plan.go) decides, without I/O, the Action for every credential and capability.
//   - execute (execute.go) carries the actions out with bounded concurrency and records each
//     answer; it decides nothing.
//   - Run (run.go) returns the Result (result.go): groups, administrators with every outcome,
//     policy findings, counts, errors, warnings, and the status derived from them.
//
// Every decision is a pure function in decide.go (what a credential's, a capability's, a
// policy grant's, a missing group's, a write's answer and the run's status mean), and
// decide_test.go is their table: one row per rule, named as in docs/architecture.md's "Safety
// rules". Whether a run's report is published is decided in notify.go (NotifyDecision). Who can
// make themselves an administrator (escalation paths: which statements, conditions and deny
// statements make one, and which are enforced; who holds a domain role) is decided in
// escalation.go and roles.go, tabled in escalation_test.go.
//
// The Result is the core's answer only. The handler puts it into the response envelope
// (package report: mode, call id, trigger, API calls, notification, timings); the deadline
// the guard honours (Options.Reserve) comes from package budget.
package guard
