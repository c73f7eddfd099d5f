package ociemu

// SCIM sortBy. The SDK documents the parameter (identitydomains ListUsersRequest.SortBy,
// ApiKeySearchRequest.SortBy: "A string that indicates the attribute whose value SHALL be
// used to order the returned responses … MUST be in standard attribute notation") but no
// SDK field comment or schema property (idcsSearchable, returned, …) marks any attribute
// as sortable, so nothing may depend on a sort order. Unless Options.LenientParams is set, the
// emulator answers 400 to any sortBy; with it the parameter is accepted and ignored
// (listings are always in the domain's stable order).
// IAM sortBy is different: the SDK documents the enum TIMECREATED | NAME for every IAM
// list the emulator serves (ListGroupsSortByEnum, …); other values are refused (iam.go).
func (s *Server) checkSCIMSortBy(sortBy *string) error {
	if sortBy == nil || !s.strictParams {
		return nil
	}
	return badRequest("sortBy " + *sortBy + " is not a sortable attribute")
}
