package ociemu

import "net/http"

// authorize decides whether the authenticated caller may call rt: SCIM routes by the
// function's domain roles (a user principal holds none here: userprincipal.go), everything
// else by the tenancy's IAM policies.
func (s *Server) authorize(scim *domainIndex, rt route, r *http.Request, c caller) bool {
	s.store.mu.Lock() // SetAuthorization may change policies and roles
	defer s.store.mu.Unlock()
	if scim != nil {
		return !c.User && s.authorizeSCIM(scim, rt.op)
	}
	return s.authorizeIAM(rt.op, r, s.requesterOf(c))
}

// SetAuthorization replaces the tenancy's policies and the domain roles of dynamic groups
// (by domain OCID; a domain not in roles keeps its roles), for tests that try many grants
// on one server. The function's dynamic group memberships do not change.
func (s *Server) SetAuthorization(policies []Policy, roles map[string]map[string][]string) error {
	next := s.Snapshot()
	next.Policies = policies
	for i := range next.Domains {
		if r, ok := roles[next.Domains[i].ID]; ok {
			next.Domains[i].DynamicGroupRoles = r
		}
	}
	if err := next.Validate(); err != nil {
		return err
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	s.store.t.Policies = next.Policies
	for i := range s.store.t.Domains {
		s.store.t.Domains[i].DynamicGroupRoles = next.Domains[i].DynamicGroupRoles
	}
	s.statements = parsePolicies(s.store.t)
	return nil
}
