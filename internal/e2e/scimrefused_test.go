package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

// A tenancy where the Identity Domains API refuses the function — no domain role (403), or
// the domain does not accept the principal at all (401) — still gets its Default
// administrators' keys deleted under IDENTITY_API=auto, through the IAM API; under scim the
// run stops with nothing changed and names the domain role.
func TestSCIMRefusedAutoStillEnforcesThroughIAM(t *testing.T) {
	var scimOps []string // every operation the emulator serves through Identity Domains
	for _, r := range emutest.New(t, decoyTenancy(1), ociemu.Options{}).Routes() {
		if r.API == "scim" {
			scimOps = append(scimOps, r.Op)
		}
	}
	for _, refusal := range []struct {
		name  string
		setup func(t *testing.T, emu *ociemu.Server, tn *ociemu.Tenancy)
		code  string
	}{
		{"403 no domain role", func(t *testing.T, emu *ociemu.Server, tn *ociemu.Tenancy) {
			roles := map[string]map[string][]string{}
			for _, d := range tn.Domains {
				roles[d.ID] = map[string][]string{}
			}
			if err := emu.SetAuthorization(tn.Policies, roles); err != nil {
				t.Fatal(err)
			}
		}, "NotAuthorized"},
		{"401 principal not accepted", func(t *testing.T, emu *ociemu.Server, _ *ociemu.Tenancy) {
			forced := map[string]ociemu.ForcedError{}
			for _, op := range scimOps {
				forced[op] = ociemu.ForcedError{Status: 401, SCIM: true, Message: "Invalid token"}
			}
			emu.SetFaults(ociemu.Faults{Forced: forced})
		}, "NotAuthenticated"},
	} {
		for _, api := range []string{permissions.APIAuto, permissions.APISCIM} {
			t.Run(refusal.name+"/"+api, func(t *testing.T) {
				tn := decoyTenancy(60)
				emu := emutest.New(t, tn, ociemu.Options{})
				refusal.setup(t, emu, tn)
				before := emu.Snapshot()
				rep := invoke(t, start(t, emu, map[string]string{"IDENTITY_API": api}), "")
				deleted := minus(keys(before), keys(emu.Snapshot()))
				if api == permissions.APIAuto {
					if rep.Status != guard.StatusOK {
						t.Fatalf("status %s\n%s", rep.Status, problems(rep))
					}
					if want := adminKeys(before, defaultAdmins(before)); !slices.Equal(deleted, want) {
						t.Fatalf("deleted %d keys, want the %d of the Default Administrators", len(deleted), len(want))
					}
					for _, op := range scimOps {
						if emu.Counts()[op] != 0 {
							t.Errorf("auto with Default-domain groups called %s", op)
						}
					}
					return
				}
				text := problems(rep)
				if rep.Status != guard.StatusError || len(deleted) != 0 {
					t.Fatalf("status %s, %d keys deleted; want error and nothing changed\n%s", rep.Status, len(deleted), text)
				}
				if !strings.Contains(text, refusal.code+"|") || !strings.Contains(text, `the domain role "`+permissions.DomainRole.Name+`"`) {
					t.Errorf("the report does not carry %s and name the domain role:\n%s", refusal.code, text)
				}
				if strings.Contains(text, "BadErrorResponse") {
					t.Errorf("the SCIM error body was lost:\n%s", text)
				}
			})
		}
	}
}
