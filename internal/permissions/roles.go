package permissions

// The Identity Domains reads of the escalation analysis (issue 23): who holds the Default
// domain's administrator roles. The roles are AppRoles of the domain's IDCSAppId application
// and their holders are Grants (SDK identitydomains ListAppRoles, ListGrants); the domain role
// the SCIM family holds (DomainRole) lets the function read them. The IAM family holds no
// domain role, so with the Default domain served through the IAM API the roles are reported
// "not evaluated".
const (
	OpSCIMListAppRoles = "scim.ListAppRoles"
	OpSCIMListGrants   = "scim.ListGrants"
)

func roleOperations() []string { return []string{OpSCIMListAppRoles, OpSCIMListGrants} }
