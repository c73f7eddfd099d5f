// Package e2e drives the real function binary over the fdk unix socket, as the Fn agent
// does, against the OCI emulator: the SDK signs real requests, the emulator verifies them.
package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/fnagent"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/harness"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/report"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/gobuild"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/oracle"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/reportschema"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/syncbuf"
)

var binary string

// The function under test is built with the race detector: a data race in it fails the run.
func TestMain(m *testing.M) { gobuild.Main(m, &binary, gobuild.Options{Race: true}) }

// logs collects everything every function process printed, for the secrets scan.
var logs syncbuf.Buffer

// start runs the function against emu with cfg; stopped at cleanup.
func start(t *testing.T, emu *ociemu.Server, cfg map[string]string) *harness.Function {
	t.Helper()
	return startWith(t, emu, cfg, false)
}

// startWith is start, with the production wiring when public (harness.Options.Public); every run is
// checked at cleanup for a data race and for secrets in its output.
func startWith(t *testing.T, emu *ociemu.Server, cfg map[string]string, public bool) *harness.Function {
	t.Helper()
	f, err := harness.Start(t.Context(), harness.Options{Binary: binary, Config: cfg, Emu: emu, Stderr: &logs, Public: public,
		CheckReport: reportschema.Validate})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := f.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
		if strings.Contains(f.Agent.Stderr(), "DATA RACE") {
			t.Errorf("the function had a data race:\n%s", f.Agent.Stderr())
		}
		assertNoSecrets(t, f, f.Agent.Stdout()+f.Agent.Stderr())
	})
	return f
}

func invoke(t *testing.T, f *harness.Function, body string) *report.Report {
	t.Helper()
	rep, res, err := f.Invoke(t.Context(), body, fnagent.InvokeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 200 {
		t.Fatalf("HTTP %d: %s", res.Status, res.Body)
	}
	assertNoSecrets(t, f, string(res.Body))
	return rep
}

// assertNoSecrets: the RPST, any part of the private key, and key material never leave.
func assertNoSecrets(t *testing.T, f *harness.Function, text string) {
	t.Helper()
	secrets := []string{f.Principal.RPST, "PRIVATE KEY", "BEGIN PUBLIC KEY"}
	// the token's signature part alone must not leak either
	if parts := strings.Split(f.Principal.RPST, "."); len(parts) == 3 {
		secrets = append(secrets, parts[2])
	}
	for _, line := range strings.Split(string(f.Principal.PrivateKeyPEM), "\n") {
		if len(line) > 20 && !strings.HasPrefix(line, "-----") {
			secrets = append(secrets, line)
		}
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Fatalf("a secret (%d chars, starts %.6q) appears in the output", len(s), s)
		}
	}
}

// keys returns every key in the tenancy as "domain/userOCID/fingerprint", sorted.
func keys(tn ociemu.Tenancy) []string { return tn.KeyRefs() }

// adminKeys are the keys of the members of the named groups ("Domain/Name"), minus exempt
// users: the test's own oracle of what must go, computed from the tenancy alone.
func adminKeys(tn ociemu.Tenancy, groups []string, exempt ...string) []string {
	return oracle.Keys(oracle.Admins(&tn, oracle.Groups(groups...), exempt))
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// reported returns the fingerprints with the given outcome, as domain/user/fingerprint.
func reported(rep *guard.Result, o guard.Outcome) []string {
	var out []string
	for _, a := range rep.Admins {
		for _, k := range a.Keys {
			if k.Outcome == o {
				out = append(out, a.Domain+"/"+a.OCID+"/"+k.Fingerprint)
			}
		}
	}
	slices.Sort(out)
	return out
}

// defaultAdmins names the Default domain's Administrators group as "Domain/Name".
func defaultAdmins(tn ociemu.Tenancy) []string {
	var out []string
	for _, g := range oracle.DefaultAdministrators(&tn) {
		out = append(out, g.Domain+"/"+g.Name)
	}
	return out
}

// family is one identity API family as the emulator counts its operations, with the
// IDENTITY_API value that sends the Default domain's groups through it.
type family struct {
	api                                                       string // IDENTITY_API
	listGroups, listMembers, listKeys, deleteKey, disableKeys string // emulator operation names
	missingGrant                                              string // what a refusal's hint names
}

var (
	iamFamily = family{api: "auto", listGroups: ociemu.OpListGroups, listMembers: ociemu.OpListUserGroupMemberships,
		listKeys: ociemu.OpListApiKeys, deleteKey: ociemu.OpDeleteApiKey, disableKeys: ociemu.OpUpdateUserCapabilities,
		missingGrant: "Allow dynamic-group <your-dynamic-group> to manage users in tenancy"}
	scimFamily = family{api: "scim", listGroups: ociemu.OpScimListGroups, listMembers: ociemu.OpScimListUsers,
		listKeys: ociemu.OpScimSearchApiKeys, deleteKey: ociemu.OpScimDeleteApiKey, disableKeys: ociemu.OpScimPatchUser,
		missingGrant: `the domain role "Identity Domain Administrator"`}
	families = []family{iamFamily, scimFamily}
)

func (f family) String() string {
	if f.api == "scim" {
		return "scim"
	}
	return "iam"
}

// cfg is the configuration with IDENTITY_API set for this family.
func (f family) cfg(extra map[string]string) map[string]string {
	out := map[string]string{"IDENTITY_API": f.api}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// eachFamily runs test once per identity API family, in parallel subtests named after it.
func eachFamily(t *testing.T, test func(t *testing.T, fam family)) {
	for _, fam := range families {
		t.Run(fam.String(), func(t *testing.T) {
			t.Parallel()
			test(t, fam)
		})
	}
}
