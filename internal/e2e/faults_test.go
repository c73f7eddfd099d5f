package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/fnagent"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/harness"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/report"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

// smallTenancy keeps the slow fault cases (every SDK retry sleeps at least a second) to one
// wave of parallel deletes.
func smallTenancy() *ociemu.Tenancy {
	return ociemu.Generate(ociemu.GenSpec{Seed: 5, Users: 40, Admins: 3, KeysPerAdmin: 2, OtherKeyFraction: 0.5})
}

// twoPageTenancy has more administrators than one SCIM page (1000) and than one key-listing
// batch, so a listing can fail after some of it was already read.
func twoPageTenancy() *ociemu.Tenancy {
	return ociemu.Generate(ociemu.GenSpec{Seed: 9, Users: 30, Admins: 1001, KeysPerAdmin: 1, OtherKeyFraction: 0.5})
}

// batchTenancy has more administrators than one key-listing batch (50 users per filter).
func batchTenancy() *ociemu.Tenancy {
	return ociemu.Generate(ociemu.GenSpec{Seed: 10, Users: 30, Admins: 160, KeysPerAdmin: 1, OtherKeyFraction: 0.5})
}

// invokeBy sends one call with an Fn-Deadline d from now (the default when d is 0) and checks
// that the answer came back before that deadline.
func invokeBy(t *testing.T, f *harness.Function, body string, d time.Duration) *report.Report {
	t.Helper()
	opts := fnagent.InvokeOptions{}
	if d > 0 {
		opts.Deadline = time.Now().Add(d)
	}
	rep, res, err := f.Invoke(t.Context(), body, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 200 {
		t.Fatalf("HTTP %d: %s", res.Status, res.Body)
	}
	if d > 0 && res.Elapsed >= d {
		t.Errorf("the answer took %v, past the %v deadline", res.Elapsed, d)
	}
	assertNoSecrets(t, f, string(res.Body))
	return rep
}

// problems lists every error and failed entry of a report as "code|message|hint" lines.
func problems(rep *report.Report) string {
	var b strings.Builder
	for _, p := range rep.Errors {
		b.WriteString(p.Code + "|" + p.Message + "|" + p.Hint + "\n")
	}
	for _, p := range rep.Warnings {
		b.WriteString("warning: " + p.Code + "|" + p.Message + "|" + p.Hint + "\n")
	}
	for _, a := range rep.Admins {
		for _, k := range a.Keys {
			if k.Outcome == guard.OutcomeFailed || k.Outcome == guard.OutcomeNotAttempted {
				b.WriteString(k.Code + "|" + k.Reason + "\n")
			}
		}
		if c := a.Capability; c != nil && (c.Outcome == guard.OutcomeFailed || c.Outcome == guard.OutcomeNotAttempted) {
			b.WriteString("capability: " + c.Code + "|" + c.Reason + "\n")
		}
	}
	return b.String()
}

// assertHonest checks what must hold after any run, faulted or not: only administrators' keys
// are gone, the report's "deleted" are exactly the keys that are gone, every administrator key
// has an outcome, and an error run changed nothing.
func assertHonest(t *testing.T, rep *report.Report, before, after ociemu.Tenancy) {
	t.Helper()
	want := adminKeys(before, defaultAdmins(before))
	gone := minus(keys(before), keys(after))
	if wrong := minus(gone, want); len(wrong) > 0 {
		t.Fatalf("keys of non-administrators were deleted: %v", wrong)
	}
	// A delete cut off in flight by the deadline may have been applied: such keys are reported
	// failed with guard.ReasonInterrupted and may be gone or not. Every other key is exact.
	interrupted := map[string]bool{}
	for _, a := range rep.Admins {
		for _, k := range a.Keys {
			if k.Outcome == guard.OutcomeFailed && strings.HasPrefix(k.Reason, guard.ReasonInterrupted) {
				interrupted[a.Domain+"/"+a.OCID+"/"+k.Fingerprint] = true
			}
		}
	}
	goneNotInterrupted := slices.DeleteFunc(slices.Clone(gone), func(k string) bool { return interrupted[k] })
	if got := reported(&rep.Result, guard.OutcomeDeleted); !slices.Equal(got, goneNotInterrupted) {
		t.Errorf("the report says deleted %v, but gone are %v", got, goneNotInterrupted)
	}
	switch rep.Status {
	case guard.StatusError:
		if len(gone) > 0 || rep.Counts.Deleted > 0 {
			t.Errorf("status error but %d keys are gone", len(gone))
		}
		if len(rep.Errors) == 0 || rep.Errors[0].Message == "" {
			t.Errorf("status error without a reason: %+v", rep.Errors)
		}
	case guard.StatusOK, guard.StatusPartial:
		c := rep.Counts
		if n := c.Deleted + c.Failed + c.NotAttempted; n != len(want) {
			t.Errorf("the report accounts for %d administrator keys, the tenancy has %d: %+v", n, len(want), c)
		}
		if (rep.Status == guard.StatusOK) != (c.Failed+c.NotAttempted == 0) {
			t.Errorf("status %s with counts %+v", rep.Status, c)
		}
		for _, a := range rep.Admins {
			for _, k := range a.Keys {
				if (k.Outcome == guard.OutcomeFailed || k.Outcome == guard.OutcomeNotAttempted) && k.Reason == "" {
					t.Errorf("key %s %s without a reason", k.Fingerprint, k.Outcome)
				}
			}
		}
	default:
		t.Errorf("unknown status %q", rep.Status)
	}
}

// assertConverges runs f again without faults and checks the exact end state.
func assertConverges(t *testing.T, f *harness.Function, emu *ociemu.Server, before ociemu.Tenancy) {
	t.Helper()
	emu.SetFaults(ociemu.Faults{})
	emu.SetLatency(0)
	rep := invoke(t, f, "")
	after := emu.Snapshot()
	if rep.Status != guard.StatusOK {
		t.Fatalf("clean run: status %s\n%s", rep.Status, problems(rep))
	}
	if got, want := keys(after), minus(keys(before), adminKeys(before, defaultAdmins(before))); !slices.Equal(got, want) {
		t.Fatalf("clean run: %d keys left, want %d\n extra: %v", len(got), len(want), minus(got, want))
	}
}

func forced(op string, fe ociemu.ForcedError) ociemu.Faults {
	return ociemu.Faults{Forced: map[string]ociemu.ForcedError{op: fe}}
}

func TestFaultStorms(t *testing.T) {
	for _, fam := range families {
		t.Run(fam.String(), func(t *testing.T) { faultStorms(t, fam) })
	}
}

func faultStorms(t *testing.T, fam family) {
	for _, tc := range []struct {
		name     string
		tenancy  func() *ociemu.Tenancy
		cfg      map[string]string
		faults   ociemu.Faults
		latency  time.Duration
		deadline time.Duration // Fn-Deadline from now; 0 is the 5-minute default
		status   guard.Status
		code     string // OCI error code the report must carry
		hint     string // text the report must carry (a missing grant)
	}{
		{name: "429 bursts on listing and deletes", tenancy: smallTenancy, status: guard.StatusOK,
			faults: ociemu.Faults{Forced: map[string]ociemu.ForcedError{
				fam.listMembers: {Status: 429, Times: 1},
				fam.deleteKey:   {Status: 429, Skip: 1, Times: 4},
			}}},
		{name: "500 and 503", tenancy: smallTenancy, status: guard.StatusOK,
			faults: ociemu.Faults{Forced: map[string]ociemu.ForcedError{
				fam.listKeys:  {Status: 500, Times: 1},
				fam.deleteKey: {Status: 503, Times: 3},
			}}},
		{name: "connection resets", tenancy: smallTenancy, status: guard.StatusOK,
			faults: ociemu.Faults{Forced: map[string]ociemu.ForcedError{
				fam.listGroups: {Status: 0, Times: 1},
				fam.deleteKey:  {Status: 0, Skip: 2, Times: 2},
			}}},
		{name: "random storm", tenancy: func() *ociemu.Tenancy { return decoyTenancy(100) }, status: guard.StatusOK,
			faults: ociemu.Faults{Seed: 11, Rate429: 0.1, Rate500: 0.05, Rate503: 0.05, RateReset: 0.05}},
		{name: "member listing fails on page 2", tenancy: twoPageTenancy, status: guard.StatusError, code: "NotAuthorizedOrNotFound",
			faults: forced(fam.listMembers, ociemu.ForcedError{Status: 404, Skip: 1})},
		{name: "key listing fails after some batches", tenancy: batchTenancy, status: guard.StatusError, code: "InvalidParameter",
			faults: forced(fam.listKeys, ociemu.ForcedError{Status: 400, Skip: 2})},
		{name: "key listing keeps failing with 500 until the deadline", tenancy: batchTenancy, status: guard.StatusError, deadline: 4 * time.Second,
			faults: forced(fam.listKeys, ociemu.ForcedError{Status: 500, Skip: 1})},
		{name: "group lookup not authorized", tenancy: smallTenancy, status: guard.StatusError, code: "NotAuthorizedOrNotFound",
			faults: forced(fam.listGroups, ociemu.ForcedError{Status: 404})},
		{name: "delete 404 while the key remains: missing grant", tenancy: smallTenancy, status: guard.StatusPartial,
			code: "NotAuthorizedOrNotFound", hint: fam.missingGrant,
			faults: forced(fam.deleteKey, ociemu.ForcedError{Status: 404, Skip: 2})},
		{name: "delete 409", tenancy: smallTenancy, status: guard.StatusPartial, code: "Conflict",
			faults: forced(fam.deleteKey, ociemu.ForcedError{Status: 409, Times: 2})},
		// Every delete refused (401): nothing changed, so the run is an error, the cause once at the top.
		{name: "delete 401", tenancy: smallTenancy, status: guard.StatusError, code: "NotAuthenticated", hint: "resource principal",
			cfg:    map[string]string{"DELETE_CONCURRENCY": "32"},
			faults: forced(fam.deleteKey, ociemu.ForcedError{Status: 401})},
		{name: "calls slower than the remaining deadline", tenancy: smallTenancy, status: guard.StatusError,
			latency: 1200 * time.Millisecond, deadline: 2500 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // most of a case is the SDK sleeping between retries
			emu := emutest.New(t, tc.tenancy(), ociemu.Options{Faults: tc.faults, Latency: tc.latency})
			before := emu.Snapshot()
			f := start(t, emu, fam.cfg(tc.cfg))
			rep := invokeBy(t, f, "", tc.deadline)
			assertHonest(t, rep, before, emu.Snapshot())
			text := problems(rep)
			if rep.Status != tc.status {
				t.Fatalf("status %s, want %s; counts %+v\n%s", rep.Status, tc.status, rep.Counts, text)
			}
			if rep.Status == guard.StatusError && emu.Counts()[fam.deleteKey] > 0 &&
				(rep.Counts.Deleted > 0 || rep.Counts.Failed == 0 || len(rep.Errors) != 1 || rep.Errors[0].Stage != "delete") {
				// An error run sends deletes only when OCI refuses every one: then the one
				// problem at the top is the deletes'.
				t.Errorf("a run that ended in error sent %d deletes; counts %+v errors %+v", emu.Counts()[fam.deleteKey], rep.Counts, rep.Errors)
			}
			if tc.code != "" && !strings.Contains(text, tc.code+"|") {
				t.Errorf("the report does not carry OCI code %s:\n%s", tc.code, text)
			}
			if tc.hint != "" && !strings.Contains(text, tc.hint) {
				t.Errorf("the report does not name %q:\n%s", tc.hint, text)
			}
			t.Logf("%s: %+v, %d calls\n%.600s", rep.Status, rep.Counts, emu.Total(), text)
			assertConverges(t, f, emu, before)
		})
	}
}

// A key deleted by someone else between the listing and the delete is reported as deleted
// ("already gone") only after a re-listing confirmed it is gone.
func TestKeyAlreadyGoneIsConfirmedByRelisting(t *testing.T) {
	for _, fam := range families {
		t.Run(fam.String(), func(t *testing.T) { keyAlreadyGone(t, fam) })
	}
}

func keyAlreadyGone(t *testing.T, fam family) {
	tn := smallTenancy()
	want := adminKeys(*tn, defaultAdmins(*tn))
	// Throttle every delete the function sends until the other client has deleted one key: the
	// other client deletes through the other API family (one state behind both), whose deletes
	// are not throttled, so it never races the function's retries; then the throttle ends.
	emu := emutest.New(t, tn, ociemu.Options{Faults: forced(fam.deleteKey, ociemu.ForcedError{Status: 429})})
	before := emu.Snapshot()
	f := start(t, emu, fam.cfg(map[string]string{"DELETE_CONCURRENCY": "32"}))
	type result struct {
		rep *report.Report
		err error
	}
	thief := sdkDirectory(t, emu, map[bool]string{true: "iam", false: "scim"}[fam.api == scimFamily.api])
	dom := domainOf(t, thief)
	done := make(chan result, 1)
	go func() {
		rep, _, err := f.Invoke(t.Context(), "", fnagent.InvokeOptions{})
		done <- result{rep, err}
	}()
	for deadline := time.Now().Add(10 * time.Second); emu.Counts()[fam.deleteKey] < len(want); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the function never tried its deletes: %v", emu.Counts())
		}
	}
	victim := before.DefaultDomain().Users[0]
	for _, u := range before.DefaultDomain().Users {
		if k := "Default/" + u.OCID + "/"; len(u.APIKeys) > 0 && slices.ContainsFunc(want, func(w string) bool { return strings.HasPrefix(w, k) }) {
			victim = u
			break
		}
	}
	if err := thief.DeleteAPIKey(t.Context(), guard.APIKey{Domain: dom, ID: victim.APIKeys[0].ID, Fingerprint: victim.APIKeys[0].Fingerprint, UserOCID: victim.OCID}); err != nil {
		t.Fatalf("deleting behind the function's back: %v", err)
	}
	emu.SetFaults(ociemu.Faults{})
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	rep := r.rep
	if rep.Status != guard.StatusOK {
		t.Fatalf("status %s\n%s", rep.Status, problems(rep))
	}
	if got, wantLeft := keys(emu.Snapshot()), minus(keys(before), want); !slices.Equal(got, wantLeft) {
		t.Fatalf("end state: %d keys, want %d", len(got), len(wantLeft))
	}
	var goneNotes int
	for _, a := range rep.Admins {
		for _, k := range a.Keys {
			if strings.Contains(k.Reason, "already gone") {
				goneNotes++
				if k.Fingerprint != victim.APIKeys[0].Fingerprint || k.Outcome != guard.OutcomeDeleted {
					t.Errorf("key %s %s: %s", k.Fingerprint, k.Outcome, k.Reason)
				}
			}
		}
	}
	if goneNotes != 1 {
		t.Errorf("%d keys reported already gone, want exactly the one deleted behind the function's back", goneNotes)
	}
	if n := emu.Counts()[fam.listKeys]; n < 2 {
		t.Errorf("the 404 was not confirmed by a re-listing: %d key listings", n)
	}
}
