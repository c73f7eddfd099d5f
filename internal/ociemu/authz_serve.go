package ociemu

import "net/http"

// authorize decides whether the authenticated principal may call rt: SCIM routes by the
// function's domain roles, everything else by the tenancy's IAM policies.
func (s *Server) authorize(scim *domainIndex, rt route, r *http.Request, principal string) bool {
	if scim != nil {
		return s.authorizeSCIM(scim, rt.op)
	}
	return s.authorizeIAM(rt.op, r, principal)
}
