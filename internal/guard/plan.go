package guard

import (
	"cmp"
	"slices"
	"strings"
)

// Exemptions are the break-glass users whose keys are kept: by user OCID, or by user name
// (identity domain user names are case-insensitive, so names match case-insensitively).
type Exemptions struct {
	ocids map[string]bool
	names map[string]bool
}

// NewExemptions accepts OCIDs and user names mixed, as EXEMPT_USERS does.
func NewExemptions(entries []string) Exemptions {
	e := Exemptions{ocids: map[string]bool{}, names: map[string]bool{}}
	for _, s := range entries {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if strings.HasPrefix(s, "ocid1.") {
			e.ocids[s] = true
		} else {
			e.names[strings.ToLower(s)] = true
		}
	}
	return e
}

// Has reports whether u is exempt.
func (e Exemptions) Has(u User) bool {
	return e.ocids[u.OCID] || (u.UserName != "" && e.names[strings.ToLower(u.UserName)])
}

// Admin is a user who is a member of at least one administrator group.
type Admin struct {
	User
	Groups []string // the groups that make this user an administrator
}

// Step is one admin's share of the plan.
type Step struct {
	Admin
	Exempt  bool
	Keys    []APIKey // every credential the admin holds, by kind, then fingerprint/description
	Disable bool     // some capability must be switched off: DisableKinds is not empty
	// DisableKinds are the kinds whose canUse… capability is to be set to false.
	DisableKinds []Kind
}

// Plan decides what must happen, without doing it. It is the product's safety core:
//   - only keys owned by an administrator are ever planned, whatever the directory returned;
//   - an exempt administrator's keys are listed but never deleted, and their capability kept;
//   - the capability is disabled only when asked and only where it is still enabled.
//
// Keys whose owner is not an administrator are returned as strays, to be reported.
func Plan(admins []Admin, keys []APIKey, ex Exemptions, disableCapability bool) (steps []Step, strays []APIKey) {
	var disable []Kind
	if disableCapability {
		disable = []Kind{KindAPIKeys}
	}
	return PlanKinds(admins, keys, ex, disable)
}

// PlanKinds is Plan for credentials of every kind and capabilities per kind: a capability in
// disable is switched off on non-exempt administrators only where it is still on.
func PlanKinds(admins []Admin, keys []APIKey, ex Exemptions, disable []Kind) (steps []Step, strays []APIKey) {
	byOwner := make(map[string]*Step, len(admins))
	steps = make([]Step, 0, len(admins))
	for _, a := range admins {
		exempt := ex.Has(a.User)
		var off []Kind
		for _, k := range disable {
			if !exempt && a.CanUse(k) {
				off = append(off, k)
			}
		}
		steps = append(steps, Step{
			Admin:        a,
			Exempt:       exempt,
			Disable:      len(off) > 0,
			DisableKinds: off,
		})
	}
	slices.SortFunc(steps, func(x, y Step) int {
		return cmp.Or(cmp.Compare(x.Domain.Name, y.Domain.Name), cmp.Compare(x.UserName, y.UserName), cmp.Compare(x.OCID, y.OCID))
	})
	for i := range steps {
		byOwner[ownerKey(steps[i].OCID)] = &steps[i]
	}
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		s, ok := byOwner[ownerKey(k.UserOCID)]
		if !ok {
			strays = append(strays, k)
			continue
		}
		if id := string(k.CredentialKind()) + "\x00" + k.UserOCID + "\x00" + k.ID + "\x00" + k.Fingerprint; !seen[id] {
			seen[id] = true
			s.Keys = append(s.Keys, k)
		}
	}
	for i := range steps {
		slices.SortFunc(steps[i].Keys, func(x, y APIKey) int {
			return cmp.Or(cmp.Compare(kindRank(x), kindRank(y)), cmp.Compare(x.Fingerprint, y.Fingerprint),
				cmp.Compare(x.Description, y.Description), cmp.Compare(x.ID, y.ID))
		})
	}
	return steps, strays
}

// ownerKey identifies a user. OCIDs are unique across identity domains, so the domain is
// deliberately not part of it: the same domain reached by two spellings of its URL (from
// IDENTITY_DOMAIN_URL and from ListDomains) must not make one administrator two.
func ownerKey(userOCID string) string { return userOCID }

func kindRank(c APIKey) int { return slices.Index(Kinds(), c.CredentialKind()) }
