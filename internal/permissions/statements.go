package permissions

// statements is the one list. Sources (OCI documentation):
//   - "Details for IAM with Identity Domains" (Content/Identity/policyreference/iampolicyreference.htm):
//     inspect domains = DOMAIN_INSPECT (ListDomains); inspect compartments =
//     COMPARTMENT_INSPECT (ListCompartments); inspect policies = POLICY_READ
//     (ListPolicies, statements included); inspect groups = GROUP_INSPECT;
//     inspect users = USER_INSPECT; read users adds USER_READ (ListApiKeys);
//     DeleteApiKey needs USER_UPDATE and USER_APIKEY_REMOVE, both only in
//     manage users.
//   - "Details for Notifications" (Content/Identity/Reference/notificationpolicyreference.htm):
//     PublishMessage needs ONS_TOPIC_PUBLISH (use ons-topics); only general
//     variables are supported, so a statement cannot name one topic.
//   - "General Variables for All Requests": request.permission is available
//     to every request; conditions on it keep a verb from granting more than
//     the listed permissions.
//
// Identity Domains (SCIM) calls are authorized by these IAM resource types
// (users, groups); deleting an administrator's key requires the grant at
// tenancy scope. See README.md (Deploy) for what could not be verified.
var statements = []Statement{
	{
		Feature:    FeatureCore,
		Template:   "Allow dynamic-group {{dg}} to inspect domains in tenancy",
		Why:        "Finds the Default identity domain's URL (and secondary domains) with IAM ListDomains when IDENTITY_DOMAIN_URL is not set.",
		Operations: []string{OpListDomains},
	},
	{
		Feature:    FeatureCore,
		Template:   "Allow dynamic-group {{dg}} to inspect compartments in tenancy",
		Why:        "Lists compartments so that identity domains and policies in sub-compartments are found too.",
		Operations: []string{OpListCompartments},
	},
	{
		Feature:    FeatureCore,
		Template:   "Allow dynamic-group {{dg}} to inspect policies in tenancy",
		Why:        "Reads policy statements to report (or, with INCLUDE_POLICY_ADMINS, treat as admins) groups granted manage all-resources in tenancy.",
		Operations: []string{OpListPolicies},
	},
	{
		Feature:    FeatureCore,
		Template:   "Allow dynamic-group {{dg}} to inspect groups in tenancy",
		Why:        "Looks up the admin groups and their members in the identity domain.",
		Operations: []string{OpSCIMListGroups},
	},
	{
		Feature:    FeatureCore,
		Template:   "Allow dynamic-group {{dg}} to inspect users in tenancy",
		Why:        "Lists the users who are members of the admin groups.",
		Operations: []string{OpSCIMListUsers},
	},
	{
		Feature:    FeatureCore,
		Template:   "Allow dynamic-group {{dg}} to manage users in tenancy where any {request.permission='USER_READ', request.permission='USER_UPDATE', request.permission='USER_APIKEY_REMOVE'}",
		Why:        "Lists and deletes admins' API keys; DeleteApiKey needs USER_UPDATE and USER_APIKEY_REMOVE, which only manage users grants, and only a tenancy-scope grant covers administrators; the condition keeps every other manage-users permission (create, delete, passwords, adding keys) out.",
		Operations: []string{OpSCIMListApiKeys, OpSCIMDeleteApiKey},
	},
	{
		Feature:    FeatureDisableCapability,
		Template:   "Allow dynamic-group {{dg}} to manage users in tenancy where request.permission='USER_CAPABILITIES_UPDATE'",
		Why:        "Sets canUseApiKeys=false on admins (DISABLE_API_KEY_CAPABILITY=true) so that no new key can be added.",
		Operations: []string{OpSCIMPatchUser},
	},
	{
		Feature:    FeatureNotifications,
		Template:   "Allow dynamic-group {{dg}} to use ons-topics in compartment id {{topic_compartment}} where request.permission='ONS_TOPIC_PUBLISH'",
		Why:        "Publishes the run summary to NOTIFICATION_TOPIC_ID; the condition allows publishing only, not subscribing.",
		Operations: []string{OpPublishMessage},
	},
}
