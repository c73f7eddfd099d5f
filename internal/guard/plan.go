package guard

import (
	"cmp"
	"slices"
	"strings"
)

// Exemptions are the break-glass users whose keys are kept: by user OCID, or by user name
// (identity domain user names are case-insensitive, so names match case-insensitively).
type Exemptions struct {
	entries []string // as configured, trimmed, without blanks or repeats, in order
	ocids   map[string]bool
	names   map[string]bool
}

// NewExemptions accepts OCIDs and user names mixed, as EXEMPT_USERS does.
func NewExemptions(entries []string) Exemptions {
	e := Exemptions{ocids: map[string]bool{}, names: map[string]bool{}}
	for _, s := range entries {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if isOCID(s) {
			if e.ocids[s] {
				continue
			}
			e.ocids[s] = true
		} else {
			if e.names[strings.ToLower(s)] {
				continue
			}
			e.names[strings.ToLower(s)] = true
		}
		e.entries = append(e.entries, s)
	}
	return e
}

// HasNames says whether some entry is a user name, which only a detailed user can match.
func (e Exemptions) HasNames() bool { return len(e.names) > 0 }

// Entries are the configured exemptions, each once, in the configured order.
func (e Exemptions) Entries() []string { return e.entries }

// Has reports whether u is exempt.
func (e Exemptions) Has(u User) bool {
	return e.ocids[u.OCID] || (u.UserName != "" && e.names[strings.ToLower(u.UserName)])
}

// matches reports whether entry (one of Entries) names u.
func (e Exemptions) matches(entry string, u User) bool {
	if isOCID(entry) {
		return u.OCID == entry
	}
	return u.UserName != "" && strings.EqualFold(u.UserName, entry)
}

func isOCID(s string) bool { return strings.HasPrefix(s, "ocid1.") }

// Admin is a user who is a member of at least one administrator group.
type Admin struct {
	User
	Groups []string // the groups that make this user an administrator
}

// Step is one administrator's share of the plan: every credential they hold, and what is
// decided for each and for their capabilities.
type Step struct {
	Admin
	Exempt  bool
	Keys    []APIKey // every credential the admin holds, by kind, then fingerprint/description
	Actions []Action // Actions[i] is the decision for Keys[i]
	// Capability is the decision for the configured capabilities; nil when none is configured off.
	Capability *Action
}

// Plan decides what must happen, without doing it. It is the product's safety core:
//   - only keys owned by an administrator are ever planned, whatever the directory returned;
//   - an exempt administrator's keys are listed but never deleted, and their capability kept;
//   - a dry run writes nothing;
//   - a capability is disabled only when asked and only where it is still enabled;
//   - the API key the run signs with, and its owner's API key capability, are never touched.
//
// The decisions themselves are in decide.go. Keys whose owner is not an administrator are
// returned as strays, to be reported.
func Plan(admins []Admin, keys []APIKey, r Rules) (steps []Step, strays []APIKey) {
	steps = make([]Step, 0, len(admins))
	for _, a := range admins {
		steps = append(steps, planAdmin(a, r))
	}
	slices.SortFunc(steps, func(x, y Step) int {
		return cmp.Or(cmp.Compare(x.Domain.Name, y.Domain.Name), cmp.Compare(x.UserName, y.UserName), cmp.Compare(x.OCID, y.OCID))
	})
	// An empty OCID matches nothing: an administrator without one owns no key, and a key without
	// an owner belongs to no administrator (a stray, reported).
	byOwner := make(map[string]*Step, len(steps))
	for i := range steps {
		if steps[i].OCID != "" {
			byOwner[ownerKey(steps[i].OCID)] = &steps[i]
		}
	}
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		s, ok := byOwner[ownerKey(k.UserOCID)]
		if !ok || k.UserOCID == "" {
			strays = append(strays, k)
			continue
		}
		if id := string(k.CredentialKind()) + "\x00" + k.UserOCID + "\x00" + k.ID + "\x00" + k.Fingerprint; !seen[id] {
			seen[id] = true
			s.Keys = append(s.Keys, k)
		}
	}
	for i := range steps {
		s := &steps[i]
		slices.SortFunc(s.Keys, func(x, y APIKey) int {
			return cmp.Or(cmp.Compare(kindRank(x), kindRank(y)), cmp.Compare(x.Fingerprint, y.Fingerprint),
				cmp.Compare(x.Description, y.Description), cmp.Compare(x.ID, y.ID))
		})
		s.Actions = make([]Action, len(s.Keys))
		for j, k := range s.Keys {
			s.Actions[j] = credentialAction(k.Deleting, s.Exempt, r.Signer.signs(k), r.DryRun)
		}
	}
	return steps, strays
}

// planAdmin is one administrator's step before their keys are attached.
func planAdmin(a Admin, r Rules) Step {
	s := Step{Admin: a, Exempt: r.Exempt.Has(a.User)}
	s.Capability = capabilityAction(a.User, s.Exempt, r.Signer.UserOCID != "" && r.Signer.UserOCID == a.OCID, r.DryRun, r.DisableKinds)
	return s
}

// ownerKey identifies a user. OCIDs are unique across identity domains, so the domain is
// deliberately not part of it: the same domain reached by two spellings of its URL (from
// IDENTITY_DOMAIN_URL and from ListDomains) must not make one administrator two.
func ownerKey(userOCID string) string { return userOCID }

func kindRank(c APIKey) int { return slices.Index(Kinds(), c.CredentialKind()) }
