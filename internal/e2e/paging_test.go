package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/fnagent"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/report"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/oracle"
)

// Paging under change and malformed records (issue 24, items 2.1, 2.6 and 2.7), through the
// binary against the emulator's anomalies (ociemu.Anomalies, docs/emulator.md).

// pagedAdmins has six administrators with one key each: with two items a page, their group
// takes three pages.
func pagedAdmins() *ociemu.Tenancy {
	return ociemu.Generate(ociemu.GenSpec{Seed: 24, Users: 20, Admins: 6, KeysPerAdmin: 1, OtherKeyFraction: 0.5})
}

// A member who leaves the group while its members are paged moves every later member one index
// down; a client paging by position then never reads the member at the page boundary, and that
// administrator's key stays. The run must read the membership again until two reads agree, and
// then delete the key of every administrator the group has.
func TestAMemberLeavingBetweenPagesHidesNoAdministrator(t *testing.T) {
	eachFamily(t, func(t *testing.T, fam family) {
		emu := emutest.New(t, pagedAdmins(), ociemu.Options{Anomalies: ociemu.Anomalies{PageCap: 2, MembersLeaveBetweenPages: 1}})
		before := emu.Snapshot()
		f := start(t, emu, fam.cfg(nil))
		rep := invoke(t, f, "")
		after := emu.Snapshot()
		if rep.Status != guard.StatusOK {
			t.Fatalf("status %s, want ok once the membership reads agree\n%s", rep.Status, problems(rep))
		}
		stayed := adminOCIDs(after)
		left := minus(adminOCIDs(before), stayed)
		if len(left) != 1 {
			t.Fatalf("the emulator removed %d members, want 1: %v", len(left), left)
		}
		if hidden := adminKeys(after, defaultAdmins(after)); len(hidden) > 0 {
			t.Fatalf("administrators' keys still in place after the run: %v\n%s", hidden, problems(rep))
		}
		gone := minus(keys(before), keys(after))
		if want := keysOwnedBy(keys(before), stayed); !slices.Equal(gone, want) {
			t.Errorf("gone %v, want exactly the keys of the administrators the group has %v", gone, want)
		}
		if got := reported(&rep.Result, guard.OutcomeDeleted); !slices.Equal(got, gone) {
			t.Errorf("the report says deleted %v, gone are %v", got, gone)
		}
		if n := rep.APICalls.ByOperation[fam.listMembers]; n < 6 {
			t.Errorf("%d member listing calls: a read of 3 pages, read again until two agree, takes at least 6", n)
		}
		t.Logf("%s: %d member listing calls, %d calls in all", fam, rep.APICalls.ByOperation[fam.listMembers], rep.APICalls.Total)
	})
}

// A SCIM server whose totalResults lags behind its listing (one lower than the members it
// serves) gives a count the members read cannot agree with: the run stops with error, nothing
// changed, instead of acting on a listing that contradicts itself.
func TestAnUnderReportedTotalStopsTheRun(t *testing.T) {
	emu := emutest.New(t, pagedAdmins(), ociemu.Options{Anomalies: ociemu.Anomalies{UnderReportTotal: 1}})
	before := emu.Snapshot()
	f := start(t, emu, scimFamily.cfg(nil))
	rep := invoke(t, f, "")
	assertStoppedUnchanged(t, rep, before, emu.Snapshot(), "totalResults")
}

// An IAM listing whose opc-next-page repeats the token it was asked for would be followed until
// the deadline (and forever without one). The run ends at the second sight of the token with
// error and a message naming the repetition; the emulator counts the calls, not a clock.
func TestARepeatedPageTokenEndsTheRunPromptly(t *testing.T) {
	for _, tc := range []struct {
		fam        family
		op         string
		noDeadline bool
	}{
		{iamFamily, ociemu.OpListUserGroupMemberships, false},
		{iamFamily, ociemu.OpListUserGroupMemberships, true}, // fdk-go then sets no deadline at all
		{scimFamily, ociemu.OpScimListUsers, false},
	} {
		name := tc.fam.String()
		if tc.noDeadline {
			name += "-without-Fn-Deadline"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			emu := emutest.New(t, pagedAdmins(), ociemu.Options{Anomalies: ociemu.Anomalies{PageCap: 1, RepeatPageToken: []string{tc.op}}})
			before := emu.Snapshot()
			f := start(t, emu, tc.fam.cfg(nil))
			opts := fnagent.InvokeOptions{NoDeadline: tc.noDeadline, Deadline: time.Now().Add(30 * time.Second)}
			rep, res, err := f.Invoke(t.Context(), "", opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != 200 {
				t.Fatalf("HTTP %d: %s", res.Status, res.Body)
			}
			assertStoppedUnchanged(t, rep, before, emu.Snapshot(), "repeat")
			if n := emu.Counts()[tc.op]; n > 3 {
				t.Errorf("%d %s calls: the repetition must end the listing at once, not at the deadline", n, tc.op)
			}
		})
	}
}

// A member record without its OCID, or a key without its owner, is malformed: the run stops with
// a discovery error in the report (never a panic with no report at all), and nothing changes.
func TestAMalformedRecordIsADiscoveryErrorNotAPanic(t *testing.T) {
	tn := pagedAdmins()
	admins := oracle.Admins(tn, oracle.DefaultAdministrators(tn), nil)
	member, key := admins[2].User.UserName, admins[3].User.APIKeys[0].Fingerprint
	for _, tc := range []struct {
		name string
		a    ociemu.Anomalies
	}{
		{"member without ocid", ociemu.Anomalies{UserWithoutOCID: member}},
		{"key without user", ociemu.Anomalies{KeyWithoutOwner: key}},
		// Both at once: an administrator with no OCID, so an owner-less key seems to be theirs.
		{"member without ocid and key without user", ociemu.Anomalies{UserWithoutOCID: member, KeyWithoutOwner: key}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachFamily(t, func(t *testing.T, fam family) {
				emu := emutest.New(t, pagedAdmins(), ociemu.Options{Anomalies: tc.a})
				before := emu.Snapshot()
				f := start(t, emu, fam.cfg(nil))
				rep := invoke(t, f, "")
				assertStoppedUnchanged(t, rep, before, emu.Snapshot(), "without")
				if rep.Errors[0].Stage != "discovery" {
					t.Errorf("stage %q, want discovery", rep.Errors[0].Stage)
				}
			})
		})
	}
}

// assertStoppedUnchanged: status error, a first error that says why (naming want), and no key
// gone.
func assertStoppedUnchanged(t *testing.T, rep *report.Report, before, after ociemu.Tenancy, want string) {
	t.Helper()
	if rep.Status != guard.StatusError || len(rep.Errors) == 0 {
		t.Fatalf("status %s, want error\n%s", rep.Status, problems(rep))
	}
	if !strings.Contains(rep.Errors[0].Message, want) {
		t.Errorf("the error does not say %q: %s", want, rep.Errors[0].Message)
	}
	if gone := minus(keys(before), keys(after)); len(gone) > 0 || rep.Counts.Deleted > 0 {
		t.Errorf("the run stopped with error but deleted %v", gone)
	}
	t.Logf("%s: %s", rep.Errors[0].Stage, rep.Errors[0].Message)
}

// adminOCIDs are the OCIDs of the Default domain's administrators, sorted.
func adminOCIDs(tn ociemu.Tenancy) []string {
	var out []string
	for _, a := range oracle.Admins(&tn, oracle.DefaultAdministrators(&tn), nil) {
		out = append(out, a.User.OCID)
	}
	slices.Sort(out)
	return out
}

// keysOwnedBy are the key references ("domain/user OCID/fingerprint") whose owner is one of
// owners.
func keysOwnedBy(refs, owners []string) []string {
	var out []string
	for _, r := range refs {
		if parts := strings.Split(r, "/"); len(parts) == 3 && slices.Contains(owners, parts[1]) {
			out = append(out, r)
		}
	}
	return out
}
