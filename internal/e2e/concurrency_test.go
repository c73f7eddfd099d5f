package e2e

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/harness"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/report"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

// Overlapping runs happen: both the .begin and .end events of an instance start match, or a
// person invokes during the schedule. Every administrator key must be deleted exactly once
// across them, and a run that finds a key already gone must say so, not fail.
func TestConcurrentInvocations(t *testing.T) {
	for _, tc := range []struct {
		runs        int
		oneProcess  bool
		concurrency string
	}{
		{runs: 2}, {runs: 5}, {runs: 2, oneProcess: true}, {runs: 5, oneProcess: true, concurrency: "32"},
	} {
		name := fmt.Sprintf("%d processes", tc.runs)
		if tc.oneProcess {
			name = fmt.Sprintf("%d calls to one process", tc.runs)
		}
		t.Run(name, func(t *testing.T) {
			emu := emutest.New(t, decoyTenancy(150), ociemu.Options{})
			before := emu.Snapshot()
			want := adminKeys(before, defaultAdmins(before))
			cfg := map[string]string{}
			if tc.concurrency != "" {
				cfg["DELETE_CONCURRENCY"] = tc.concurrency
			}
			fns := make([]*harness.Function, tc.runs)
			for i := range fns {
				if i == 0 || !tc.oneProcess {
					fns[i] = start(t, emu, cfg)
				} else {
					fns[i] = fns[0]
				}
			}
			reps := make([]*report.Report, tc.runs)
			var wg sync.WaitGroup
			for i, f := range fns {
				wg.Go(func() { reps[i] = invoke(t, f, "") })
			}
			wg.Wait()

			if got := keys(emu.Snapshot()); !slices.Equal(got, minus(keys(before), want)) {
				t.Fatalf("end state: %d keys left, want %d", len(got), len(keys(before))-len(want))
			}
			deletedBy := map[string]int{} // key -> runs that deleted it themselves
			alreadyGone := 0
			for i, rep := range reps {
				if rep.Status != guard.StatusOK {
					t.Errorf("run %d: status %s\n%s", i, rep.Status, problems(rep))
				}
				for _, a := range rep.Admins {
					for _, k := range a.Keys {
						switch {
						case k.Outcome != guard.OutcomeDeleted:
							t.Errorf("run %d: key %s %s: %s", i, k.Fingerprint, k.Outcome, k.Reason)
						case strings.Contains(k.Reason, "already gone"):
							alreadyGone++
						default:
							deletedBy[a.Domain+"/"+a.OCID+"/"+k.Fingerprint]++
						}
					}
				}
			}
			for _, k := range want {
				if deletedBy[k] != 1 {
					t.Errorf("key %s deleted by %d runs, want exactly 1", k, deletedBy[k])
				}
			}
			if len(deletedBy) != len(want) {
				t.Errorf("%d distinct keys deleted, want %d", len(deletedBy), len(want))
			}
			t.Logf("%d keys, %d found already gone by another run, %d delete requests", len(want), alreadyGone, emu.Counts()[ociemu.OpDeleteApiKey])
			// every delete request beyond the first per key must have been answered "gone"
			if n := emu.Counts()[ociemu.OpDeleteApiKey]; n < len(want) || n > tc.runs*len(want) {
				t.Errorf("%d delete requests for %d keys in %d runs", n, len(want), tc.runs)
			}
		})
	}
}
