package oracle

import (
	"slices"
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
)

// One tenancy, one row per rule: who is an administrator and which keys go.
func TestRules(t *testing.T) {
	tn := ociemu.Generate(ociemu.GenSpec{Seed: 7, Users: 20, Admins: 3, KeysPerAdmin: 2, OtherKeyFraction: 1, Decoys: true, Credentials: true})
	first, second := defaultAdmin(t, tn, 0), defaultAdmin(t, tn, 1)
	for _, tc := range []struct {
		rule   string
		groups []Group
		exempt []string
		admins int // non-exempt administrators, each holding keys
		want   int // administrators' keys that go
	}{
		{"members of the Default Administrators group are administrators", DefaultAdministrators(tn), nil, 3, 3 * 2},
		{"group and domain names compare in any case", Groups("DEFAULT/administrators"), nil, 3, 3 * 2},
		{"a same-named group in another domain is another group", Groups(ociemu.SecondaryDomainName + "/" + ociemu.AdminGroupName), nil, 3, 3},
		{"exempt by user name in any case", DefaultAdministrators(tn), []string{" " + strings.ToUpper(first.UserName) + " "}, 2, 2 * 2},
		{"exempt by OCID", DefaultAdministrators(tn), []string{second.OCID}, 2, 2 * 2},
		{"an empty exemption names nobody", DefaultAdministrators(tn), []string{"", " "}, 3, 3 * 2},
		{"a group nobody configured makes nobody an administrator", nil, nil, 0, 0},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			admins := Admins(tn, tc.groups, tc.exempt)
			keys := Keys(admins)
			if len(keys) != tc.want {
				t.Fatalf("%d keys go, want %d: %v", len(keys), tc.want, keys)
			}
			all := tn.KeyRefs()
			for _, k := range keys {
				if !slices.Contains(all, k) {
					t.Errorf("key %s is not in the tenancy", k)
				}
			}
			// Credentials gives every key holder one credential of every other kind.
			if got, want := len(Credentials(admins)), tc.admins*len(ociemu.CredentialKinds()); got != want {
				t.Errorf("%d credentials go, want %d", got, want)
			}
		})
	}
}

// defaultAdmin is the i-th member of the Default domain's Administrators group.
func defaultAdmin(t *testing.T, tn *ociemu.Tenancy, i int) ociemu.User {
	t.Helper()
	def := tn.DefaultDomain()
	for _, g := range def.Groups {
		if g.DisplayName != ociemu.AdminGroupName {
			continue
		}
		for _, u := range def.Users {
			if u.OCID == g.Members[i] {
				return u
			}
		}
	}
	t.Fatalf("no administrator %d", i)
	return ociemu.User{}
}
