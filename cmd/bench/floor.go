package main

import "github.com/apikeyguard/admin-apikey-guard/internal/ociemu"

// scimMaxPage is the largest count Identity Domains serves in one list response.
const scimMaxPage = 1000

// callFloor is the fewest calls any guard could make on the tenancy: find the Default domain
// (ListDomains), read the policies (ListPolicies), look the Administrators group up, list its
// members, list the members' keys, and delete each key. Listings are counted in pages of the
// largest size the API serves, and the key listing as if one filter could name every member.
type callFloor struct {
	members, adminKeys int
	discovery          int // everything but the deletes
}

func floorOf(t *ociemu.Tenancy) callFloor {
	var f callFloor
	def := t.DefaultDomain()
	owner := make(map[string]int, len(def.Users)) // user OCID -> keys held
	for _, u := range def.Users {
		owner[u.OCID] = len(u.APIKeys)
	}
	for _, g := range def.Groups {
		if g.DisplayName == ociemu.AdminGroupName {
			f.members += len(g.Members)
			for _, m := range g.Members {
				f.adminKeys += owner[m]
			}
		}
	}
	f.discovery = 1 + // ListDomains
		pages(len(t.Policies)) + // ListPolicies (IAM pages hold up to 1000 too)
		1 + // scim.ListGroups for the one configured group
		pages(f.members) + // scim.ListUsers filtered by group
		pages(f.adminKeys) // scim.ListApiKeys filtered by owner
	return f
}

// total is the floor for a run that deletes (enforce) or only reports (dry run).
func (f callFloor) total(dryRun bool) int {
	if dryRun {
		return f.discovery
	}
	return f.discovery + f.adminKeys
}

// pages is how many list calls n items take; an empty listing still costs one.
func pages(n int) int { return max(1, (n+scimMaxPage-1)/scimMaxPage) }
