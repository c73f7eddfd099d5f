// Package ociemu is a local emulator of the parts of Oracle Cloud Infrastructure that
// admin-apikey-guard talks to: IAM (/20160918), Identity Domains SCIM (/admin/v1, one
// listener per domain) and the Notifications data plane (/20181201).
//
// It is a real HTTP server that verifies request signatures the way OCI does — the
// function's resource principal, and a user's uploaded API key (userprincipal.go) —,
// authorizes IAM and Notifications requests by the tenancy's policies for the function's
// dynamic groups (or the user's groups) and SCIM requests by the domain roles of those
// dynamic groups (authz.go, authz_scim.go), can refuse request heads over 8 KiB with 431 (headsize.go), speaks the JSON of the oci-go-sdk models, pages like OCI, keeps one shared
// state for both API families, and can inject latency and faults. End-to-end tests, the
// demo and the benchmarks run against it, so fidelity matters more than breadth: only the
// operations the product uses are implemented, plus the three a named test needs (IAM ListUsers,
// SCIM GetUser and GET ApiKeys); Server.Routes lists them and internal/e2e/routes_test.go keeps the list so.
//
// The emulator does not import package testing: internal/testing/emutest starts one per test.
package ociemu
