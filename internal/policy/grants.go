package policy

// Policy is an IAM policy reduced to what the parser needs.
type Policy struct {
	Name       string
	Statements []string
}

// AdminGrant is one subject made a tenancy administrator by one statement.
type AdminGrant struct {
	Subject Subject
	// Conditional is true when the statement has a where clause, so the
	// subject is an administrator only for some requests; callers should
	// report such grants rather than treat them like unconditional ones.
	Conditional bool
	Statement   string
	PolicyName  string
}

// AdminGrants returns every subject that the policies grant manage
// all-resources in tenancy, in policy and statement order. Subjects of every
// kind are included (dynamic groups, any-group, any-user, services), so
// callers can report grants they will not act on. A statement that fails to
// parse is returned as a *StatementError in problems and never silently
// dropped: it may be an administrator grant this parser could not read.
func AdminGrants(policies []Policy) (grants []AdminGrant, problems []error) {
	return AdminGrantsIn(policies, "")
}

// AdminGrantsIn is AdminGrants for a known tenancy: "in compartment id <tenancy OCID>" names
// the root compartment, so it grants the same as "in tenancy".
func AdminGrantsIn(policies []Policy, tenancyOCID string) (grants []AdminGrant, problems []error) {
	for _, pol := range policies {
		for i, raw := range pol.Statements {
			st, err := Parse(raw)
			if err != nil {
				problems = append(problems, &StatementError{PolicyName: pol.Name, Index: i, Statement: raw, Err: err})
				continue
			}
			if tenancyOCID != "" && st.Location.CompartmentID == tenancyOCID {
				st.Location = Location{Tenancy: true}
			}
			if !st.GrantsTenancyAdmin() {
				continue
			}
			for _, s := range st.Subjects {
				grants = append(grants, AdminGrant{
					Subject:     s,
					Conditional: st.Condition != "",
					Statement:   raw,
					PolicyName:  pol.Name,
				})
			}
		}
	}
	return grants, problems
}
