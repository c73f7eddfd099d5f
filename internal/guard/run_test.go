package guard_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
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
		"key listing fails":      {fail: "APIKeys"},
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
	rep := guard.Run(context.Background(), racingDir{Directory: d, d: d}, guard.Options{Groups: []guard.GroupRef{{Name: "Administrators"}}})
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

func TestDeadlineLeavesWorkNotAttempted(t *testing.T) {
	d, _ := tenancy()
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	rep := guard.Run(ctx, d, guard.Options{Groups: []guard.GroupRef{{Name: "Administrators"}}, Reserve: 2 * time.Hour})
	if rep.Status != guard.StatusPartial || rep.Counts.NotAttempted != 4 || len(d.Deleted) != 0 {
		t.Fatalf("status %s counts %+v deleted %d", rep.Status, rep.Counts, len(d.Deleted))
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

// policyDir is a fake directory that also reads policies (guard.PolicySource).
type policyDir struct {
	*fakedir.Dir
	pols []policy.Policy
}

func (p policyDir) TenancyPolicies(context.Context) ([]policy.Policy, error) { return p.pols, nil }
func (p policyDir) Tenancy() string                                          { return "ocid1.tenancy.oc1..fake" }

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
