// Package directorytest is the behavioural contract of guard.Directory, run against every
// implementation (the pattern of testing/fstest and gocloud.dev's drivertest): the in-memory
// fake, and internal/oci on the emulator through the IAM API family and through the Identity
// Domains (SCIM) family. An implementation that passes behaves the same to the guard.
//
// The contract, one test each:
//   - a group is resolved by exact identity among decoys (similar names, the same name in
//     another domain, by OCID), and a missing one is guard.ErrNotFound;
//   - members and keys are listed to the last item, past one page;
//   - a key deleted twice is guard.ErrNotFound the second time, and nothing else changes;
//   - a disabled capability shows in the next listing;
//   - a listing that ignores its filter is refused, never returned (where the harness can
//     make its backend lie);
//   - a call after the deadline fails and changes nothing.
package directorytest
