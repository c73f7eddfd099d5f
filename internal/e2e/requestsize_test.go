package e2e

import (
	"slices"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

// OCI front ends refuse request heads past about 8 KiB (431), and the resource-principal token
// in every Authorization header is 2–3 KB. With 80 administrators of one key each, the
// function's batched key listing must still fit: the filter goes in a POST body, not the URL.
func TestRequestsFitTheFrontEndWithARealisticToken(t *testing.T) {
	for _, fam := range families {
		t.Run(fam.String(), func(t *testing.T) {
			tn := ociemu.Generate(ociemu.GenSpec{Seed: 80, Users: 40, Admins: 80, KeysPerAdmin: 1, OtherKeyFraction: 0.5})
			emu := emutest.New(t, tn, ociemu.Options{RPSTSize: 3 << 10})
			before := emu.Snapshot()
			rep := invoke(t, start(t, emu, fam.cfg(nil)), "")
			if rep.Status != guard.StatusOK {
				t.Fatalf("status %s\n%s", rep.Status, problems(rep))
			}
			want := adminKeys(before, defaultAdmins(before))
			if got := minus(keys(before), keys(emu.Snapshot())); len(want) != 80 || !slices.Equal(got, want) {
				t.Fatalf("deleted %d keys, want the %d administrators' keys", len(got), len(want))
			}
			if n := emu.Counts()[ociemu.OpUnknown]; n != 0 {
				t.Errorf("%d requests to unknown routes", n)
			}
		})
	}
}
