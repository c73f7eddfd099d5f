package e2e

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

// scaledFree is the Free domain type's limits (OCI docs, "API Rate Limits") played `scale`
// times faster, with the function paced at the same scaled sustained rate (150/min).
func scaledFree(t *testing.T, scale float64) (ociemu.Throttle, map[string]string) {
	t.Helper()
	th, err := ociemu.ThrottlePreset(ociemu.PresetFree)
	if err != nil {
		t.Fatal(err)
	}
	th.Scale = scale
	rate := th.Domain[ociemu.ClassOthers].Sustained() * scale
	return th, map[string]string{"IDENTITY_RATE_LIMIT": strconv.FormatFloat(rate, 'f', -1, 64)}
}

// An administrator group larger than one page (SCIM count and IAM limit at most 1000) is listed
// completely, in both families.
func TestAdminGroupOfFifteenHundredIsListedCompletely(t *testing.T) {
	for _, fam := range families {
		t.Run(fam.String(), func(t *testing.T) { fifteenHundred(t, fam) })
	}
}

func fifteenHundred(t *testing.T, fam family) {
	tn := ociemu.Generate(ociemu.GenSpec{Seed: 31, Users: 300, Admins: 1500, KeysPerAdmin: 1, OtherKeyFraction: 0.2, Decoys: true})
	emu := emutest.New(t, tn, ociemu.Options{})
	before := emu.Snapshot()
	f := start(t, emu, fam.cfg(map[string]string{"DRY_RUN": "true"}))
	rep := invoke(t, f, "")
	if rep.Status != guard.StatusOK {
		t.Fatalf("status %s\n%s", rep.Status, problems(rep))
	}
	if len(rep.Groups) != 1 || rep.Groups[0].Members != 1500 {
		t.Fatalf("admin groups %+v, want one with 1500 members", rep.Groups)
	}
	want := adminKeys(before, defaultAdmins(before))
	if got := reported(&rep.Result, guard.OutcomeWouldDelete); len(want) < 1500 || !slices.Equal(got, want) {
		t.Fatalf("would delete %d keys, the 1500 admins hold %d", len(got), len(want))
	}
	if !slices.Equal(keys(emu.Snapshot()), keys(before)) {
		t.Fatal("a dry run changed the tenancy")
	}
	if n := emu.Counts()[fam.listMembers]; n < 2 {
		t.Fatalf("%d member listings (%s) for 1500 members: the listing cannot have been paged", n, fam.listMembers)
	}
	t.Logf("%d administrators, %d keys, %d API calls %v", rep.Counts.Administrators, rep.Counts.WouldDelete, rep.APICalls.Total, rep.APICalls.ByOperation)
}

// A throttling storm: another client keeps spending the domain's budget (and the IAM API's)
// during the run. The run may be slower; it must not fail, must delete only administrators'
// keys, and the next run ends with exactly the right keys gone.
func TestThrottlingStormEndsOkOrPartial(t *testing.T) {
	for _, fam := range families {
		t.Run(fam.String(), func(t *testing.T) { throttlingStorm(t, fam) })
	}
}

func throttlingStorm(t *testing.T, fam family) {
	tn := ociemu.Generate(ociemu.GenSpec{Seed: 32, Users: 100, Admins: 60, KeysPerAdmin: 2, OtherKeyFraction: 0.3, Decoys: true})
	th, cfg := scaledFree(t, 20)
	emu := emutest.New(t, tn, ociemu.Options{Throttle: th})
	def := tn.DefaultDomain().ID
	before := emu.Snapshot()
	f := start(t, emu, fam.cfg(cfg))
	drain := func() { emu.DrainDomain(def, ociemu.ClassOthers) }
	if fam.api != "scim" {
		drain = emu.DrainIAM // the Default domain's groups go through the IAM API
	}

	emu.DrainIAM() // discovery starts into a spent IAM budget
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		// Once deletes are under way, empty the domain's bucket over and over until the run
		// has met a good number of 429s (or is over).
		for emu.Counts()[fam.deleteKey] < 20 {
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
		for emu.Throttled() < 12 {
			drain()
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	})
	rep := invoke(t, f, "")
	close(done)
	wg.Wait()
	after := emu.Snapshot()
	if rep.Status == guard.StatusError {
		t.Fatalf("a throttling storm made the run fail:\n%s", problems(rep))
	}
	assertHonest(t, rep, before, after)
	if emu.Throttled() == 0 {
		t.Fatal("the storm throttled nothing: the test did not test anything")
	}
	t.Logf("storm: status %s, %+v, %d requests answered 429, %d calls", rep.Status, rep.Counts, emu.Throttled(), rep.APICalls.Total)
	assertConverges(t, f, emu, before)
}

// Where the domain's limit leaves too little time for every key, the run stops sending before
// the deadline, reports the rest not-attempted, and later runs finish the job. Free limits at
// 20x speed with a 3 s deadline stand for a 60 s invocation. The IAM family reads every
// administrator and their keys before it deletes (2 calls each), so its tenancy has fewer
// administrators with more keys: discovery must fit one invocation for any run to converge.
func TestRateLimitedRunsEndPartialAndConverge(t *testing.T) {
	for _, tc := range []struct {
		fam  family
		spec ociemu.GenSpec
	}{
		{iamFamily, ociemu.GenSpec{Seed: 33, Users: 50, Admins: 40, KeysPerAdmin: 3}},
		{scimFamily, ociemu.GenSpec{Seed: 33, Users: 50, Admins: 100, KeysPerAdmin: 2}},
	} {
		t.Run(tc.fam.String(), func(t *testing.T) { rateLimitedRuns(t, tc.fam, tc.spec) })
	}
}

func rateLimitedRuns(t *testing.T, fam family, spec ociemu.GenSpec) {
	tn := ociemu.Generate(spec)
	th, cfg := scaledFree(t, 20)
	emu := emutest.New(t, tn, ociemu.Options{Throttle: th})
	before := emu.Snapshot()
	want := adminKeys(before, defaultAdmins(before))
	f := start(t, emu, fam.cfg(cfg))
	gone := 0
	for run := 1; ; run++ {
		if run > 6 {
			t.Fatalf("%d of %d administrator keys still there after 6 runs", len(want)-gone, len(want))
		}
		snap := emu.Snapshot()
		rep := invokeBy(t, f, "", 3*time.Second)
		after := emu.Snapshot()
		if rep.Status == guard.StatusError {
			t.Fatalf("run %d: status error\n%s", run, problems(rep))
		}
		if wrong := minus(minus(keys(snap), keys(after)), want); len(wrong) > 0 {
			t.Fatalf("run %d deleted keys of non-administrators: %v", run, wrong)
		}
		gone = len(minus(want, keys(after)))
		t.Logf("run %d: %s %+v, %d 429s so far", run, rep.Status, rep.Counts, emu.Throttled())
		if run == 1 {
			if rep.Status != guard.StatusPartial || rep.Counts.NotAttempted == 0 || rep.Counts.Deleted == 0 {
				t.Fatalf("run 1: %s %+v, want partial with some deleted and the rest not attempted", rep.Status, rep.Counts)
			}
			for _, a := range rep.Admins {
				for _, k := range a.Keys {
					if k.Outcome == guard.OutcomeNotAttempted && !strings.Contains(k.Reason, "deadline") {
						t.Errorf("not attempted for an unclear reason: %q", k.Reason)
					}
				}
			}
		}
		if rep.Status == guard.StatusOK {
			if gone != len(want) {
				t.Fatalf("run %d says ok but %d administrator keys are left", run, len(want)-gone)
			}
			if run < 2 {
				t.Fatal("one run was enough: the rate limit did not bind, the test tested nothing")
			}
			return
		}
	}
}
