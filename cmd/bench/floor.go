package main

import (
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/oracle"
)

// scimMaxPage is the largest count Identity Domains serves in one list response.
const scimMaxPage = 1000

// callFloor is the fewest calls any guard could make on the tenancy through one identity API
// family. Both read the policies (ListPolicies), look the Administrators group up, list its
// members and their keys, and delete each key. SCIM also finds the Default domain
// (ListDomains), lists members in pages of 1000 and keys as if one filter could name every
// member; the IAM API needs no domain lookup but has no batch reads, so it reads each member
// (GetUser) and each member's keys (ListApiKeys) one call each. SCIM also reads who holds the
// Default domain's administrator roles (one AppRoles and one Grants call), which IAM cannot.
type callFloor struct {
	members, adminKeys int
	discovery          int // everything but the deletes
}

func floorOf(t *ociemu.Tenancy, api string) callFloor {
	admins := oracle.Admins(t, oracle.DefaultAdministrators(t), nil)
	f := callFloor{members: len(admins), adminKeys: len(oracle.Keys(admins))}
	if api == permissions.APISCIM {
		f.discovery = 1 + // ListDomains
			pages(len(t.Policies)) + // ListPolicies (IAM pages hold up to 1000 too)
			1 + // scim.ListGroups for the one configured group
			pages(f.members) + // scim.ListUsers filtered by group
			pages(f.adminKeys) + // scim.SearchApiKeys filtered by owner
			2 // scim.ListAppRoles and scim.ListGrants: who holds the Default domain's administrator roles (escalation paths)
		return f
	}
	f.discovery = pages(len(t.Policies)) + // ListPolicies
		1 + // ListGroups by name
		pages(f.members) + // ListUserGroupMemberships by groupId
		2*f.members // GetUser and ListApiKeys per member
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
