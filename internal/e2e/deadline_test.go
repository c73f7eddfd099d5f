package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

// With a few seconds left, 20 ms per call and one delete at a time, 300 deletes (6 s of work)
// cannot all be done: the function must answer in time, say partial, and list what it did
// not do: keys not attempted, administrators not reached. The IAM family lists each
// administrator's keys (and reads each holder) one call each, so it gets more time.
func TestDeadlineGivesAnHonestPartialReport(t *testing.T) {
	for _, tc := range []struct {
		fam      family
		deadline time.Duration
	}{{iamFamily, 4 * time.Second}, {scimFamily, 3 * time.Second}} {
		t.Run(tc.fam.String(), func(t *testing.T) { deadlinePartial(t, tc.fam, tc.deadline) })
	}
}

func deadlinePartial(t *testing.T, fam family, deadline time.Duration) {
	tn := ociemu.Generate(ociemu.GenSpec{Seed: 21, Users: 200, Admins: 100, KeysPerAdmin: 3, OtherKeyFraction: 0.3})
	emu := emutest.New(t, tn, ociemu.Options{Latency: 20 * time.Millisecond})
	before := emu.Snapshot()
	f := start(t, emu, fam.cfg(map[string]string{"DELETE_CONCURRENCY": "1"}))
	rep := invokeBy(t, f, "", deadline)
	after := emu.Snapshot()
	assertHonest(t, rep, before, after)
	if rep.Status != guard.StatusPartial || rep.Counts.Deleted == 0 || rep.Counts.NotAttempted+rep.Counts.NotReached == 0 {
		t.Fatalf("status %s counts %+v, want partial with some deleted and some not attempted or not reached\n%.600s", rep.Status, rep.Counts, problems(rep))
	}
	left := keys(after)
	for _, a := range rep.Admins {
		for _, k := range a.Keys {
			id := a.Domain + "/" + a.OCID + "/" + k.Fingerprint
			switch k.Outcome {
			case guard.OutcomeNotAttempted:
				if !strings.Contains(k.Reason, "deadline") && !strings.Contains(k.Reason, "out of time") {
					t.Errorf("key %s not attempted for an unclear reason: %q", k.Fingerprint, k.Reason)
				}
				if !slices.Contains(left, id) {
					t.Errorf("key %s is reported not attempted but is gone", id)
				}
			case guard.OutcomeFailed:
				if !slices.Contains(left, id) && !strings.HasPrefix(k.Reason, guard.ReasonInterrupted) {
					t.Errorf("key %s is reported failed but is gone", id)
				}
			}
		}
	}
	t.Logf("by the deadline: %+v in %d ms", rep.Counts, rep.DurationMS)
	assertConverges(t, f, emu, before)
}
