package guard_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard/fakedir"
	"github.com/apikeyguard/admin-apikey-guard/internal/policy"
)

// tenancy builds the decoy-rich tenancy most tests use: two Default-domain admins (one
// exempt by name), a NetworkAdministrators decoy, and a secondary domain's own Administrators.
func tenancy() (*fakedir.Dir, map[string]guard.User) {
	d := fakedir.New()
	d.AddDomain("Engineering", false)
	u := map[string]guard.User{
		"alice":  d.AddUser("Default", "alice", true, true),
		"bob":    d.AddUser("Default", "bob", false, false), // inactive, capability off, still holds a key
		"breakg": d.AddUser("Default", "breakglass", true, true),
		"net":    d.AddUser("Default", "netadmin", true, true),
		"eng":    d.AddUser("Engineering", "engadmin", true, true),
		"dev":    d.AddUser("Default", "dev", true, true),
	}
	d.AddGroup("Default", "Administrators", u["alice"].OCID, u["bob"].OCID, u["breakg"].OCID)
	d.AddGroup("Default", "NetworkAdministrators", u["net"].OCID)
	d.AddGroup("Engineering", "Administrators", u["eng"].OCID)
	for _, x := range u {
		d.AddKey(x.OCID)
	}
	d.AddKey(u["alice"].OCID)
	return d, u
}

func run(t *testing.T, d guard.Directory, opt guard.Options) *guard.Result {
	t.Helper()
	if opt.Groups == nil {
		opt.Groups = []guard.GroupRef{{Name: "Administrators"}}
	}
	if opt.Sleep == nil {
		opt.Sleep = noWait
	}
	rep := guard.Run(context.Background(), d, opt)
	return &rep
}

func TestEnforceDeletesExactlyTheAdministratorsKeys(t *testing.T) {
	d, u := tenancy()
	rep := run(t, d, guard.Options{Exempt: guard.NewExemptions([]string{"BreakGlass"})})
	if rep.Status != guard.StatusOK {
		t.Fatalf("status %s, errors %+v", rep.Status, rep.Errors)
	}
	left := d.Keys()
	for name, want := range map[string]int{"alice": 0, "bob": 0, "breakg": 1, "net": 1, "eng": 1, "dev": 1} {
		if got := len(left[u[name].OCID]); got != want {
			t.Errorf("%s keeps %d keys, want %d", name, got, want)
		}
	}
	c := rep.Counts
	if c.Administrators != 3 || c.Deleted != 3 || c.Exempt != 1 || c.Failed != 0 {
		t.Errorf("counts %+v", c)
	}
	if len(rep.Groups) != 1 || rep.Groups[0].Domain != "Default" || rep.Groups[0].Members != 3 {
		t.Errorf("groups %+v", rep.Groups)
	}
}

func TestDryRunChangesNothingAndListsWhatEnforceWouldDelete(t *testing.T) {
	d, _ := tenancy()
	before := d.Keys()
	rep := run(t, d, guard.Options{DryRun: true, DisableCapability: true})
	if rep.Status != guard.StatusOK {
		t.Fatalf("status %s", rep.Status)
	}
	if len(d.Deleted)+len(d.Disable) != 0 || fmt.Sprint(d.Keys()) != fmt.Sprint(before) {
		t.Fatal("dry run changed the tenancy")
	}
	var would []string
	for _, a := range rep.Admins {
		for _, k := range a.Keys {
			if k.Outcome == guard.OutcomeWouldDelete {
				would = append(would, k.Fingerprint)
			}
		}
	}
	enforced, _ := tenancy()
	run(t, enforced, guard.Options{})
	var deleted []string
	for _, k := range enforced.Deleted {
		deleted = append(deleted, k.Fingerprint)
	}
	slices.Sort(would)
	slices.Sort(deleted)
	if !slices.Equal(would, deleted) || len(would) != 4 {
		t.Errorf("would delete %v, enforce deleted %v", would, deleted)
	}
	if rep.Counts.WouldDisable != 2 { // alice, breakglass; bob is already off
		t.Errorf("would disable %d, want 2", rep.Counts.WouldDisable)
	}
}

func TestDisableCapabilitySkipsExemptAndAlreadyDisabled(t *testing.T) {
	d, u := tenancy()
	rep := run(t, d, guard.Options{DisableCapability: true, Exempt: guard.NewExemptions([]string{u["breakg"].OCID})})
	if !slices.Equal(d.Disable, []string{u["alice"].OCID}) {
		t.Errorf("disabled %v, want only alice", d.Disable)
	}
	if rep.Counts.Disabled != 1 {
		t.Errorf("counts %+v", rep.Counts)
	}
}

func TestSecondaryDomainGroupOnlyWhenNamedWithItsDomain(t *testing.T) {
	d, u := tenancy()
	run(t, d, guard.Options{Groups: []guard.GroupRef{{Domain: "Engineering", Name: "Administrators"}}})
	if len(d.Deleted) != 1 || d.Deleted[0].UserOCID != u["eng"].OCID {
		t.Errorf("deleted %+v, want only engadmin's key", d.Deleted)
	}
}

func TestDiscoveryFailuresChangeNothing(t *testing.T) {
	for name, tc := range map[string]struct {
		groups []guard.GroupRef
		fail   string
	}{
		"missing group":          {groups: []guard.GroupRef{{Name: "Administrators"}, {Name: "NoSuchGroup"}}},
		"member listing fails":   {fail: "Members"},
		"group resolution fails": {fail: "ResolveGroup"},
		"no groups":              {groups: []guard.GroupRef{}},
	} {
		t.Run(name, func(t *testing.T) {
			d, _ := tenancy()
			d.Fail = func(op, _ string) error {
				if op == tc.fail {
					return errors.New("503 ServiceUnavailable")
				}
				return nil
			}
			rep := run(t, d, guard.Options{Groups: tc.groups})
			if rep.Status != guard.StatusError || len(rep.Errors) == 0 {
				t.Fatalf("status %s errors %v", rep.Status, rep.Errors)
			}
			if len(d.Deleted) != 0 || d.Calls["DeleteAPIKey"] != 0 {
				t.Fatalf("deleted %d keys after a failed discovery", len(d.Deleted))
			}
		})
	}
}

// notAuthorized mimics OCI's 404 NotAuthorizedOrNotFound for a missing policy.
type notAuthorized struct{}

func (notAuthorized) Error() string     { return "DeleteApiKey: 404 NotAuthorizedOrNotFound" }
func (notAuthorized) Unwrap() error     { return guard.ErrNotFound }
func (notAuthorized) ErrorCode() string { return "NotAuthorizedOrNotFound" }
func (notAuthorized) Hint() string      { return "missing: allow ... manage users" }
func (notAuthorized) HTTPStatus() int   { return 404 }
func (notAuthorized) Operation() string { return "DeleteApiKey" }

// Without the delete grant every delete is refused (404, and the listing still shows the key):
// nothing changed, so the run is an error, and the cause is given once at the top while each
// key keeps a short reason.
func TestDelete404IsConfirmedByListing(t *testing.T) {
	d, u := tenancy()
	d.Fail = func(op, _ string) error {
		if op == "DeleteAPIKey" {
			return notAuthorized{}
		}
		return nil
	}
	rep := run(t, d, guard.Options{})
	if rep.Status != guard.StatusError || rep.Counts.Failed != 4 || rep.Counts.Deleted != 0 {
		t.Fatalf("status %s counts %+v", rep.Status, rep.Counts)
	}
	if len(rep.Errors) != 1 || rep.Errors[0].Code != "NotAuthorizedOrNotFound" || !strings.Contains(rep.Errors[0].Hint, "manage users") ||
		!strings.Contains(rep.Errors[0].Message, "DeleteApiKey failed for 4 of 4") {
		t.Errorf("errors %+v, want one problem with the count and the hint", rep.Errors)
	}
	k := rep.Admins[0].Keys[0]
	if k.Code != "NotAuthorizedOrNotFound" || strings.Contains(k.Reason, "manage users") || k.Reason == "" {
		t.Errorf("key report %+v: want the code and a short reason without the hint", k)
	}
	if len(d.Keys()[u["alice"].OCID]) != 2 {
		t.Error("alice's keys should still be there")
	}
}

func TestDeleteOfAKeyAlreadyGoneCountsAsDone(t *testing.T) {
	d, _ := tenancy()
	d.Fail = func(op, _ string) error {
		if op == "DeleteAPIKey" {
			return fmt.Errorf("deleted by a concurrent run: %w", guard.ErrNotFound)
		}
		return nil
	}
	// A concurrent run deletes each key between our listing and our delete.
	rep := guard.Run(context.Background(), racingDir{Directory: d, d: d}, guard.Options{Groups: []guard.GroupRef{{Name: "Administrators"}}, Sleep: noWait})
	if rep.Status != guard.StatusOK || rep.Counts.Deleted != 4 || rep.Counts.Failed != 0 {
		t.Fatalf("status %s counts %+v", rep.Status, rep.Counts)
	}
	if !strings.Contains(rep.Admins[0].Keys[0].Reason, "already gone") {
		t.Errorf("reason %q", rep.Admins[0].Keys[0].Reason)
	}
}

// racingDir deletes the key itself (as another invocation would) before reporting 404.
type racingDir struct {
	guard.Directory
	d *fakedir.Dir
}

func (r racingDir) DeleteAPIKey(ctx context.Context, k guard.APIKey) error {
	r.d.Remove(k)
	return r.Directory.DeleteAPIKey(ctx, k)
}

// Once the administrators are known, a failed credential listing fails those administrators
// only: nothing is planned for them (never read as "no keys"), the others are enforced, the
// run is partial, and the cause is given once at the top.
func TestKeyListingFailureFailsThoseAdministratorsOnly(t *testing.T) {
	d, u := tenancy()
	d.Fail = func(op, domain string) error {
		if op == "APIKeys" && domain == "Engineering" {
			return errors.New("503 ServiceUnavailable")
		}
		return nil
	}
	rep := run(t, d, guard.Options{Groups: []guard.GroupRef{{Name: "Administrators"}, {Domain: "Engineering", Name: "Administrators"}}})
	if rep.Status != guard.StatusPartial || rep.Counts.Failed != 1 || rep.Counts.Deleted != 4 || len(rep.Errors) != 1 ||
		!strings.Contains(rep.Errors[0].Message, "failed for 1 of 4 administrator(s)") {
		t.Fatalf("status %s errors %v counts %+v", rep.Status, rep.Errors, rep.Counts)
	}
	for _, a := range rep.Admins {
		if failed := a.Listing != nil && a.Listing.Outcome == guard.OutcomeFailed && strings.Contains(a.Listing.Reason, "503"); failed != (a.OCID == u["eng"].OCID) {
			t.Errorf("%s: listing %+v", a.UserName, a.Listing)
		}
	}
	if left := d.Keys(); len(left[u["eng"].OCID]) != 1 {
		t.Fatalf("deleted the keys of an administrator whose keys could not be listed: %d left", len(left[u["eng"].OCID]))
	}
}

// A run in which every credential listing failed changed nothing: status error, as when
// discovery fails, the cause once at the top, and no delete attempted.
func TestEveryListingFailedIsAnError(t *testing.T) {
	d, _ := tenancy()
	d.Fail = func(op, _ string) error {
		if op == "APIKeys" {
			return errors.New("503 ServiceUnavailable")
		}
		return nil
	}
	rep := run(t, d, guard.Options{})
	if rep.Status != guard.StatusError || rep.Counts.Failed != rep.Counts.Administrators || rep.Counts.Keys != 0 || len(rep.Errors) != 1 ||
		!strings.Contains(rep.Errors[0].Message, "503") {
		t.Fatalf("status %s errors %v counts %+v", rep.Status, rep.Errors, rep.Counts)
	}
	if len(d.Deleted) != 0 || d.Calls["DeleteAPIKey"] != 0 {
		t.Fatalf("deleted %d keys of administrators whose keys could not be listed", len(d.Deleted))
	}
}

// A run with no time left reaches no administrator: each is reported not reached, the run is
// partial, and the next run starts with the first one left undone.
func TestDeadlineLeavesAdministratorsNotReached(t *testing.T) {
	d, _ := tenancy()
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	rep := guard.Run(ctx, d, guard.Options{Groups: []guard.GroupRef{{Name: "Administrators"}}, Reserve: 2 * time.Hour, Sleep: noWait})
	if rep.Status != guard.StatusPartial || rep.Counts.NotReached != rep.Counts.Administrators || rep.Counts.Administrators == 0 || len(d.Deleted) != 0 || d.Calls["APIKeys"] != 0 {
		t.Fatalf("status %s counts %+v deleted %d listings %d", rep.Status, rep.Counts, len(d.Deleted), d.Calls["APIKeys"])
	}
	for _, a := range rep.Admins {
		if a.Listing == nil || a.Listing.Outcome != guard.OutcomeNotAttempted {
			t.Errorf("%s: listing %+v", a.UserName, a.Listing)
		}
	}
	if rep.ResumeAt == "" {
		t.Error("no resume point after a run that reached nobody")
	}
}

func TestSecondRunDeletesNothing(t *testing.T) {
	d, _ := tenancy()
	run(t, d, guard.Options{})
	rep := run(t, d, guard.Options{})
	if rep.Status != guard.StatusOK || rep.Counts.Deleted != 0 || rep.Changed() {
		t.Fatalf("second run: %s %+v", rep.Status, rep.Counts)
	}
}

// The IAM family's members come without details: a user is read only where needed
// (users-are-read-only-where-needed), and an exemption by name still holds.
func TestUndetailedMembersAreReadOnlyWhereNeeded(t *testing.T) {
	for name, tc := range map[string]struct {
		opt     guard.Options
		reads   int // Detail calls
		deleted int
	}{
		"holders only":           {guard.Options{Exempt: guard.NewExemptions(nil)}, 3, 4},
		"exempt by name":         {guard.Options{Exempt: guard.NewExemptions([]string{"BreakGlass"})}, 3, 3},
		"capabilities to switch": {guard.Options{DisableCapability: true}, 3, 4},
	} {
		t.Run(name, func(t *testing.T) {
			d, u := tenancy()
			d.Undetailed = true
			rep := run(t, d, tc.opt)
			if rep.Status != guard.StatusOK || d.Calls[fakedir.OpDetail] != tc.reads || rep.Counts.Deleted != tc.deleted {
				t.Fatalf("status %s, %d reads, %d deleted; want %d and %d (%+v)", rep.Status, d.Calls[fakedir.OpDetail], rep.Counts.Deleted, tc.reads, tc.deleted, rep.Errors)
			}
			for _, a := range rep.Admins {
				if a.UserName == "" || a.Active == nil {
					t.Errorf("administrator %s holds keys but is not named in the report", a.OCID)
				}
			}
			if tc.opt.Exempt.HasNames() && len(d.Keys()[u["breakg"].OCID]) != 1 {
				t.Error("breakglass, exempt by name, lost its key")
			}
		})
	}
	// Steady state: nobody holds a key, nothing is configured that needs a name: nobody is read.
	d, _ := tenancy()
	d.Undetailed = true
	run(t, d, guard.Options{})
	d.Calls = map[string]int{}
	rep := run(t, d, guard.Options{})
	if rep.Status != guard.StatusOK || d.Calls[fakedir.OpDetail] != 0 || d.Calls[fakedir.OpAPIKeys] != 1 {
		t.Fatalf("steady state: status %s, calls %v; want no user read and one listing", rep.Status, d.Calls)
	}
	for _, a := range rep.Admins {
		if a.UserName != "" || a.Active != nil || a.OCID == "" {
			t.Errorf("steady state reports %+v: an unread administrator has its OCID only", a)
		}
	}
}

// EXEMPT_USERS names are matched against every administrator before anything changes
// (exemptions-must-each-name-an-administrator), so with a name among the entries every
// undetailed administrator is read first, even in the steady state; with OCIDs only, only the
// exempt administrator who still holds a key is (to name them in the report).
func TestExemptionNamesReadEveryAdministratorFirst(t *testing.T) {
	for name, tc := range map[string]struct {
		exempt func(u map[string]guard.User) []string
		reads  int // Detail calls in the steady state
	}{
		"by name": {func(map[string]guard.User) []string { return []string{"BreakGlass"} }, 3},
		"by OCID": {func(u map[string]guard.User) []string { return []string{u["breakg"].OCID} }, 1},
	} {
		t.Run(name, func(t *testing.T) {
			d, u := tenancy()
			d.Undetailed = true
			opt := guard.Options{Exempt: guard.NewExemptions(tc.exempt(u))}
			run(t, d, opt)
			d.Calls = map[string]int{}
			rep := run(t, d, opt)
			if rep.Status != guard.StatusOK || d.Calls[fakedir.OpDetail] != tc.reads || d.Calls[fakedir.OpAPIKeys] != 1 {
				t.Fatalf("steady state: status %s, calls %v; want %d user reads and one listing", rep.Status, d.Calls, tc.reads)
			}
			if m := rep.Exemptions.Matched; len(m) != 1 || !slices.Equal(m[0].Users, []string{map[bool]string{true: "breakglass", false: u["breakg"].OCID}[name == "by name"]}) {
				t.Errorf("matched %+v", m)
			}
		})
	}
	// A typo stops the run before any change, with the names read to suggest from.
	d, _ := tenancy()
	d.Undetailed = true
	rep := run(t, d, guard.Options{Exempt: guard.NewExemptions([]string{"breakglas"})})
	if rep.Status != guard.StatusError || len(d.Deleted) != 0 || len(rep.Exemptions.Unmatched) != 1 ||
		!slices.Equal(rep.Exemptions.Unmatched[0].Closest, []string{"breakglass"}) || d.Calls[fakedir.OpAPIKeys] != 0 {
		t.Fatalf("status %s deleted %d exemptions %+v calls %v", rep.Status, len(d.Deleted), rep.Exemptions, d.Calls)
	}
}

// An administrator who could not be read cannot be matched by name. If every entry matched
// someone else, the run goes on without that administrator (failed, not listed); if an entry
// matched nobody, it may be that administrator's name: the run stops, saying why each could
// not be read.
func TestUnreadAdministratorsAndExemptionNames(t *testing.T) {
	for name, tc := range map[string]struct {
		exempt string
		status guard.Status
	}{
		"entry matched someone else": {"breakglass", guard.StatusPartial},
		"entry matched nobody":       {"alice", guard.StatusError},
	} {
		t.Run(name, func(t *testing.T) {
			d, u := tenancy()
			d.Undetailed = true
			d.Fail = func(op, ocid string) error {
				if op == fakedir.OpDetail && ocid == u["alice"].OCID {
					return errors.New("503 ServiceUnavailable")
				}
				return nil
			}
			rep := run(t, d, guard.Options{Exempt: guard.NewExemptions([]string{tc.exempt})})
			if rep.Status != tc.status || len(d.Keys()[u["alice"].OCID]) != 2 {
				t.Fatalf("status %s errors %+v; alice keeps %d keys", rep.Status, rep.Errors, len(d.Keys()[u["alice"].OCID]))
			}
			if d.Calls[fakedir.OpDetail] != 3 {
				t.Errorf("%d user reads, want 3 (the failed one is not read again)", d.Calls[fakedir.OpDetail])
			}
			if tc.status == guard.StatusError {
				if len(d.Deleted) != 0 || len(rep.Errors) != 2 || !strings.Contains(rep.Errors[0].Message, "1 could not be") ||
					!strings.Contains(rep.Errors[1].Message, "503") || rep.Errors[1].Stage != "exemptions" {
					t.Fatalf("deleted %d; errors %+v", len(d.Deleted), rep.Errors)
				}
				return
			}
			if rep.Counts.Failed != 1 || rep.Counts.Deleted != 1 || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Message, "503") {
				t.Fatalf("counts %+v errors %+v", rep.Counts, rep.Errors)
			}
		})
	}
}

// A run cut short by the rate limit has done what it reached; the next one starts with the
// administrator it left undone, and the runs converge
// (administrators-not-reached-are-not-attempted-and-resumed).
func TestRunsCutShortResumeAndConverge(t *testing.T) {
	d := fakedir.New()
	var ocids []string
	for i := range 20 {
		ocids = append(ocids, d.AddUser("Default", fmt.Sprintf("admin%02d", i), true, true).OCID)
	}
	d.AddGroup("Default", "Administrators", ocids...)
	for _, o := range ocids {
		d.AddKey(o)
	}
	// Each run may make 8 calls; the pacer sends no more (guard.ErrNotSent).
	var budget atomic.Int64
	d.Fail = func(op, _ string) error {
		if budget.Add(-1) < 0 {
			return fmt.Errorf("%s: the rate limit leaves no room: %w", op, guard.ErrNotSent)
		}
		return nil
	}
	resume, runs := "", 0
	for ; runs < 20; runs++ {
		budget.Store(8)
		rep := guard.Run(context.Background(), d, guard.Options{Groups: []guard.GroupRef{{Name: "Administrators"}}, Concurrency: 2, ResumeAt: resume, Sleep: noWait})
		if _, ocid, _ := strings.Cut(resume, "\x00"); resume != "" {
			i := slices.IndexFunc(rep.Admins, func(a guard.AdminResult) bool { return a.OCID == ocid })
			if i < 0 || rep.Admins[i].Listing != nil {
				t.Fatalf("run %d did not start with %s, where the previous run stopped", runs+1, ocid)
			}
		}
		// No run can list all 20 administrators, so none is ok: each is partial.
		if rep.Status != guard.StatusPartial || rep.Counts.NotReached == 0 || rep.ResumeAt == "" {
			t.Fatalf("run %d: status %s counts %+v resume %q", runs+1, rep.Status, rep.Counts, rep.ResumeAt)
		}
		if len(d.Deleted) == 20 {
			break
		}
		resume = rep.ResumeAt
	}
	// The fake lists a batch of administrators (Concurrency, 2) in one call: 10 listings and 20
	// deletes at 6 a run need 5 runs; re-listing the administrators already done (a run resumes
	// at the first one left undone, which may be followed by done ones, and how the budget falls
	// between listings and concurrent deletes varies) costs a few more, never many: without
	// resuming, every run would re-list the same first ones.
	if len(d.Deleted) != 20 || runs+1 < 5 || runs+1 > 12 {
		t.Fatalf("%d runs deleted %d keys; want all 20 in 5 to 12 runs", runs+1, len(d.Deleted))
	}
	t.Logf("20 administrators converged in %d runs of 8 calls", runs+1)
}

// policyDir is a fake directory that also reads policies (guard.PolicySource).
type policyDir struct {
	*fakedir.Dir
	pols []policy.Policy
}

func (p policyDir) TenancyPolicies(context.Context) ([]policy.Policy, error) { return p.pols, nil }

func (p policyDir) Tenancy() string { return "ocid1.tenancy.oc1..fake" }

// ADMIN_GROUPS names Administrators by OCID, Oracle's Tenant Admin Policy names it by name: one
// group, listed once, and the policy finding says it is enforced through ADMIN_GROUPS, with or
// without INCLUDE_POLICY_ADMINS (issue 24, 2.8).
func TestAGroupNamedTwoWaysIsResolvedAndListedOnce(t *testing.T) {
	for _, include := range []bool{false, true} {
		d, _ := tenancy()
		admins, err := d.ResolveGroup(context.Background(), guard.GroupRef{Name: "Administrators"})
		if err != nil {
			t.Fatal(err)
		}
		clear(d.Calls)
		pd := policyDir{d, []policy.Policy{{Name: "Tenant Admin Policy", Statements: []string{"ALLOW GROUP Administrators to manage all-resources IN TENANCY"}}}}
		rep := run(t, pd, guard.Options{Groups: []guard.GroupRef{{OCID: admins.OCID}}, IncludePolicyAdmins: include, DryRun: true})
		if rep.Status != guard.StatusOK || len(rep.Groups) != 1 || rep.Groups[0].OCID != admins.OCID || d.Calls[fakedir.OpMembers] != 1 {
			t.Errorf("include=%v: status %s groups %+v, %d member listings; want the group once", include, rep.Status, rep.Groups, d.Calls[fakedir.OpMembers])
		}
		if len(rep.Policy) != 1 || !rep.Policy[0].Enforced || rep.Policy[0].Note != guard.NoteConfigured {
			t.Errorf("include=%v: policy findings %+v; want enforced through ADMIN_GROUPS", include, rep.Policy)
		}
	}
}

// noWait is Options.Sleep for tests: the re-checks of a delete (nextRecheck) happen at once.
func noWait(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// The key an event names and no listing shows within the wait is reported not-attempted, with
// why, and the run is partial: it is not "ok" while that key may live.
func TestANamedKeyNeverListedMakesTheRunPartial(t *testing.T) {
	d, u := tenancy()
	named := &guard.NamedCredential{UserOCID: u["alice"].OCID, Kind: guard.KindAPIKeys, Fingerprint: "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff"}
	rep := run(t, d, guard.Options{Named: named})
	if rep.Status != guard.StatusPartial || rep.Counts.NotAttempted != 1 || rep.Counts.Deleted != 4 {
		t.Fatalf("status %s counts %+v", rep.Status, rep.Counts)
	}
	var k guard.KeyResult
	for _, a := range rep.Admins {
		if a.OCID == named.UserOCID {
			k = a.Keys[len(a.Keys)-1]
		}
	}
	if k.Fingerprint != named.Fingerprint || k.Outcome != guard.OutcomeNotAttempted || !strings.Contains(k.Reason, "named by the event") {
		t.Fatalf("the named key's entry %+v", k)
	}
}

// iamDir serves the fake's tenancy as the IAM family (Domain.API "iam"), and answers every
// capability update 404 after applying it: a stale answer of an eventually consistent IAM.
type iamDir struct{ *fakedir.Dir }

func (d iamDir) ResolveGroup(ctx context.Context, ref guard.GroupRef) (guard.Group, error) {
	g, err := d.Dir.ResolveGroup(ctx, ref)
	g.Domain.API = "iam"
	return g, err
}

func (d iamDir) Members(ctx context.Context, g guard.Group) ([]guard.User, error) {
	us, err := d.Dir.Members(ctx, g)
	for i := range us {
		us[i].Domain.API = "iam"
	}
	return us, err
}

func (d iamDir) DisableAPIKeys(ctx context.Context, u guard.User) error {
	if err := d.Dir.DisableAPIKeys(ctx, u); err != nil {
		return err
	}
	return notAuthorized{}
}

// A capability update answered 404 is read back (IAM): the user shows it off, so it is done,
// "already off"; and without the read-back the same answer was a failure.
func TestACapabilityUpdateAnswered404IsReadBack(t *testing.T) {
	d, _ := tenancy()
	rep := run(t, iamDir{d}, guard.Options{DisableCapability: true})
	if rep.Status != guard.StatusOK || rep.Counts.Disabled != 2 || rep.Counts.Failed != 0 {
		t.Fatalf("status %s counts %+v", rep.Status, rep.Counts)
	}
	for _, a := range rep.Admins {
		if c := a.Capability; c != nil && c.Outcome == guard.OutcomeDisabled && c.Reason != guard.ReasonAlreadyOff {
			t.Errorf("%s: capability %+v, want the reason %q", a.OCID, c, guard.ReasonAlreadyOff)
		}
	}
}
