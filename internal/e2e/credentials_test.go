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
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/oracle"
)

// Credentials of every kind (ADMIN_CREDENTIALS, DISABLE_CAPABILITIES), through the built
// binary in both API families. Generated tenancies with Credentials give every key holder
// (administrators, non-administrators and decoys: NetworkAdministrators, the Engineering
// domain's Administrators, inactive admins) one credential of every other kind.

func credTenancy(users int) *ociemu.Tenancy {
	return ociemu.Generate(ociemu.GenSpec{Seed: 43, Users: users, Admins: 6, KeysPerAdmin: 2, OtherKeyFraction: 0.3, Decoys: true, Credentials: true})
}

// creds lists every credential other than API keys as "domain/userOCID/kind/id", sorted.
func creds(tn ociemu.Tenancy) []string { return tn.CredentialRefs() }

// adminCreds are the other-kind credentials of the members of groups, minus exempt users.
func adminCreds(tn ociemu.Tenancy, groups []string, exempt ...string) []string {
	return oracle.Credentials(oracle.Admins(&tn, oracle.Groups(groups...), exempt))
}

// reportedCreds returns the other-kind credentials with outcome o, as creds names them. The
// SCIM family reports SCIM ids, the IAM family the IAM ids (OCIDs): both are mapped back.
func reportedCreds(rep *report.Report, tn ociemu.Tenancy, o guard.Outcome) []string {
	byID := map[string]string{}
	for _, d := range tn.Domains {
		for _, u := range d.Users {
			for _, c := range u.Credentials {
				byID[c.ID], byID[c.OCID] = c.ID, c.ID
			}
		}
	}
	var out []string
	for _, a := range rep.Admins {
		for _, k := range a.Keys {
			if k.Kind != "" && k.Outcome == o {
				out = append(out, a.Domain+"/"+a.OCID+"/"+string(k.Kind)+"/"+byID[k.ID])
			}
		}
	}
	slices.Sort(out)
	return out
}

func allKinds() string { return guard.KindAll }

func TestAllCredentialKinds(t *testing.T) {
	eachFamily(t, func(t *testing.T, fam family) {
		emu := emutest.New(t, credTenancy(200), ociemu.Options{})
		before := emu.Snapshot()
		wantKeys, wantCreds := adminKeys(before, defaultAdmins(before)), adminCreds(before, defaultAdmins(before))
		if len(wantCreds) != len(ociemu.CredentialKinds())*6 || len(creds(before)) <= len(wantCreds) {
			t.Fatalf("tenancy: %d admin credentials of %d", len(wantCreds), len(creds(before)))
		}
		f := start(t, emu, fam.cfg(map[string]string{"ADMIN_CREDENTIALS": "all"}))
		rep := invoke(t, f, "")
		if rep.Status != guard.StatusOK {
			t.Fatalf("status %s\n%s", rep.Status, problems(rep))
		}
		after := emu.Snapshot()
		if gone := minus(keys(before), keys(after)); !slices.Equal(gone, wantKeys) {
			t.Errorf("API keys gone %v, want %v", gone, wantKeys)
		}
		if gone := minus(creds(before), creds(after)); !slices.Equal(gone, wantCreds) {
			t.Errorf("credentials gone %v\n want %v", gone, wantCreds)
		}
		if got := reportedCreds(rep, before, guard.OutcomeDeleted); !slices.Equal(got, wantCreds) {
			t.Errorf("report: deleted %v\n want %v", got, wantCreds)
		}
		for _, a := range rep.Admins {
			for _, k := range a.Keys {
				if k.Kind != "" && (k.Description == "" || k.Expires == nil) {
					t.Errorf("credential %+v is not named by description and expiry", k)
				}
			}
		}
		// Idempotent: a second run finds nothing and writes nothing.
		n := emu.Total()
		counts := emu.Counts()
		rep = invoke(t, f, "")
		if rep.Status != guard.StatusOK || rep.Counts.Keys != 0 {
			t.Fatalf("second run: status %s, counts %+v", rep.Status, rep.Counts)
		}
		for _, c := range permissions.CredentialKinds {
			del := c.IAMDelete
			if fam.api == "scim" {
				del = c.SCIMDelete
			}
			if emu.Counts()[del] != counts[del] {
				t.Errorf("second run called %s", del)
			}
		}
		t.Logf("%s: first run %d calls, second %d", fam, n, emu.Total()-n)
	})
}

// By default only API keys go, and no other kind is even listed.
func TestDefaultLeavesOtherCredentials(t *testing.T) {
	eachFamily(t, func(t *testing.T, fam family) {
		emu := emutest.New(t, credTenancy(100), ociemu.Options{})
		before := emu.Snapshot()
		rep := invoke(t, start(t, emu, fam.cfg(nil)), "")
		after := emu.Snapshot()
		if rep.Status != guard.StatusOK {
			t.Fatalf("status %s\n%s", rep.Status, problems(rep))
		}
		if !slices.Equal(creds(after), creds(before)) {
			t.Error("the default configuration deleted credentials other than API keys")
		}
		if gone := minus(keys(before), keys(after)); !slices.Equal(gone, adminKeys(before, defaultAdmins(before))) {
			t.Errorf("API keys gone %v", gone)
		}
		for _, c := range permissions.CredentialKinds {
			for _, op := range []string{c.IAMList, c.SCIMSearch} {
				if emu.Counts()[op] != 0 {
					t.Errorf("%s called %d times by default", op, emu.Counts()[op])
				}
			}
		}
	})
}

// Dry run and exemption hold for every kind; DISABLE_CAPABILITIES switches off exactly the
// non-exempt administrators' capabilities, once.
func TestCredentialsDryRunExemptionCapabilities(t *testing.T) {
	eachFamily(t, func(t *testing.T, fam family) {
		emu := emutest.New(t, credTenancy(100), ociemu.Options{})
		before := emu.Snapshot()
		exempt := "admin0002"
		want := adminCreds(before, defaultAdmins(before), exempt)
		kept := minus(adminCreds(before, defaultAdmins(before)), want)
		if len(kept) != len(ociemu.CredentialKinds()) {
			t.Fatalf("the exempt admin holds %d credentials", len(kept))
		}
		cfg := fam.cfg(map[string]string{"ADMIN_CREDENTIALS": "api-keys, " + strings.Join(ociemu.CredentialKinds(), ","),
			"EXEMPT_USERS": exempt, "DISABLE_CAPABILITIES": allKinds()})
		f := start(t, emu, cfg)

		rep := invoke(t, f, `{"dryRun": true}`)
		if rep.Status != guard.StatusOK || !slices.Equal(creds(emu.Snapshot()), creds(before)) || !slices.Equal(keys(emu.Snapshot()), keys(before)) {
			t.Fatalf("dry run: status %s, or the tenancy changed", rep.Status)
		}
		if got := reportedCreds(rep, before, guard.OutcomeWouldDelete); !slices.Equal(got, want) {
			t.Errorf("dry run would delete %v\n want %v", got, want)
		}
		if got := reportedCreds(rep, before, guard.OutcomeExempt); !slices.Equal(got, kept) {
			t.Errorf("dry run: exempt %v, want %v", got, kept)
		}
		if rep.Counts.WouldDisable != 5 || emu.Counts()[fam.disableKeys] != 0 {
			t.Errorf("dry run: %d capabilities would be disabled (want the 5 non-exempt admins), %d updates sent", rep.Counts.WouldDisable, emu.Counts()[fam.disableKeys])
		}

		rep = invoke(t, f, "")
		after := emu.Snapshot()
		if rep.Status != guard.StatusOK {
			t.Fatalf("status %s\n%s", rep.Status, problems(rep))
		}
		if gone := minus(creds(before), creds(after)); !slices.Equal(gone, want) {
			t.Errorf("gone %v\n want %v", gone, want)
		}
		admins := map[string]bool{}
		for _, a := range rep.Admins {
			admins[a.OCID] = true
		}
		for _, d := range after.Domains {
			for _, u := range d.Users {
				off := len(u.CapabilitiesOff) == len(ociemu.CredentialKinds()) && !u.CanUseAPIKeys
				wantOff := d.Type == ociemu.DomainTypeDefault && admins[u.OCID] && u.UserName != exempt
				if wantOff && !off {
					t.Errorf("%s/%s: capabilities %v, canUseApiKeys %v: want all off", d.DisplayName, u.UserName, u.CapabilitiesOff, u.CanUseAPIKeys)
				}
				if !wantOff && len(u.CapabilitiesOff) > 0 {
					t.Errorf("%s/%s is not a non-exempt administrator, but capabilities %v are off", d.DisplayName, u.UserName, u.CapabilitiesOff)
				}
			}
		}
		updates := emu.Counts()[fam.disableKeys]
		rep = invoke(t, f, "")
		if rep.Status != guard.StatusOK || rep.Counts.Disabled != 0 || emu.Counts()[fam.disableKeys] != updates {
			t.Errorf("third run: status %s, %d disabled, %d more updates", rep.Status, rep.Counts.Disabled, emu.Counts()[fam.disableKeys]-updates)
		}
	})
}

// Faults on every kind's listing and deletes: retried, and a clean second run converges.
func TestCredentialsFaultStorm(t *testing.T) {
	eachFamily(t, func(t *testing.T, fam family) {
		forced := map[string]ociemu.ForcedError{}
		for _, c := range permissions.CredentialKinds {
			list, del := c.IAMList, c.IAMDelete
			if fam.api == "scim" {
				list, del = c.SCIMSearch, c.SCIMDelete
			}
			forced[list] = ociemu.ForcedError{Status: 429, Times: 1}
			forced[del] = ociemu.ForcedError{Status: 503, Skip: 1, Times: 2}
		}
		emu := emutest.New(t, credTenancy(100), ociemu.Options{Faults: ociemu.Faults{Seed: 13, Rate429: 0.05, Rate500: 0.03, Rate503: 0.03, RateReset: 0.03, Forced: forced}})
		before := emu.Snapshot()
		f := start(t, emu, fam.cfg(map[string]string{"ADMIN_CREDENTIALS": "all"}))
		rep := invoke(t, f, "")
		after := emu.Snapshot()
		want := adminCreds(before, defaultAdmins(before))
		gone := minus(creds(before), creds(after))
		if wrong := minus(gone, want); len(wrong) > 0 {
			t.Fatalf("credentials of non-administrators deleted: %v", wrong)
		}
		if got := reportedCreds(rep, before, guard.OutcomeDeleted); !slices.Equal(got, gone) {
			t.Errorf("the report says deleted %v, gone are %v", got, gone)
		}
		if rep.Status != guard.StatusOK {
			t.Errorf("status %s under retryable faults\n%s", rep.Status, problems(rep))
		}
		emu.SetFaults(ociemu.Faults{})
		rep = invoke(t, f, "")
		if rep.Status != guard.StatusOK || !slices.Equal(minus(creds(before), creds(emu.Snapshot())), want) {
			t.Errorf("clean run: status %s, credentials left not as expected", rep.Status)
		}
	})
}

// API calls do not depend on the number of non-administrators: the same count, operation by
// operation, at 100 and at 10,000 users. The per-kind floor is logged (BENCHMARKS.md).
func TestCredentialCallsIndependentOfTenancySize(t *testing.T) {
	eachFamily(t, func(t *testing.T, fam family) {
		counts := map[int]map[string]int{}
		for _, users := range []int{100, 10000} {
			tn := ociemu.Generate(ociemu.GenSpec{Seed: 44, Users: users, Admins: 10, KeysPerAdmin: 2, OtherKeyFraction: 0.3, Credentials: true})
			emu := emutest.New(t, tn, ociemu.Options{})
			rep := invoke(t, start(t, emu, fam.cfg(map[string]string{"ADMIN_CREDENTIALS": "all"})), "")
			if rep.Status != guard.StatusOK || rep.Counts.Deleted != 10*(2+len(ociemu.CredentialKinds())) {
				t.Fatalf("%d users: status %s, counts %+v", users, rep.Status, rep.Counts)
			}
			counts[users] = emu.Counts()
		}
		small, large := fmt.Sprint(counts[100]), fmt.Sprint(counts[10000])
		if small != large {
			t.Fatalf("calls depend on the tenancy size:\n 100: %s\n 10000: %s", small, large)
		}
		var b strings.Builder
		for _, c := range permissions.CredentialKinds {
			list, del := c.IAMList, c.IAMDelete
			want := 10 // one listing per administrator
			if fam.api == "scim" {
				list, del = c.SCIMSearch, c.SCIMDelete
				want = 1 // ⌈10/50⌉ batched searches
			}
			if counts[100][list] != want || counts[100][del] != 10 {
				t.Errorf("%s: %s %d (want %d), %s %d (want 10)", c.Kind, list, counts[100][list], want, del, counts[100][del])
			}
			fmt.Fprintf(&b, " %s: %s %d + %s %d;", c.Kind, list, counts[100][list], del, counts[100][del])
		}
		t.Logf("%s, 10 admins × (2 keys + 1 of each kind), 100 and 10,000 users: %v\n per kind:%s", fam, counts[100], b.String())
	})
}

// No token value, secret key, SMTP password, client secret or DB password of any kind
// reaches a report, a notification or the log, in either family, in dry run and enforcement.
// The emulator sends IAM AuthToken.token in every listing and every secret to a SCIM search
// that asks for it, so a function that passed fields through would fail here.
func TestNoCredentialSecretsAnywhere(t *testing.T) {
	eachFamily(t, func(t *testing.T, fam family) {
		emu := emutest.New(t, credTenancy(60), ociemu.Options{})
		before := emu.Snapshot()
		var secrets []string
		for _, d := range before.Domains {
			for _, u := range d.Users {
				for _, c := range u.Credentials {
					if len(c.Secret) < 16 {
						t.Fatalf("credential %s has no secret-looking value", c.ID)
					}
					secrets = append(secrets, c.Secret)
				}
			}
		}
		f := start(t, emu, fam.cfg(map[string]string{"ADMIN_CREDENTIALS": "all", "DISABLE_CAPABILITIES": "all",
			"NOTIFICATION_TOPIC_ID": before.Topics[0].ID}))
		var texts []string
		for _, body := range []string{`{"dryRun": true}`, ""} {
			rep := invoke(t, f, body)
			if rep.Counts.Keys == 0 {
				t.Fatalf("nothing found: %+v", rep.Counts)
			}
			texts = append(texts, fmt.Sprintf("%+v", *rep))
		}
		for _, m := range emu.Published() {
			texts = append(texts, m.Title, m.Body)
		}
		if len(emu.Published()) == 0 {
			t.Error("no notification to scan")
		}
		texts = append(texts, f.Agent.Stdout(), f.Agent.Stderr())
		all := strings.Join(texts, "\n")
		for _, s := range secrets {
			if strings.Contains(all, s) || strings.Contains(all, strings.TrimPrefix(s, "SECRET-")) {
				t.Fatalf("a credential secret (starts %.10q) appears in the output", s)
			}
		}
		if !strings.Contains(all, "auth-tokens") {
			t.Error("the output does not name credentials by kind")
		}
	})
}
