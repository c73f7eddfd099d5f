package ociemu

import "github.com/apikeyguard/admin-apikey-guard/internal/testing/faults"

// Faults makes the emulator misbehave the way a busy OCI region does: the one fault plan of
// the tests (internal/testing/faults), keyed by the operation names in server.go. Random
// faults hit requests after authentication; a 429 carries Retry-After: 1.
type Faults = faults.Plan

// ForcedError answers calls of one operation with a fixed error (see faults.Forced).
type ForcedError = faults.Forced
