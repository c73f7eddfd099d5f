package ociemu

import (
	"context"
	"fmt"
	"regexp"
	"slices"
)

// Anomalies make the emulator answer the way a real service may while a tenancy changes under
// a listing, or when a record comes back incomplete: answers a strongly consistent, always
// well-formed emulator never gives on its own. Each knob names its source, or says it is an
// assumption (docs/emulator.md, "Paging under change and malformed records"). The zero value
// changes nothing. Set them with Options.Anomalies or Server.SetAnomalies.
type Anomalies struct {
	// PageCap answers at most this many items per page of every paged listing, whatever the
	// client asked (0: no cap). SCIM: "the service provider MUST NOT return more results than
	// specified, although it MAY return fewer results" (RFC 7644 §3.4.2.4, count); IAM: limit
	// is "the maximum number of items to return" (SDK identity/list_*_request_response.go), a
	// ceiling, not a promise. It makes a listing of a few members span several pages.
	PageCap int
	// MembersLeaveBetweenPages is how many times a member listing loses a member while it is
	// being paged: after a page of a group's members is served and more pages remain, the first
	// member of that page leaves the group, so every later member moves one index down and the
	// one at the page boundary is never served to a client that pages by position. SCIM:
	// ListUsers filtered on groups.value; IAM: ListUserGroupMemberships by groupId. Source: RFC
	// 7644 §3.4.2.4, "Pagination is not session based, and hence clients SHOULD never assume
	// repeatable results" (resources may change between requests). That IAM's opc-next-page
	// shifts the same way (the emulator's tokens carry an offset) is an assumption, the strict
	// reading: Oracle documents the token as opaque and says nothing about changes under it.
	MembersLeaveBetweenPages int
	// UnderReportTotal makes every SCIM list response's totalResults this much lower than the
	// number of resources that match (never below 0). Assumption: Oracle documents
	// totalResults as "the total number of results" (SDK identitydomains/users.go); a count
	// that lags the listing is what a server with a cached count would send.
	UnderReportTotal int
	// RepeatPageToken names operations (server.go's Op names) whose paging never advances:
	// IAM answers every page after the first with the very token it was asked for in
	// opc-next-page, and SCIM serves the first page whatever startIndex says. A client that
	// follows blindly loops until its deadline, and forever without one. Assumption: no Oracle
	// source describes such a fault; a client must end anyway.
	RepeatPageToken []string
	// UserWithoutOCID is a user name whose records come back without the user's OCID: SCIM
	// user documents without "ocid", IAM memberships of the user without "userId". Assumption:
	// both are "returned: default" / documented fields (SDK identitydomains/user.go Ocid,
	// identity/user_group_membership.go UserId, mandatory) that a truncated or faulty answer
	// would lack; the SDK does not refuse a response without them.
	UserWithoutOCID string
	// KeyWithoutOwner is an API key fingerprint whose records come back without their owner:
	// SCIM ApiKey without "user", IAM ApiKey without "userId". Assumption, as UserWithoutOCID
	// (SDK identitydomains/api_key.go User, identity/api_key.go UserId).
	KeyWithoutOwner string
}

// SetAnomalies replaces the anomalies from now on (and restarts MembersLeaveBetweenPages).
func (s *Server) SetAnomalies(a Anomalies) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.anomalies = a
}

func (s *Server) currentAnomalies() Anomalies {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.anomalies
}

// takeMemberLeave uses up one MembersLeaveBetweenPages, reporting whether there was one left.
func (s *Server) takeMemberLeave() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.anomalies.MembersLeaveBetweenPages <= 0 {
		return false
	}
	s.anomalies.MembersLeaveBetweenPages--
	return true
}

// opKey carries the route's operation name to the handlers that need it (paging anomalies).
type opKey struct{}

func withOp(ctx context.Context, op string) context.Context {
	return context.WithValue(ctx, opKey{}, op)
}

func opOf(ctx context.Context) string {
	op, _ := ctx.Value(opKey{}).(string)
	return op
}

// repeatsPages says whether the anomalies make op's paging stand still.
func (a Anomalies) repeatsPages(op string) bool { return slices.Contains(a.RepeatPageToken, op) }

// capPage is the page size a listing answers with, asked for n.
func (a Anomalies) capPage(n int) int {
	if a.PageCap > 0 {
		return min(n, a.PageCap)
	}
	return n
}

// memberFilter reads the group of a SCIM member listing's filter (groups.value eq "<id>"), the
// form the function sends.
var memberFilter = regexp.MustCompile(`^groups\.value eq "([^"\\]+)"$`)

// leaveGroup removes user from group gi of di (what an administrator's "remove from group"
// does), keeping the indexes and cached documents right. The caller holds the store lock.
func (di *domainIndex) leaveGroup(gi int, userOCID string) {
	g := &di.d.Groups[gi]
	g.Members = slices.DeleteFunc(g.Members, func(m string) bool { return m == userOCID })
	di.groupsOfUser[userOCID] = slices.DeleteFunc(di.groupsOfUser[userOCID], func(x int) bool { return x == gi })
	di.groupDocs[gi] = nil
	if ui, ok := di.userByOCID[userOCID]; ok {
		di.userDocs[ui] = nil
	}
}

// scimMemberLeaves applies MembersLeaveBetweenPages after a page of a SCIM member listing was
// built: served are the page's documents, more says pages remain. The caller holds the store
// lock.
func (s *Server) scimMemberLeaves(di *domainIndex, filter string, served []map[string]any, more bool) {
	m := memberFilter.FindStringSubmatch(filter)
	if m == nil || !more || len(served) == 0 {
		return
	}
	gi := -1
	for i, g := range di.d.Groups {
		if g.ID == m[1] {
			gi = i
		}
	}
	ocid, _ := served[0]["ocid"].(string)
	if gi < 0 || ocid == "" || !s.takeMemberLeave() {
		return
	}
	di.leaveGroup(gi, ocid)
	s.log.Debug("ociemu anomaly: a member left the group between pages", "group", m[1])
}

// malformSCIM strips what the anomalies say from a projected SCIM document of a listing.
func (a Anomalies) malformSCIM(doc map[string]any) map[string]any {
	if a.UserWithoutOCID != "" && doc["userName"] == a.UserWithoutOCID {
		delete(doc, "ocid")
	}
	if a.KeyWithoutOwner != "" && doc["fingerprint"] == a.KeyWithoutOwner {
		delete(doc, "user")
	}
	return doc
}

// pageToken is the emulator's opaque IAM page token for an offset.
func pageToken(offset int) string { return fmt.Sprintf("%s%d", pageTokenPrefix, offset) }
