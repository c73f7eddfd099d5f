package e2e

import (
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

// ADMIN_GROUPS may name the Default domain's Administrators by OCID while the tenancy's policy
// names it by name (the generated tenancy has Oracle's Tenant Admin Policy, "ALLOW GROUP
// Administrators to manage all-resources IN TENANCY"). Once resolved they are one group: the
// policy finding says it is enforced through ADMIN_GROUPS (it said "reported only"), and with
// INCLUDE_POLICY_ADMINS it is resolved and listed once, as when ADMIN_GROUPS names it by name,
// not twice (issue 24, 2.8).
func TestAGroupConfiguredByOCIDIsThePolicysGroup(t *testing.T) {
	eachFamily(t, func(t *testing.T, fam family) {
		for _, include := range []string{"false", "true"} {
			t.Run("INCLUDE_POLICY_ADMINS="+include, func(t *testing.T) {
				runWith := func(groups func(ociemu.Tenancy) string) (*guard.Result, int, string) {
					emu := emutest.New(t, decoyTenancy(30), ociemu.Options{})
					before := emu.Snapshot()
					ref := groups(before)
					rep := invoke(t, start(t, emu, fam.cfg(map[string]string{"ADMIN_GROUPS": ref, "INCLUDE_POLICY_ADMINS": include, "DRY_RUN": "true"})), "")
					if rep.Status != guard.StatusOK {
						t.Fatalf("ADMIN_GROUPS=%s: status %s errors %+v", ref, rep.Status, rep.Errors)
					}
					return &rep.Result, emu.Counts()[fam.listMembers], ref
				}
				byName, namedListings, _ := runWith(func(ociemu.Tenancy) string { return ociemu.AdminGroupName })
				rep, listings, ocid := runWith(func(tn ociemu.Tenancy) string {
					for _, g := range tn.DefaultDomain().Groups {
						if g.DisplayName == ociemu.AdminGroupName {
							return g.OCID
						}
					}
					t.Fatal("no Administrators group")
					return ""
				})
				if len(rep.Groups) != len(byName.Groups) || rep.Groups[0].OCID != ocid || rep.Groups[0].Source != guard.SourceConfig {
					t.Errorf("groups %+v\nwant the configured group once, as by name: %+v", rep.Groups, byName.Groups)
				}
				found := false
				for _, p := range rep.Policy {
					if p.Kind == "group" && strings.Contains(p.Subject, ociemu.AdminGroupName) {
						found = true
						if !p.Enforced || p.Note != guard.NoteConfigured {
							t.Errorf("policy finding %+v; want enforced through ADMIN_GROUPS", p)
						}
					}
				}
				if !found {
					t.Errorf("no policy finding for %s: %+v", ociemu.AdminGroupName, rep.Policy)
				}
				if listings != namedListings {
					t.Errorf("%d member listings (%s); %d when ADMIN_GROUPS names the group by name", listings, fam.listMembers, namedListings)
				}
			})
		}
	})
}
