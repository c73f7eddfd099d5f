package guard

import (
	"slices"
	"testing"
)

func TestParseKinds(t *testing.T) {
	for in, want := range map[string][]Kind{
		"":                             nil,
		"api-keys":                     {KindAPIKeys},
		" DB-Credentials , api-keys, ": {KindAPIKeys, KindDBCredentials},
		"all":                          Kinds(),
		"auth-tokens,all,auth-tokens":  Kinds(),
	} {
		got, err := ParseKinds(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("ParseKinds(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"api-key", "passwords", "all,tokens"} {
		if _, err := ParseKinds(bad); err == nil {
			t.Errorf("ParseKinds(%q) accepted an unknown kind", bad)
		}
	}
}

// Plan: credentials of every kind follow the owner's plan, strays stay strays, and a
// capability is switched off only for non-exempt admins and only where it is still on.
func TestPlanCredentialKinds(t *testing.T) {
	alice := Admin{User: User{OCID: "ocid1.user..alice", UserName: "alice", CanUseAPIKeys: true, CapabilitiesOff: KindSet(0).With(KindAuthTokens)}}
	bob := Admin{User: User{OCID: "ocid1.user..bob", UserName: "bob", CanUseAPIKeys: false}}
	creds := []Credential{
		{Kind: KindDBCredentials, ID: "d1", UserOCID: alice.OCID},
		{Fingerprint: "aa", ID: "k1", UserOCID: alice.OCID},
		{Kind: KindAuthTokens, ID: "t1", UserOCID: alice.OCID},
		{Kind: KindAuthTokens, ID: "t1", UserOCID: alice.OCID}, // listed twice: planned once
		{Kind: KindAuthTokens, ID: "t2", UserOCID: "ocid1.user..mallory"},
		{Kind: KindSMTPCredentials, ID: "s1", UserOCID: bob.OCID},
	}
	steps, strays := Plan([]Admin{bob, alice}, creds, Rules{Exempt: NewExemptions([]string{"bob"}), DisableKinds: []Kind{KindAPIKeys, KindAuthTokens, KindSMTPCredentials}})
	if len(strays) != 1 || strays[0].ID != "t2" {
		t.Fatalf("strays %+v", strays)
	}
	a, b := steps[0], steps[1]
	var order []string
	for _, k := range a.Keys {
		order = append(order, string(k.CredentialKind())+"/"+k.ID)
	}
	if want := []string{"api-keys/k1", "auth-tokens/t1", "db-credentials/d1"}; !slices.Equal(order, want) {
		t.Errorf("alice's plan %v, want %v", order, want)
	}
	if want := []Kind{KindAPIKeys, KindSMTPCredentials}; !slices.Equal(a.Capability.Kinds, want) || !a.Capability.Write {
		t.Errorf("alice: disable %+v, want %v (auth tokens are already off)", a.Capability, want)
	}
	if !b.Exempt || b.Capability.Write || b.Capability.Outcome != OutcomeExempt || len(b.Keys) != 1 {
		t.Errorf("bob (exempt): %+v", b)
	}
}
