// Package emutest holds the helpers that tie the OCI emulator (internal/ociemu) to package
// testing, so that the emulator itself, which cmd/ociemu ships, never imports testing.
package emutest
