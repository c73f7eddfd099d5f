package ociemu

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestGenerateIsDeterministic(t *testing.T) {
	spec := GenSpec{Seed: 11, Users: 200, Admins: 5, KeysPerAdmin: 2, OtherKeyFraction: 0.3, Decoys: true}
	a, b := Generate(spec), Generate(spec)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different tenancies")
	}
	spec.Seed = 12
	if reflect.DeepEqual(a, Generate(spec)) {
		t.Fatal("different seeds, same tenancy")
	}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestGenerateShapesAndDecoys(t *testing.T) {
	ten := Generate(GenSpec{Seed: 1, Users: 50, Admins: 6, KeysPerAdmin: 2, OtherKeyFraction: 0.2, AdminsLast: true, Decoys: true})
	def := ten.DefaultDomain()
	if len(def.Users) != 56 {
		t.Fatalf("%d users", len(def.Users))
	}
	group := func(d *Domain, name string) *Group {
		for i := range d.Groups {
			if d.Groups[i].DisplayName == name {
				return &d.Groups[i]
			}
		}
		t.Fatalf("domain %s has no group %s", d.DisplayName, name)
		return nil
	}
	user := map[string]User{}
	for _, u := range def.Users {
		user[u.OCID] = u
	}
	admins := group(def, AdminGroupName)
	if len(admins.Members) != 6 {
		t.Fatalf("%d admins", len(admins.Members))
	}
	for i, u := range def.Users[50:] { // AdminsLast
		if !strings.HasPrefix(u.UserName, "admin") || admins.Members[i] != u.OCID {
			t.Fatalf("position %d is %s, want an admin", 50+i, u.UserName)
		}
	}
	var noCapability, inactive int
	for _, m := range admins.Members {
		u := user[m]
		if len(u.APIKeys) == 0 {
			t.Fatalf("admin %s holds no key", u.UserName)
		}
		if !u.CanUseAPIKeys {
			noCapability++
		}
		if !u.Active {
			inactive++
		}
	}
	if noCapability == 0 || inactive == 0 {
		t.Fatalf("decoy admins missing: %d without capability, %d inactive", noCapability, inactive)
	}
	for _, m := range group(def, NetworkAdminGroupName).Members {
		if len(user[m].APIKeys) == 0 {
			t.Fatalf("network admin %s holds no key", user[m].UserName)
		}
	}
	nonAdminNoCap := 0
	for _, u := range def.Users[:50] {
		if !u.CanUseAPIKeys {
			nonAdminNoCap++
		}
	}
	if nonAdminNoCap == 0 {
		t.Fatal("no non-admin with canUseApiKeys=false")
	}
	if len(ten.Domains) != 2 || ten.Domains[1].Type != DomainTypeSecondary || ten.Domains[1].DisplayName != SecondaryDomainName {
		t.Fatalf("domains = %+v", ten.Domains)
	}
	eng := &ten.Domains[1]
	if eng.CompartmentID != ten.Compartments[0].ID || ten.Compartments[0].Name != SecurityCompartment {
		t.Fatal("Engineering domain is not in the security compartment")
	}
	engUsers := map[string]User{}
	for _, u := range eng.Users {
		engUsers[u.OCID] = u
	}
	for _, m := range group(eng, AdminGroupName).Members {
		if len(engUsers[m].APIKeys) == 0 {
			t.Fatalf("Engineering admin %s holds no key", engUsers[m].UserName)
		}
	}
}

// TestGenerateLargeIsValid checks a 100k-user tenancy's ids and fingerprints are unique; how long
// Generate takes is BenchmarkGenerate100k's question (make bench), not a test's.
func TestGenerateLargeIsValid(t *testing.T) {
	ten := Generate(GenSpec{Seed: 1, Users: 100_000, Admins: 10, KeysPerAdmin: 2, OtherKeyFraction: 0.1, Decoys: true})
	if err := ten.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestLoadFixture(t *testing.T) {
	ten := Generate(GenSpec{Seed: 4, Users: 10, Admins: 2, KeysPerAdmin: 1, Decoys: true})
	good, err := json.Marshal(ten)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadFixture(bytes.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(loaded, ten) {
		t.Fatal("fixture round trip changed the tenancy")
	}

	breakIt := map[string]func(t *Tenancy){
		"two default domains": func(t *Tenancy) { t.Domains[1].Type = DomainTypeDefault },
		"no default domain":   func(t *Tenancy) { t.Domains[0].Type = DomainTypeSecondary },
		"duplicate user id":   func(t *Tenancy) { t.Domains[0].Users[1].ID = t.Domains[0].Users[0].ID },
		"duplicate across":    func(t *Tenancy) { t.Domains[1].Users[0].OCID = t.Domains[0].Users[0].OCID },
		"unknown member":      func(t *Tenancy) { t.Domains[0].Groups[0].Members[0] = "ocid1.user.oc1..nobody" },
		"member of other domain": func(t *Tenancy) {
			t.Domains[0].Groups[0].Members[0] = t.Domains[1].Users[0].OCID
		},
		"unknown compartment": func(t *Tenancy) { t.Domains[1].CompartmentID = "ocid1.compartment.oc1..nowhere" },
		"duplicate fingerprint": func(t *Tenancy) {
			u := &t.Domains[1].Users[0] // an Engineering admin, who holds a key
			k := u.APIKeys[0]
			k.ID, k.OCID = "other-id", "other-ocid"
			u.APIKeys = append(u.APIKeys, k)
		},
	}
	for name, mutate := range breakIt {
		c := ten.Clone()
		mutate(&c)
		b, _ := json.Marshal(c)
		if _, err := LoadFixture(bytes.NewReader(b)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := LoadFixture(strings.NewReader(`{"id":"x","region":"r","domains":[],"bogus":1}`)); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("unknown field: %v", err)
	}
}
