// Package oracle is the tests' and commands' one answer to "who are the administrators, and
// which of their keys and credentials must go", computed from an emulated tenancy
// (ociemu.Tenancy) alone, straight from the rules in docs/architecture.md's "Safety rules": members of the
// configured groups are administrators; their API keys and other credentials go unless
// EXEMPT_USERS names them by OCID or by user name (any case). It never uses the guard's code,
// so the end-to-end tests, the property test, the demo and the benchmarks check the guard
// against an independent statement of the rules.
package oracle
