// Package guard is the product's specification in code: who counts as a tenancy administrator,
// which credentials must go, and what is reported. It knows nothing about HTTP or the OCI SDK;
// it talks to the tenancy through the Directory interface (directory.go), so it is tested
// against a fake (fakedir) and the same contract (directorytest) holds for the OCI adapter.
//
// One run has these steps, each in its own file:
//
//   - discover (run.go, policyadmins.go) reads who the administrators are: the configured
//     groups, the groups policies make administrators, and their members. It is all-or-nothing.
//   - Run checks that every EXEMPT_USERS entry names an administrator (checkExemptions): one that
//     names nobody stops the run before any change. With user names among the entries, the
//     administrators are read first (readNames, execute.go); with OCIDs only, nobody is.
//   - enforce (execute.go) then goes administrator by administrator, a batch at a time, in the
//     order enforcementOrder gives (resuming where the previous run stopped): reads a user only
//     where needed (Directory.Detail), lists the batch's credentials, plans them (Plan, plan.go:
//     the Action for every credential and capability, without I/O), and starts the writes with
//     bounded concurrency while the next batch is listed. It records every answer and decides
//     nothing; a run cut short has done what it reached.
//   - Run (run.go) returns the Result (result.go): groups, administrators with every outcome
//     (and, for those not listed, why), policy findings, exemptions, counts, errors, warnings,
//     the status derived from them, and where the next run resumes.
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
