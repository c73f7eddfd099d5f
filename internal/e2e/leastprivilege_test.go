package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
	"github.com/apikeyguard/admin-apikey-guard/internal/report"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

// Least privilege as a tested property, against an emulator that authorizes like OCI
// (IAM statements evaluated per Oracle's operation → permission table; SCIM by domain role):
//   - with exactly the grants internal/permissions lists for a deployment (what docs/authorization.md and
//     the Terraform stack write), every feature combination enforces completely;
//   - with any one statement, or the domain role, taken away, some run fails, and its report
//     names exactly what was taken away.

// lpCase is one deployment shape and the configuration that gives it.
type lpCase struct {
	f   permissions.Features
	cfg map[string]string
}

func (c lpCase) String() string {
	s := fmt.Sprintf("api=%s secondary=%v disable=%v notify=%v", c.f.IdentityAPI, c.f.SecondaryDomains, c.f.DisableCapability, c.f.Notifications)
	if len(c.f.Credentials) > 0 {
		s += " credentials=all capabilities=all"
	}
	return s
}

func lpCases(topic string) []lpCase {
	var out []lpCase
	for _, api := range []string{permissions.APIAuto, permissions.APIIAM, permissions.APISCIM} {
		for _, secondary := range []bool{false, true} {
			if api == permissions.APIIAM && secondary {
				continue // a configuration error (tested in config)
			}
			for _, disable := range []bool{false, true} {
				for _, notify := range []bool{false, true} {
					c := lpCase{f: permissions.Features{IdentityAPI: api, SecondaryDomains: secondary, DisableCapability: disable, Notifications: notify},
						cfg: map[string]string{"IDENTITY_API": api}}
					if secondary {
						c.cfg["INCLUDE_POLICY_ADMINS"] = "true" // Engineering/Administrators, granted by policy
					}
					if disable {
						c.cfg["DISABLE_API_KEY_CAPABILITY"] = "true"
					}
					if notify {
						c.cfg["NOTIFICATION_TOPIC_ID"] = topic
					}
					out = append(out, c)
				}
			}
		}
	}
	// One "all kinds" configuration per family: every credential kind deleted and every
	// capability switched off, so that each kind's statement is shown necessary.
	var kinds []string
	for _, k := range permissions.CredentialKinds {
		kinds = append(kinds, k.Kind)
	}
	for _, api := range []string{permissions.APIAuto, permissions.APISCIM} {
		out = append(out, lpCase{f: permissions.Features{IdentityAPI: api, Credentials: kinds, DisableCapabilities: append([]string{permissions.KindAPIKeys}, kinds...)},
			cfg: map[string]string{"IDENTITY_API": api, "ADMIN_CREDENTIALS": "all", "DISABLE_CAPABILITIES": "all"}})
	}
	return out
}

// grants is what one run of the test gives the function: policy statements (rendered) and
// the domains (by OCID) where its dynamic group holds the domain role.
type grants struct {
	statements []string
	roleIn     []string
}

// exactGrants renders internal/permissions for c in tn, as docs/authorization.md and the stack do.
func exactGrants(tn *ociemu.Tenancy, c lpCase) grants {
	vars := permissions.Vars{DynamicGroup: "'Default'/'" + ociemu.FunctionDynamicGroup + "'",
		TopicCompartment: tn.Topics[0].CompartmentID, TopicID: tn.Topics[0].ID}
	g := grants{statements: permissions.Render(permissions.Required(c.f), vars)}
	if permissions.DomainRoleNeeded(c.f) {
		for _, d := range tn.Domains {
			// The role is needed where SCIM serves the domain: every domain under scim, the
			// secondary ones under auto.
			if c.f.IdentityAPI == permissions.APISCIM || d.Type != ociemu.DomainTypeDefault {
				g.roleIn = append(g.roleIn, d.ID)
			}
		}
	}
	return g
}

// authorize replaces the function's policy and domain roles in emu with g, keeping every
// other policy of the tenancy (the admin grants the guard reads).
func authorize(t *testing.T, emu *ociemu.Server, tn *ociemu.Tenancy, g grants) {
	t.Helper()
	var pols []ociemu.Policy
	for _, p := range tn.Policies {
		if p.Name != ociemu.FunctionPolicyName {
			pols = append(pols, p)
		}
	}
	if len(g.statements) > 0 {
		pols = append(pols, ociemu.Policy{ID: "ocid1.policy.oc1..leastprivilege", Name: ociemu.FunctionPolicyName, CompartmentID: tn.ID, Statements: g.statements})
	}
	roles := map[string]map[string][]string{}
	for _, d := range tn.Domains {
		byDG := map[string][]string{}
		for _, dg := range tn.FunctionDynamicGroups {
			if dg.Domain == d.DisplayName && slices.Contains(g.roleIn, d.ID) {
				byDG[dg.Name] = []string{permissions.DomainRole.Name}
			}
		}
		roles[d.ID] = byDG
	}
	if err := emu.SetAuthorization(pols, roles); err != nil {
		t.Fatal(err)
	}
}

// lpRun runs the function once with g and returns its report and the keys it should have
// deleted.
func lpRun(t *testing.T, c lpCase, g grants) (*report.Report, ociemu.Tenancy, *ociemu.Server) {
	t.Helper()
	// Wired as in production, outside the home region: the IAM family looks the home region up
	// (ListRegionSubscriptions) before its first write, so that grant is exercised too.
	tn := awayFromHome(withPolicies())
	if len(c.f.Credentials) > 0 {
		ociemu.AddCredentials(tn, 7)
	}
	emu := emutest.New(t, tn, ociemu.Options{PublicEndpoints: true})
	authorize(t, emu, tn, g)
	before := emu.Snapshot()
	rep := invoke(t, startPublic(t, emu, c.cfg), "")
	return rep, before, emu
}

func TestLeastPrivilegeEveryFeatureEnforcesWithExactlyTheListedGrants(t *testing.T) {
	tn := withPolicies()
	for _, c := range lpCases(tn.Topics[0].ID) {
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			rep, before, emu := lpRun(t, c, exactGrants(tn, c))
			if rep.Status != guard.StatusOK || len(rep.Warnings) > 0 {
				t.Fatalf("status %s\n%s", rep.Status, problems(rep))
			}
			groups := defaultAdmins(before)
			if c.f.SecondaryDomains {
				groups = append(groups, "Engineering/Administrators")
			}
			if got, want := minus(keys(before), keys(emu.Snapshot())), adminKeys(before, groups); !slices.Equal(got, want) {
				t.Fatalf("deleted %d keys, want %d", len(got), len(want))
			}
			if c.f.Notifications != (rep.Notified == "published") {
				t.Errorf("notification %q", rep.Notified)
			}
			if len(c.f.Credentials) > 0 {
				if got, want := minus(creds(before), creds(emu.Snapshot())), adminCreds(before, groups); len(want) == 0 || !slices.Equal(got, want) {
					t.Fatalf("deleted %d credentials, want %d", len(got), len(want))
				}
			}
			if (c.f.DisableCapability || len(c.f.DisableCapabilities) > 0) && rep.Counts.Disabled == 0 {
				t.Errorf("no capability disabled: %+v", rep.Counts)
			}
			for _, g := range rep.Groups {
				want := permissions.APISCIM
				if g.Domain == "Default" && c.f.IdentityAPI != permissions.APISCIM {
					want = permissions.APIIAM
				}
				if g.API != want {
					t.Errorf("group %s/%s served by %q, want %q", g.Domain, g.Name, g.API, want)
				}
			}
		})
	}
}

// hintVars are the placeholders the function's hints render statements with.
var hintVars = permissions.Vars{DynamicGroup: "<your-dynamic-group>", TopicCompartment: "<topic-compartment>", TopicID: "<topic-ocid>"}

func TestLeastPrivilegeEachGrantIsNecessaryAndNamed(t *testing.T) {
	tn := withPolicies()
	for _, c := range lpCases(tn.Topics[0].ID) {
		exact := exactGrants(tn, c)
		stmts := permissions.Required(c.f)
		for i, s := range stmts {
			t.Run(c.String()+"/without "+strings.Join(s.Operations, ","), func(t *testing.T) {
				t.Parallel()
				g := grants{roleIn: exact.roleIn, statements: slices.Delete(slices.Clone(exact.statements), i, i+1)}
				rep, _, _ := lpRun(t, c, g)
				assertRefusalNamed(t, rep, permissions.Render([]permissions.Statement{s}, hintVars)[0])
			})
		}
		if len(exact.roleIn) > 0 {
			t.Run(c.String()+"/without the domain role", func(t *testing.T) {
				t.Parallel()
				rep, _, _ := lpRun(t, c, grants{statements: exact.statements})
				assertRefusalNamed(t, rep, fmt.Sprintf("the domain role %q", permissions.DomainRole.Name))
			})
		}
	}
}

// assertRefusalNamed: the run did not complete (status error or partial, or the
// notification failed) and the report names the missing grant.
func assertRefusalNamed(t *testing.T, rep *report.Report, grant string) {
	t.Helper()
	text := problems(rep)
	if rep.Status == guard.StatusOK && rep.Notified != "failed" && len(rep.Warnings) == 0 {
		t.Fatalf("the run succeeded without the grant %q: it is not necessary", grant)
	}
	if !strings.Contains(text, grant) {
		t.Errorf("the report does not name the missing grant %q:\n%s", grant, text)
	}
}
