package permissions

// Sources (OCI documentation), cited per statement in Source:
//   - iamRef: "Details for IAM with Identity Domains"
//     (https://docs.oracle.com/iaas/Content/Identity/policyreference/iampolicyreference.htm):
//     the permission each IAM API operation checks, and what each verb grants per resource type
//     (inspect users = USER_INSPECT, read users adds USER_READ, DeleteApiKey = USER_UPDATE +
//     USER_APIKEY_REMOVE, which only manage users grants; inspect groups = GROUP_INSPECT; …).
//   - onsRef: "Details for Notifications"
//     (https://docs.oracle.com/iaas/Content/Identity/Reference/notificationpolicyreference.htm):
//     PublishMessage needs ONS_TOPIC_PUBLISH (use ons-topics).
//   - "General Variables for All Requests": request.operation (and request.permission) are
//     available to every request; a condition on them keeps a verb from granting more than the
//     listed operations.
//   - roleRef: "Assigning a Domain Role to a Dynamic Group" and "Understanding Administrator
//     Roles" (https://docs.oracle.com/iaas/Content/Identity/dynamicgroups/assign-domain-role.htm,
//     https://docs.oracle.com/iaas/Content/Identity/roles/understand-administrator-roles.htm).
const (
	iamRef  = "Details for IAM with Identity Domains (iampolicyreference.htm)"
	onsRef  = "Details for Notifications (notificationpolicyreference.htm)"
	roleRef = "Assigning a Domain Role to a Dynamic Group (assign-domain-role.htm); Understanding Administrator Roles (understand-administrator-roles.htm)"
)

// statements is the one list of IAM policy statements.
var statements = []Statement{
	{
		Feature:    FeatureCore,
		Template:   "Allow dynamic-group {{dg}} to inspect policies in tenancy",
		Why:        "Reads policy statements to report (or, with INCLUDE_POLICY_ADMINS, treat as admins) groups granted manage all-resources in tenancy.",
		Source:     iamRef + ": ListPolicies needs POLICY_READ, which inspect policies grants",
		Operations: []string{OpListPolicies},
	},
	{
		Feature:    FeatureDomains,
		Template:   "Allow dynamic-group {{dg}} to inspect domains in tenancy",
		Why:        "Finds the identity domains' URLs with IAM ListDomains (the Default domain's, or checks that IDENTITY_DOMAIN_URL is the Default domain's, and any secondary domain's).",
		Source:     iamRef + ": ListDomains needs DOMAIN_INSPECT",
		Operations: []string{OpListDomains},
	},
	{
		Feature:    FeatureSubCompartments,
		Template:   "Allow dynamic-group {{dg}} to inspect compartments in tenancy",
		Why:        "Lists compartments so that secondary identity domains in sub-compartments are found too.",
		Source:     iamRef + ": ListCompartments needs COMPARTMENT_INSPECT",
		Operations: []string{OpListCompartments},
	},
	{
		Feature:    FeatureIAM,
		Template:   "Allow dynamic-group {{dg}} to inspect groups in tenancy",
		Why:        "Finds the Default domain's admin groups and lists their memberships through the IAM API.",
		Source:     iamRef + ": ListGroups and GetGroup need GROUP_INSPECT; ListUserGroupMemberships needs GROUP_INSPECT and USER_INSPECT",
		Operations: []string{OpListGroups, OpGetGroup, OpListUserGroupMemberships},
	},
	{
		Feature:    FeatureIAM,
		Template:   "Allow dynamic-group {{dg}} to inspect users in tenancy",
		Why:        "Reads each administrator's name, state and capabilities through the IAM API.",
		Source:     iamRef + ": GetUser needs USER_INSPECT; ListUserGroupMemberships needs USER_INSPECT and GROUP_INSPECT",
		Operations: []string{OpGetUser, OpListUserGroupMemberships},
	},
	{
		Feature:    FeatureIAM,
		Template:   "Allow dynamic-group {{dg}} to manage users in tenancy where any {request.operation='ListApiKeys', request.operation='DeleteApiKey'}",
		Why:        "Lists and deletes admins' API keys; DeleteApiKey needs USER_UPDATE and USER_APIKEY_REMOVE, which only manage users grants, and only a tenancy-scope grant covers administrators; the condition allows these two operations and no other use of manage users (create, delete, passwords, adding keys).",
		Source:     iamRef + ": ListApiKeys needs USER_READ; DeleteApiKey needs USER_UPDATE and USER_APIKEY_REMOVE",
		Operations: []string{OpListApiKeys, OpDeleteApiKey},
	},
	{
		Feature:    FeatureIAM,
		Template:   "Allow dynamic-group {{dg}} to inspect tenancies in tenancy",
		Why:        "Finds the tenancy's home region (ListRegionSubscriptions, once per run and only when an IAM write is due): IAM writes must go to the home region's endpoint (Managing Regions); not used when OCI_IDENTITY_ENDPOINT is set.",
		Source:     iamRef + ": ListRegionSubscriptions needs TENANCY_INSPECT, which inspect tenancies grants; Managing Regions (managingregions.htm): IAM updates use the home region's endpoint",
		Operations: []string{OpListRegionSubscriptions},
	},
	{
		Feature:    FeatureDisableCapability,
		Template:   "Allow dynamic-group {{dg}} to manage users in tenancy where request.operation='UpdateUserCapabilities'",
		Why:        "Sets canUseApiKeys=false on admins (DISABLE_API_KEY_CAPABILITY=true) so that no new key can be added; Oracle's operation table does not list this operation's permissions, so the condition names the operation itself.",
		Source:     iamRef + " (the operation is not in its table; the CIS OCI Landing Zone grants it the same way) and General Variables for All Requests: request.operation",
		Operations: []string{OpUpdateUserCapabilities},
	},
	// One statement per credential kind (ADMIN_CREDENTIALS), narrowed like the API-key one to
	// the kind's List and Delete operations. Permissions from iamRef where its table names the
	// operation: List… needs USER_READ; DeleteAuthToken USER_UPDATE + USER_AUTHTOKEN_REMOVE,
	// DeleteCustomerSecretKey USER_UPDATE + USER_SECRETKEY_REMOVE, DeleteOAuthClientCredential
	// USER_UPDATE + USER_OAUTH2_CLIENT_CRED_REMOVE (all "manage users" permissions in its verb
	// table). DeleteDbCredential: ASSUMPTION, the verb table lists no DB credential permission;
	// the condition names the operation, as for UpdateUserCapabilities, so manage users covers
	// whatever it checks.
	//
	// SMTP credentials are not users' permissions at all: iamRef, resource type "credentials":
	// "The credentials resource type refers to only the SMTP credentials" (the other kinds are
	// included with users); ListSmtpCredentials needs CREDENTIAL_INSPECT and DeleteSmtpCredential
	// CREDENTIAL_REMOVE, which only manage credentials grants (manage adds CREDENTIAL_ADD,
	// CREDENTIAL_UPDATE and CREDENTIAL_REMOVE to inspect's CREDENTIAL_INSPECT). So the statement
	// is manage credentials, in tenancy (users live in the root compartment), narrowed with
	// request.operation, a general variable available to every request ("General Variables for
	// All Requests"), to the two operations: the rest of manage credentials (creating and
	// updating SMTP credentials) is not granted. "manage users" grants neither permission.
	{
		Feature:    FeatureAuthTokens,
		Template:   "Allow dynamic-group {{dg}} to manage users in tenancy where any {request.operation='ListAuthTokens', request.operation='DeleteAuthToken'}",
		Why:        "Lists and deletes admins' auth tokens (ADMIN_CREDENTIALS includes auth-tokens); the condition allows these two operations only.",
		Source:     iamRef + ": ListAuthTokens needs USER_READ; DeleteAuthToken needs USER_UPDATE and USER_AUTHTOKEN_REMOVE",
		Operations: []string{OpListAuthTokens, OpDeleteAuthToken},
	},
	{
		Feature:    FeatureCustomerSecretKeys,
		Template:   "Allow dynamic-group {{dg}} to manage users in tenancy where any {request.operation='ListCustomerSecretKeys', request.operation='DeleteCustomerSecretKey'}",
		Why:        "Lists and deletes admins' customer secret keys (ADMIN_CREDENTIALS includes customer-secret-keys); the condition allows these two operations only.",
		Source:     iamRef + ": ListCustomerSecretKeys needs USER_READ; DeleteCustomerSecretKey needs USER_UPDATE and USER_SECRETKEY_REMOVE",
		Operations: []string{OpListCustomerSecretKeys, OpDeleteCustomerSecretKey},
	},
	{
		Feature:    FeatureSMTPCredentials,
		Template:   "Allow dynamic-group {{dg}} to manage credentials in tenancy where any {request.operation='ListSmtpCredentials', request.operation='DeleteSmtpCredential'}",
		Why:        "Lists and deletes admins' SMTP credentials (ADMIN_CREDENTIALS includes smtp-credentials); SMTP credentials are the credentials resource type, not users, and the condition allows these two operations only.",
		Source:     iamRef + ", resource type credentials (only the SMTP credentials): ListSmtpCredentials needs CREDENTIAL_INSPECT; DeleteSmtpCredential needs CREDENTIAL_REMOVE, which only manage credentials grants",
		Operations: []string{OpListSmtpCredentials, OpDeleteSmtpCredential},
	},
	{
		Feature:    FeatureOAuth2ClientCredentials,
		Template:   "Allow dynamic-group {{dg}} to manage users in tenancy where any {request.operation='ListOAuthClientCredentials', request.operation='DeleteOAuthClientCredential'}",
		Why:        "Lists and deletes admins' OAuth 2.0 client credentials (ADMIN_CREDENTIALS includes oauth2-client-credentials); the condition allows these two operations only.",
		Source:     iamRef + ": ListOAuthClientCredentials needs USER_READ; DeleteOAuthClientCredential needs USER_UPDATE and USER_OAUTH2_CLIENT_CRED_REMOVE",
		Operations: []string{OpListOAuthClientCredentials, OpDeleteOAuthClientCredential},
	},
	{
		Feature:    FeatureDBCredentials,
		Template:   "Allow dynamic-group {{dg}} to manage users in tenancy where any {request.operation='ListDbCredentials', request.operation='DeleteDbCredential'}",
		Why:        "Lists and deletes admins' database credentials (ADMIN_CREDENTIALS includes db-credentials); the condition allows these two operations only.",
		Source:     iamRef + ": ListDbCredentials needs USER_READ; DeleteDbCredential's permissions are not in the table (assumed manage users; the condition names the operation)",
		Operations: []string{OpListDbCredentials, OpDeleteDbCredential},
	},
	{
		Feature:    FeatureNotifications,
		Template:   "Allow dynamic-group {{dg}} to use ons-topics in compartment id {{topic_compartment}} where request.permission='ONS_TOPIC_PUBLISH'",
		Why:        "Publishes the run summary to NOTIFICATION_TOPIC_ID; the condition allows publishing only, not subscribing.",
		Source:     onsRef + ": PublishMessage needs ONS_TOPIC_PUBLISH",
		Operations: []string{OpPublishMessage},
	},
}

// Role is an identity-domain administrator role granted to the dynamic group through the OCI
// IAM application of a domain.
type Role struct {
	Name       string
	Why        string
	Source     string
	Operations []string
}

// DomainRole is what the SCIM family needs in every identity domain it serves. Oracle
// documents no narrower role that reaches users who are themselves identity-domain
// administrators (the Default domain's Administrators are): "Managing Users" names the
// Identity Domain Administrator and Security Administrator roles; the first is the one
// documented to manage users, groups and their credentials. It is broad: it is why
// IDENTITY_API=auto keeps the Default domain on the IAM API and its exact statements.
var DomainRole = Role{
	Name:       "Identity Domain Administrator",
	Why:        "Lets the dynamic group list groups and users, list and delete users' API keys and update their capabilities through the Identity Domains API, and (in the Default domain) read who holds its administrator roles; it is the domain's superuser role, so grant it only where secondary domains or IDENTITY_API=scim need it.",
	Source:     roleRef + "; Managing Users, Required Policy or Role (about-managing-users.htm)",
	Operations: append(append([]string{OpSCIMListGroups, OpSCIMListUsers, OpSCIMSearchApiKeys, OpSCIMDeleteApiKey, OpSCIMPatchUser}, scimCredentialOperations()...), roleOperations()...),
}
