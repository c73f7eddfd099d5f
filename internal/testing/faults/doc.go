// Package faults is the one fault-injection mechanism of the tests: a Func decides, call by
// call, which operation fails and how. The in-memory fake (fakedir.Dir.Fail) and the emulator
// (ociemu.Options.Faults, a Plan) both consult one, by operation name (the emulator's Op
// constants, the names internal/permissions gives the function's calls, for the emulator;
// fakedir's Op constants for the fake) and argument. A Plan describes the
// faults of a busy OCI region (rates of 429, 500, 503 and resets drawn from a seed, errors
// forced per operation); a property test can write its own Func, e.g. one drawing each call's
// fate from the seed and the call itself.
package faults
