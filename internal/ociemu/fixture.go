package ociemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
)

// LoadFixture decodes a Tenancy from JSON and validates it. Unknown fields are an error so
// that a typo in a hand-written fixture does not silently produce a different tenancy.
func LoadFixture(r io.Reader) (*Tenancy, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var t Tenancy
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("ociemu: decode fixture: %w", err)
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return &t, nil
}

// Validate checks the invariants the server relies on: globally unique ids, exactly one
// DEFAULT domain, known compartments, and group members that exist in the group's domain.
func (t *Tenancy) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	seen := map[string]string{}
	unique := func(kind, id string) {
		if id == "" {
			bad("%s with empty id", kind)
			return
		}
		if prev, ok := seen[id]; ok {
			bad("duplicate id %q (%s and %s)", id, prev, kind)
			return
		}
		seen[id] = kind
	}

	if t.ID == "" {
		bad("tenancy id is empty")
	}
	if t.Region == "" {
		bad("tenancy region is empty")
	}
	validateRegions(t, bad)
	compartments := map[string]bool{t.ID: true}
	for _, c := range t.Compartments {
		unique("compartment", c.ID)
		compartments[c.ID] = true
	}
	for _, c := range t.Compartments {
		if !compartments[c.ParentID] {
			bad("compartment %q: unknown parent %q", c.ID, c.ParentID)
		}
	}
	defaults := 0
	for _, d := range t.Domains {
		unique("domain", d.ID)
		switch d.Type {
		case DomainTypeDefault:
			defaults++
		case DomainTypeSecondary:
		default:
			bad("domain %q: type %q is neither DEFAULT nor SECONDARY", d.ID, d.Type)
		}
		if !compartments[d.CompartmentID] {
			bad("domain %q: unknown compartment %q", d.ID, d.CompartmentID)
		}
		users := map[string]bool{}
		names := map[string]bool{}
		for _, u := range d.Users {
			unique("user", u.ID)
			unique("user ocid", u.OCID)
			users[u.OCID] = true
			if u.UserName == "" || names[u.UserName] {
				bad("domain %q: empty or duplicate userName %q", d.ID, u.UserName)
			}
			names[u.UserName] = true
			fingerprints := map[string]bool{}
			for _, k := range u.APIKeys {
				unique("api key", k.ID)
				unique("api key ocid", k.OCID)
				if k.Fingerprint == "" || fingerprints[k.Fingerprint] {
					bad("user %q: empty or duplicate fingerprint %q", u.OCID, k.Fingerprint)
				}
				fingerprints[k.Fingerprint] = true
				if !slices.Contains([]string{"", "CREATING", "INACTIVE", "DELETING"}, k.State) {
					bad("api key %q: state %q, want CREATING, INACTIVE, DELETING or empty (ACTIVE)", k.ID, k.State)
				}
			}
			for _, c := range u.Credentials {
				if !slices.Contains([]string{"", "CREATING", "INACTIVE", "DELETING"}, c.State) || c.State == "INACTIVE" && c.Kind == CredDBCredentials {
					bad("credential %q: state %q, want CREATING, INACTIVE (not for DB credentials), DELETING or empty (ACTIVE)", c.ID, c.State)
				}
			}
		}
		for _, g := range d.Groups {
			unique("group", g.ID)
			unique("group ocid", g.OCID)
			for _, m := range g.Members {
				if !users[m] {
					bad("group %q: member %q is not a user of domain %q", g.DisplayName, m, d.ID)
				}
			}
		}
	}
	if defaults != 1 {
		bad("want exactly one DEFAULT domain, have %d", defaults)
	}
	for _, p := range t.Policies {
		unique("policy", p.ID)
		if !compartments[p.CompartmentID] {
			bad("policy %q: unknown compartment %q", p.ID, p.CompartmentID)
		}
	}
	for _, tp := range t.Topics {
		unique("topic", tp.ID)
		if !compartments[tp.CompartmentID] {
			bad("topic %q: unknown compartment %q", tp.ID, tp.CompartmentID)
		}
	}
	validateAuthz(t, bad)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("ociemu: invalid tenancy: %w", err)
	}
	return nil
}
