package ociemu

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

const iamPrefix = "/20160918"

// iamRoutes serves IAM for the Default domain, as OCI does for tenancies with identity
// domains. IAM user and group ids are the domain resources' OCIDs.
func (s *Server) iamRoutes() *http.ServeMux {
	mux := http.NewServeMux()
	s.handle(mux, iamPrefix+"/domains", map[string]route{http.MethodGet: {OpListDomains, s.listDomains}})
	s.handle(mux, iamPrefix+"/compartments", map[string]route{http.MethodGet: {OpListCompartments, s.listCompartments}})
	s.handle(mux, iamPrefix+"/groups", map[string]route{http.MethodGet: {OpListGroups, s.listGroups}})
	s.handle(mux, iamPrefix+"/groups/{groupId}", map[string]route{http.MethodGet: {OpGetGroup, s.getGroup}})
	s.handle(mux, iamPrefix+"/users", map[string]route{http.MethodGet: {OpListUsers, s.listUsers}})
	s.handle(mux, iamPrefix+"/users/{userId}", map[string]route{http.MethodGet: {OpGetUser, s.getUser}})
	s.handle(mux, iamPrefix+"/userGroupMemberships", map[string]route{http.MethodGet: {OpListUserGroupMemberships, s.listMemberships}})
	s.handle(mux, iamPrefix+"/users/{userId}/apiKeys", map[string]route{http.MethodGet: {OpListApiKeys, s.listAPIKeys}})
	s.handle(mux, iamPrefix+"/users/{userId}/apiKeys/{fingerprint}", map[string]route{http.MethodDelete: {OpDeleteApiKey, s.deleteAPIKey}})
	s.handle(mux, iamPrefix+"/policies", map[string]route{http.MethodGet: {OpListPolicies, s.listPolicies}})
	s.handle(mux, iamPrefix+"/tenancies/{tenancyId}/regionSubscriptions", map[string]route{http.MethodGet: {OpListRegionSubscriptions, s.listRegionSubscriptions}})
	s.handle(mux, iamPrefix+"/users/{userId}/capabilities", map[string]route{http.MethodPut: {OpUpdateUserCapabilities, s.updateCapabilities}})
	s.credentialRoutesIAM(mux)
	s.handleUnknown(mux)
	return mux
}

// writeFailure answers err: a badRequest is 400, errNotFound 404, anything else 500.
func writeFailure(w http.ResponseWriter, err error) {
	var br badRequest
	switch {
	case errors.As(err, &br):
		writeError(w, http.StatusBadRequest, "InvalidParameter", br.Error())
	case errors.Is(err, errNotFound):
		writeError(w, http.StatusNotFound, "NotAuthorizedOrNotFound", "resource not found or not authorized")
	default:
		writeError(w, http.StatusInternalServerError, "InternalServerError", err.Error())
	}
}

var errNotFound = errors.New("not found")

// compartmentParam returns the required compartmentId, 404 for a compartment that does
// not exist and whether it is the tenancy (where users and groups live).
func (s *Server) compartmentParam(r *http.Request) (id string, isTenancy bool, err error) {
	id = r.URL.Query().Get("compartmentId")
	if id == "" {
		return "", false, badRequest("compartmentId is required")
	}
	if id == s.tenancyID {
		return id, true, nil
	}
	if _, ok := s.store.compByID[id]; !ok {
		return "", false, errNotFound
	}
	return id, false, nil
}

// writePage pages n items with IAM semantics and renders items lo..hi with item.
func writePage[T any](s *Server, w http.ResponseWriter, r *http.Request, n int, item func(i int) T) {
	lo, hi, err := iamPage(s.currentAnomalies(), w, r, n)
	if err != nil {
		writeFailure(w, err)
		return
	}
	out := make([]T, 0, hi-lo)
	for i := lo; i < hi; i++ {
		out = append(out, item(i))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listDomains(w http.ResponseWriter, r *http.Request, _ []byte) {
	comp, _, err := s.compartmentParam(r)
	if err != nil {
		writeFailure(w, err)
		return
	}
	q := r.URL.Query()
	var match []*domainIndex
	for i := range s.store.t.Domains { // domains are never added or removed: no lock needed
		di := s.store.domains[s.store.t.Domains[i].ID]
		d := di.d
		if d.CompartmentID != comp ||
			(q.Get("type") != "" && !strings.EqualFold(q.Get("type"), d.Type)) ||
			(q.Get("displayName") != "" && q.Get("displayName") != d.DisplayName) {
			continue
		}
		match = append(match, di)
	}
	writePage(s, w, r, len(match), func(i int) iamDomain {
		d := match[i].d
		return iamDomain{
			ID: d.ID, CompartmentID: d.CompartmentID, DisplayName: d.DisplayName, Description: d.DisplayName,
			URL: match[i].url, HomeRegionURL: match[i].url, HomeRegion: s.homeRegion, ReplicaRegions: []string{},
			Type: d.Type, LicenseType: d.licenseType(), TimeCreated: timeCreated, LifecycleState: "ACTIVE",
		}
	})
}

func (s *Server) listCompartments(w http.ResponseWriter, r *http.Request, _ []byte) {
	parent, _, err := s.compartmentParam(r)
	if err != nil {
		writeFailure(w, err)
		return
	}
	subtree := strings.EqualFold(r.URL.Query().Get("compartmentIdInSubtree"), "true")
	var match []Compartment
	under := map[string]bool{parent: true}
	// Compartments are listed parents first in fixtures we generate, but not necessarily in
	// hand-written ones, so grow the subtree until it stops changing.
	for changed := true; changed; {
		changed = false
		for _, c := range s.store.t.Compartments {
			if under[c.ParentID] && !under[c.ID] && (subtree || c.ParentID == parent) {
				under[c.ID] = true
				match = append(match, c)
				changed = true
			}
		}
	}
	writePage(s, w, r, len(match), func(i int) iamCompartment {
		c := match[i]
		return iamCompartment{ID: c.ID, CompartmentID: c.ParentID, Name: c.Name, Description: c.Name,
			TimeCreated: timeCreated, LifecycleState: "ACTIVE", IsAccessible: true}
	})
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request, _ []byte) {
	_, root, err := s.compartmentParam(r)
	if err != nil {
		writeFailure(w, err)
		return
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	groups := s.store.def.d.Groups
	if !root {
		groups = nil
	}
	groups, err = iamNamed(r, groups, func(g *Group) string { return g.DisplayName })
	if err != nil {
		writeFailure(w, err)
		return
	}
	writePage(s, w, r, len(groups), func(i int) iamGroup { return toIAMGroup(s.tenancyID, &groups[i]) })
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request, _ []byte) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	gi, ok := s.store.def.groupByOCID[r.PathValue("groupId")]
	if !ok {
		writeFailure(w, errNotFound)
		return
	}
	writeJSON(w, http.StatusOK, toIAMGroup(s.tenancyID, &s.store.def.d.Groups[gi]))
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, _ []byte) {
	_, root, err := s.compartmentParam(r)
	if err != nil {
		writeFailure(w, err)
		return
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	users := s.store.def.d.Users
	if !root {
		users = nil
	}
	users, err = iamNamed(r, users, func(u *User) string { return u.UserName })
	if err != nil {
		writeFailure(w, err)
		return
	}
	writePage(s, w, r, len(users), func(i int) iamUser { return toIAMUser(s.tenancyID, &users[i]) })
}

// lookupUser finds the Default-domain user of the path's {userId}, or answers 404 (IAM's
// NotAuthorizedOrNotFound) and says so. Callers hold the store lock.
func (s *Server) lookupUser(w http.ResponseWriter, r *http.Request) (int, bool) {
	ui, ok := s.store.def.userByOCID[r.PathValue("userId")]
	if !ok {
		writeFailure(w, errNotFound)
	}
	return ui, ok
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, _ []byte) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	ui, ok := s.lookupUser(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, toIAMUser(s.tenancyID, &s.store.def.d.Users[ui]))
}

func (s *Server) listMemberships(w http.ResponseWriter, r *http.Request, _ []byte) {
	_, root, err := s.compartmentParam(r)
	if err != nil {
		writeFailure(w, err)
		return
	}
	q := r.URL.Query()
	userID, groupID := q.Get("userId"), q.Get("groupId")
	if s.ignoringFilters() {
		userID, groupID = "", ""
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	def := s.store.def
	type pair struct{ group, user string }
	var match []pair
	switch {
	case !root:
	case userID != "":
		for _, gi := range def.groupsOfUser[userID] {
			g := def.d.Groups[gi]
			if groupID == "" || groupID == g.OCID {
				match = append(match, pair{g.OCID, userID})
			}
		}
	case groupID != "":
		if gi, ok := def.groupByOCID[groupID]; ok {
			for _, m := range def.d.Groups[gi].Members {
				match = append(match, pair{groupID, m})
			}
		}
	default:
		for _, g := range def.d.Groups {
			for _, m := range g.Members {
				match = append(match, pair{g.OCID, m})
			}
		}
	}
	a := s.currentAnomalies()
	lo, hi, err := iamPage(a, w, r, len(match))
	if err != nil {
		writeFailure(w, err)
		return
	}
	out := make([]iamMembership, 0, hi-lo)
	for _, p := range match[lo:hi] {
		m := iamMembership{ID: membershipID(p.group, p.user), CompartmentID: s.tenancyID, GroupID: p.group,
			UserID: p.user, TimeCreated: timeCreated, LifecycleState: "ACTIVE"}
		if ui, ok := def.userByOCID[p.user]; ok && a.UserWithoutOCID != "" && def.d.Users[ui].UserName == a.UserWithoutOCID {
			m.UserID = "" // Anomalies.UserWithoutOCID: left out of the JSON (omitempty)
		}
		out = append(out, m)
	}
	// Anomalies.MembersLeaveBetweenPages: the first member of this page leaves the group
	// before the client asks for the next one.
	if groupID != "" && userID == "" && hi < len(match) && hi > lo && s.takeMemberLeave() {
		def.leaveGroup(def.groupByOCID[groupID], match[lo].user)
	}
	writeJSON(w, http.StatusOK, out)
}

// listAPIKeys is not paged, like the real operation.
func (s *Server) listAPIKeys(w http.ResponseWriter, r *http.Request, _ []byte) {
	lying := s.ignoringFilters()
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	ui, ok := s.lookupUser(w, r)
	if !ok {
		return
	}
	users := []int{ui}
	if lying {
		users = make([]int, len(s.store.def.d.Users))
		for i := range users {
			users[i] = i
		}
	}
	out := []iamAPIKey{}
	now, cons := time.Now(), s.store.cons
	a := s.currentAnomalies()
	for _, ui := range users {
		u := &s.store.def.d.Users[ui]
		for i := range u.APIKeys {
			if cons.liveState(u.APIKeys[i].ID, now) == keyUnlisted {
				continue
			}
			k := toIAMAPIKey(s.tenancyID, u.OCID, &u.APIKeys[i])
			if a.KeyWithoutOwner != "" && k.Fingerprint == a.KeyWithoutOwner {
				k.UserID = "" // Anomalies.KeyWithoutOwner: left out of the JSON (omitempty)
			}
			out = append(out, k)
		}
		// Keys deleted lately, as a lagging listing still shows them (consistency.go).
		ghosts, states := cons.ghosts(s.store.def.d.ID, ui, now)
		for i, g := range ghosts {
			k := toIAMAPIKey(s.tenancyID, u.OCID, &g.key)
			if states[i] == keyDeleting {
				k.LifecycleState = "DELETING"
			}
			out = append(out, k)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) deleteAPIKey(w http.ResponseWriter, r *http.Request, _ []byte) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	ui, ok := s.lookupUser(w, r)
	if !ok {
		return
	}
	fp := r.PathValue("fingerprint")
	ki := s.store.def.findKeyByFingerprint(ui, fp)
	now := time.Now()
	if ki < 0 {
		if s.store.cons.stillDeleting(func(d *deletedKey) bool {
			return d.domainID == s.store.def.d.ID && d.user == ui && d.key.Fingerprint == fp
		}, now) {
			writeIncorrectState(w, false)
			return
		}
		writeFailure(w, errNotFound)
		return
	}
	s.store.cons.recordDelete(s.store.def.d.ID, ui, s.store.def.d.Users[ui].APIKeys[ki], now)
	s.store.def.deleteKey(ui, ki)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listPolicies(w http.ResponseWriter, r *http.Request, _ []byte) {
	comp, _, err := s.compartmentParam(r)
	if err != nil {
		writeFailure(w, err)
		return
	}
	var match []Policy
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	for _, p := range s.store.t.Policies {
		if p.CompartmentID == comp {
			match = append(match, p)
		}
	}
	if match, err = iamNamed(r, match, func(p *Policy) string { return p.Name }); err != nil {
		writeFailure(w, err)
		return
	}
	writePage(s, w, r, len(match), func(i int) iamPolicy {
		p := match[i]
		return iamPolicy{ID: p.ID, CompartmentID: p.CompartmentID, Name: p.Name, Statements: p.Statements,
			Description: p.Name, TimeCreated: timeCreated, LifecycleState: "ACTIVE"}
	})
}

// capabilitiesDetails is UpdateUserCapabilitiesDetails (identity/update_user_capabilities_details.go:
// note canUseDBCredentials, spelled so in the request only). canUseConsolePassword is accepted
// but not stored; absent fields are kept.
type capabilitiesDetails struct {
	CanUseConsolePassword         *bool `json:"canUseConsolePassword"`
	CanUseApiKeys                 *bool `json:"canUseApiKeys"`
	CanUseAuthTokens              *bool `json:"canUseAuthTokens"`
	CanUseSmtpCredentials         *bool `json:"canUseSmtpCredentials"`
	CanUseDBCredentials           *bool `json:"canUseDBCredentials"`
	CanUseCustomerSecretKeys      *bool `json:"canUseCustomerSecretKeys"`
	CanUseOAuth2ClientCredentials *bool `json:"canUseOAuth2ClientCredentials"`
}

func (s *Server) updateCapabilities(w http.ResponseWriter, r *http.Request, body []byte) {
	var d capabilitiesDetails
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		writeFailure(w, badRequest("body is not a valid UpdateUserCapabilitiesDetails"))
		return
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	ui, ok := s.lookupUser(w, r)
	if !ok {
		return
	}
	if d.CanUseApiKeys != nil {
		s.store.def.setCanUseAPIKeys(ui, *d.CanUseApiKeys)
	}
	for kind, v := range map[string]*bool{CredAuthTokens: d.CanUseAuthTokens, CredCustomerSecretKeys: d.CanUseCustomerSecretKeys,
		CredSMTPCredentials: d.CanUseSmtpCredentials, CredOAuth2ClientCredentials: d.CanUseOAuth2ClientCredentials, CredDBCredentials: d.CanUseDBCredentials} {
		if v != nil {
			s.store.def.setCapability(ui, kind, *v)
		}
	}
	writeJSON(w, http.StatusOK, toIAMUser(s.tenancyID, &s.store.def.d.Users[ui]))
}
