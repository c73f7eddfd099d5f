package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

func capabilities(tn ociemu.Tenancy) map[string]bool {
	out := map[string]bool{}
	for _, d := range tn.Domains {
		for _, u := range d.Users {
			out[d.DisplayName+"/"+u.UserName] = u.CanUseAPIKeys
		}
	}
	return out
}

func TestDisableCapabilityClosesTheDoor(t *testing.T) {
	for _, fam := range families {
		t.Run(fam.String(), func(t *testing.T) { disableCapability(t, fam) })
	}
}

func disableCapability(t *testing.T, fam family) {
	emu := emutest.New(t, decoyTenancy(200), ociemu.Options{})
	before := emu.Snapshot()
	f := start(t, emu, fam.cfg(map[string]string{"DISABLE_API_KEY_CAPABILITY": "true", "EXEMPT_USERS": "admin0003"}))
	rep := invoke(t, f, "")
	if rep.Status != guard.StatusOK {
		t.Fatalf("status %s %+v", rep.Status, rep.Errors)
	}
	was, now := capabilities(before), capabilities(emu.Snapshot())
	admins := map[string]bool{}
	for _, a := range rep.Admins {
		admins[a.Domain+"/"+a.UserName] = true
	}
	writes := 0
	for user, on := range now {
		switch {
		case user == "Default/admin0003":
			if !on || rep.Counts.Exempt == 0 {
				t.Errorf("exempt admin's capability was changed")
			}
		case admins[user]:
			if on {
				t.Errorf("admin %s can still use API keys", user)
			}
			if was[user] {
				writes++
			}
		case on != was[user]:
			t.Errorf("non-admin %s changed", user)
		}
	}
	if got := emu.Counts()[fam.disableKeys]; got != writes || rep.Counts.Disabled != writes || writes == 0 {
		t.Errorf("%s calls %d, disabled %d, want %d (already-off admins are not written)", fam.disableKeys, got, rep.Counts.Disabled, writes)
	}
	emu.ResetCounts()
	rep = invoke(t, f, "")
	if rep.Status != guard.StatusOK || emu.Counts()[fam.disableKeys] != 0 || rep.Counts.Disabled != 0 {
		t.Fatalf("second run wrote capabilities: %v %+v", emu.Counts(), rep.Counts)
	}
}

// withPolicies gives the secondary domain's Administrators (whose domain lives in a
// sub-compartment) a tenancy-wide grant, and another group only a compartment grant.
func withPolicies() *ociemu.Tenancy {
	tn := decoyTenancy(100)
	tn.Policies = append(tn.Policies,
		ociemu.Policy{ID: "ocid1.policy.oc1..engadmins", Name: "Engineering Admins", CompartmentID: tn.ID,
			Statements: []string{"Allow group 'Engineering'/'Administrators' to manage all-resources in tenancy where request.region = 'iad'"}},
		ociemu.Policy{ID: "ocid1.policy.oc1..netcomp", Name: "Network compartment admins", CompartmentID: tn.ID,
			Statements: []string{"allow group NetworkAdministrators to manage all-resources in compartment network",
				"Allow dynamic-group ci-runners to manage all-resources in tenancy"}},
	)
	return tn
}

func TestPolicyAdminsAreReportedWithoutTheFlag(t *testing.T) {
	emu := emutest.New(t, withPolicies(), ociemu.Options{})
	before := emu.Snapshot()
	rep := invoke(t, start(t, emu, nil), "")
	if rep.Status != guard.StatusOK {
		t.Fatalf("status %s %+v", rep.Status, rep.Errors)
	}
	var eng, dg *guard.PolicyFinding
	for i, f := range rep.Policy {
		switch {
		case strings.Contains(f.Subject, "Engineering"):
			eng = &rep.Policy[i]
		case f.Kind == "dynamic-group":
			dg = &rep.Policy[i]
		case strings.Contains(f.Subject, "NetworkAdministrators"):
			t.Errorf("a compartment-level grant was reported as tenancy admin: %+v", f)
		}
	}
	if eng == nil || eng.Enforced || !eng.Conditional || eng.PolicyName != "Engineering Admins" {
		t.Fatalf("Engineering finding %+v", eng)
	}
	if dg == nil || dg.Enforced {
		t.Errorf("dynamic-group finding %+v", dg)
	}
	if got, want := minus(keys(before), keys(emu.Snapshot())), adminKeys(before, defaultAdmins(before)); !slices.Equal(got, want) {
		t.Fatalf("without INCLUDE_POLICY_ADMINS only the Default Administrators' keys go: got %v want %v", got, want)
	}
}

func TestPolicyAdminsAreEnforcedWithTheFlag(t *testing.T) {
	emu := emutest.New(t, withPolicies(), ociemu.Options{})
	before := emu.Snapshot()
	rep := invoke(t, start(t, emu, map[string]string{"INCLUDE_POLICY_ADMINS": "true"}), "")
	if rep.Status != guard.StatusOK {
		t.Fatalf("status %s %+v", rep.Status, rep.Errors)
	}
	want := adminKeys(before, append(defaultAdmins(before), "Engineering/Administrators"))
	if got := minus(keys(before), keys(emu.Snapshot())); !slices.Equal(got, want) {
		t.Fatalf("deleted %v\nwant %v", got, want)
	}
	var sources []string
	for _, g := range rep.Groups {
		sources = append(sources, g.Domain+"/"+g.Name+":"+g.Source)
	}
	if !slices.Contains(sources, "Engineering/Administrators:policy") {
		t.Errorf("groups %v", sources)
	}
}

func TestNotificationsOnlyWhenSomethingHappened(t *testing.T) {
	tn := decoyTenancy(50)
	emu := emutest.New(t, tn, ociemu.Options{})
	f := start(t, emu, map[string]string{"NOTIFICATION_TOPIC_ID": tn.Topics[0].ID})
	rep := invoke(t, f, "")
	msgs := emu.Published()
	if rep.Notified != "published" || len(msgs) != 1 || msgs[0].TopicID != tn.Topics[0].ID {
		t.Fatalf("notified %q, %d messages", rep.Notified, len(msgs))
	}
	if !strings.Contains(msgs[0].Title, "deleted") || !strings.Contains(msgs[0].Body, rep.CallID) || !strings.Contains(msgs[0].Body, rep.Admins[0].Keys[0].Fingerprint) {
		t.Errorf("message lacks what/who/call id:\n%s\n%s", msgs[0].Title, msgs[0].Body)
	}
	assertNoSecrets(t, f, msgs[0].Title+msgs[0].Body)
	if rep = invoke(t, f, ""); rep.Notified != "" || len(emu.Published()) != 1 {
		t.Fatalf("a clean run published (%q, %d messages)", rep.Notified, len(emu.Published()))
	}
}

func TestFailedPublishIsReported(t *testing.T) {
	tn := decoyTenancy(50)
	emu := emutest.New(t, tn, ociemu.Options{Faults: ociemu.Faults{Forced: map[string]ociemu.ForcedError{
		ociemu.OpPublishMessage: {Status: 404, Code: "NotAuthorizedOrNotFound", Message: "Authorization failed or requested resource not found"}}}})
	rep := invoke(t, start(t, emu, map[string]string{"NOTIFICATION_TOPIC_ID": tn.Topics[0].ID}), "")
	if rep.Status != guard.StatusOK || rep.Counts.Deleted == 0 || rep.Notified != "failed" {
		t.Fatalf("status %s deleted %d notified %q", rep.Status, rep.Counts.Deleted, rep.Notified)
	}
	w := rep.Warnings[len(rep.Warnings)-1]
	if w.Stage != "notify" || w.Code != "NotAuthorizedOrNotFound" || !strings.Contains(w.Hint, "ons-topics") {
		t.Errorf("warning %+v", w)
	}
}

// "group id <ocid>" names no domain: the group is found in whichever domain holds it.
func TestPolicyGrantByGroupOCIDInASecondaryDomain(t *testing.T) {
	tn := decoyTenancy(50)
	var engAdmins string
	for _, d := range tn.Domains {
		for _, g := range d.Groups {
			if d.DisplayName == "Engineering" && g.DisplayName == "Administrators" {
				engAdmins = g.OCID
			}
		}
	}
	tn.Policies = append(tn.Policies, ociemu.Policy{ID: "ocid1.policy.oc1..byid", Name: "By id", CompartmentID: tn.ID,
		Statements: []string{"Allow group id " + engAdmins + " to manage all-resources in tenancy"}})
	emu := emutest.New(t, tn, ociemu.Options{})
	before := emu.Snapshot()
	rep := invoke(t, start(t, emu, map[string]string{"INCLUDE_POLICY_ADMINS": "true"}), "")
	want := adminKeys(before, append(defaultAdmins(before), "Engineering/Administrators"))
	if got := minus(keys(before), keys(emu.Snapshot())); rep.Status != guard.StatusOK || !slices.Equal(got, want) {
		t.Fatalf("status %s %+v\ndeleted %v\nwant %v", rep.Status, rep.Warnings, got, want)
	}
}

// The root compartment named by its OCID is the tenancy: such a grant makes administrators too.
func TestPolicyGrantOnTheRootCompartmentByID(t *testing.T) {
	tn := decoyTenancy(50)
	tn.Policies = append(tn.Policies, ociemu.Policy{ID: "ocid1.policy.oc1..rootid", Name: "Root by id", CompartmentID: tn.ID,
		Statements: []string{"Allow group NetworkAdministrators to manage all-resources in compartment id " + tn.ID}})
	emu := emutest.New(t, tn, ociemu.Options{})
	before := emu.Snapshot()
	rep := invoke(t, start(t, emu, map[string]string{"INCLUDE_POLICY_ADMINS": "true"}), "")
	want := adminKeys(before, append(defaultAdmins(before), "Default/NetworkAdministrators"))
	if got := minus(keys(before), keys(emu.Snapshot())); rep.Status != guard.StatusOK || !slices.Equal(got, want) {
		t.Fatalf("status %s\ndeleted %v\nwant %v", rep.Status, got, want)
	}
}
