package emutest

import (
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
)

// New starts an emulator serving t (see ociemu.New), fails tb when it cannot, and closes the
// server on tb.Cleanup.
func New(tb testing.TB, t *ociemu.Tenancy, opts ociemu.Options) *ociemu.Server {
	tb.Helper()
	s, err := ociemu.New(t, opts)
	if err != nil {
		tb.Fatalf("ociemu.New: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}
