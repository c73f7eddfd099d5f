package oracle

import (
	"slices"
	"strings"

	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
)

// Group names a configured administrator group by its identity domain's display name and its
// own name, both compared case-insensitively, as OCI compares them.
type Group struct{ Domain, Name string }

// Groups parses "Domain/Name" references, as the tests write them.
func Groups(refs ...string) []Group {
	out := make([]Group, 0, len(refs))
	for _, r := range refs {
		d, n, _ := strings.Cut(r, "/")
		out = append(out, Group{Domain: d, Name: n})
	}
	return out
}

// DefaultAdministrators is the Default domain's Administrators group, what an empty
// ADMIN_GROUPS means.
func DefaultAdministrators(t *ociemu.Tenancy) []Group {
	if d := t.DefaultDomain(); d != nil {
		return []Group{{Domain: d.DisplayName, Name: ociemu.AdminGroupName}}
	}
	return nil
}

// Admin is a member of a configured group.
type Admin struct {
	Domain string // the identity domain's display name
	User   ociemu.User
	Exempt bool // EXEMPT_USERS names the user
}

// Admins lists every member of groups once, in the tenancy's order of domains and users.
func Admins(t *ociemu.Tenancy, groups []Group, exempt []string) []Admin {
	var out []Admin
	for _, d := range t.Domains {
		members := map[string]bool{}
		for _, g := range d.Groups {
			if slices.ContainsFunc(groups, func(c Group) bool {
				return strings.EqualFold(c.Domain, d.DisplayName) && strings.EqualFold(c.Name, g.DisplayName)
			}) {
				for _, m := range g.Members {
					members[m] = true
				}
			}
		}
		for _, u := range d.Users {
			if members[u.OCID] {
				out = append(out, Admin{Domain: d.DisplayName, User: u, Exempt: Exempt(u, exempt)})
			}
		}
	}
	return out
}

// Exempt says whether an EXEMPT_USERS entry names u: its OCID exactly, or its user name in any
// case; entries are trimmed, and an empty one names nobody.
func Exempt(u ociemu.User, exempt []string) bool {
	return slices.ContainsFunc(exempt, func(e string) bool {
		e = strings.TrimSpace(e)
		return e == u.OCID || (e != "" && strings.EqualFold(e, u.UserName))
	})
}

// Keys are the API keys that must go: the non-exempt administrators', as
// "domain/user OCID/fingerprint" (ociemu.Tenancy.KeyRefs's form), sorted.
func Keys(admins []Admin) []string {
	var out []string
	for _, a := range admins {
		for _, k := range a.User.APIKeys {
			if !a.Exempt {
				out = append(out, a.Domain+"/"+a.User.OCID+"/"+k.Fingerprint)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Credentials are the other credentials that must go, as "domain/user OCID/kind/id"
// (ociemu.Tenancy.CredentialRefs's form), sorted.
func Credentials(admins []Admin) []string {
	var out []string
	for _, a := range admins {
		for _, c := range a.User.Credentials {
			if !a.Exempt {
				out = append(out, a.Domain+"/"+a.User.OCID+"/"+c.Kind+"/"+c.ID)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Unmatched are the EXEMPT_USERS entries (trimmed, blanks ignored, each once) that name none of
// admins: by the spec such an entry stops the run before any change (docs/configuration.md, "Exemptions").
func Unmatched(admins []Admin, exempt []string) []string {
	var out []string
	for _, e := range exempt {
		e = strings.TrimSpace(e)
		if e == "" || slices.ContainsFunc(out, func(o string) bool { return o == e || !isOCID(e) && strings.EqualFold(o, e) }) {
			continue
		}
		if !slices.ContainsFunc(admins, func(a Admin) bool { return Exempt(a.User, []string{e}) }) {
			out = append(out, e)
		}
	}
	return out
}

func isOCID(s string) bool { return strings.HasPrefix(s, "ocid1.") }
