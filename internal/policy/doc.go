// Package policy parses OCI IAM policy statements and finds the subjects
// that a set of policies makes tenancy administrators.
//
// The grammar follows the OCI "Policy Syntax" documentation:
//
//	Allow <subject> to <verb> <resource-type> in <location> [where <conditions>]
//
// Keywords are case-insensitive and any run of whitespace (newlines included)
// separates tokens. Statements that are not Allow statements (Define, Endorse,
// Admit, Deny) parse without error into a Statement whose Allow is false, so
// callers can skip them without losing track of statements that failed to
// parse.
//
// ParseDeny reads a Deny statement with the same grammar, and ParseCondition a where clause
// (comparisons, any {…}, all {…}), which Condition.Eval decides, three-valued, for a request
// described by the variables it knows: the guard's escalation analysis asks whether a
// condition allows an escalating request.
//
// The parser is deliberately strict: a statement it cannot fully understand is
// an error, never a guess, because a misread subject would either leave an
// administrator's API keys in place or delete someone else's.
package policy
