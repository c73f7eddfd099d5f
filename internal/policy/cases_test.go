package policy

func grp(name string) Subject           { return Subject{Kind: KindGroup, Name: name} }
func grpIn(domain, name string) Subject { return Subject{Kind: KindGroup, Domain: domain, Name: name} }
func grpID(id string) Subject           { return Subject{Kind: KindGroup, OCID: id} }
func dg(name string) Subject            { return Subject{Kind: KindDynamicGroup, Name: name} }
func svc(name string) Subject           { return Subject{Kind: KindService, Name: name} }

var tenancy = Location{Tenancy: true}

func compartment(path string) Location { return Location{Compartment: path} }

// parseCases are real-shaped statements: the OCI documentation's examples,
// the default tenancy policy, and forms seen in real tenancies. Raw is filled
// in by the test from in.
var parseCases = []struct {
	name  string
	in    string
	want  Statement
	admin bool
}{
	{
		name:  "default tenancy admin policy",
		in:    "ALLOW GROUP Administrators to manage all-resources IN TENANCY",
		want:  Statement{Allow: true, Subjects: []Subject{grp("Administrators")}, Verb: "manage", Resource: "all-resources", Location: tenancy},
		admin: true,
	},
	{
		name:  "lower case",
		in:    "allow group Administrators to manage all-resources in tenancy",
		want:  Statement{Allow: true, Subjects: []Subject{grp("Administrators")}, Verb: "manage", Resource: "all-resources", Location: tenancy},
		admin: true,
	},
	{
		name:  "mixed case keywords keep the name's case",
		in:    "aLLoW GrOuP CloudAdmins To MaNaGe ALL-RESOURCES iN TeNaNcY",
		want:  Statement{Allow: true, Subjects: []Subject{grp("CloudAdmins")}, Verb: "manage", Resource: "all-resources", Location: tenancy},
		admin: true,
	},
	{
		name:  "extra whitespace and newlines",
		in:    "  Allow\n\tgroup\n   Administrators\r\n to manage   all-resources\n in\ttenancy  \n",
		want:  Statement{Allow: true, Subjects: []Subject{grp("Administrators")}, Verb: "manage", Resource: "all-resources", Location: tenancy},
		admin: true,
	},
	{
		name:  "non-breaking spaces pasted from a web page",
		in:    "Allow\u00a0group Administrators\u00a0to manage all-resources in\u00a0tenancy",
		want:  Statement{Allow: true, Subjects: []Subject{grp("Administrators")}, Verb: "manage", Resource: "all-resources", Location: tenancy},
		admin: true,
	},
	{
		name:  "domain-qualified with single quotes",
		in:    "Allow group 'Default'/'Administrators' to manage all-resources in tenancy",
		want:  Statement{Allow: true, Subjects: []Subject{grpIn("Default", "Administrators")}, Verb: "manage", Resource: "all-resources", Location: tenancy},
		admin: true,
	},
	{
		name:  "domain-qualified without quotes",
		in:    "Allow group OracleIdentityCloudService/Administrators to manage all-resources in tenancy",
		want:  Statement{Allow: true, Subjects: []Subject{grpIn("OracleIdentityCloudService", "Administrators")}, Verb: "manage", Resource: "all-resources", Location: tenancy},
		admin: true,
	},
	{
		name:  "quoted domain and group names with spaces",
		in:    "Allow group 'Corp Domain'/'Tenancy Admins' to manage all-resources in tenancy",
		want:  Statement{Allow: true, Subjects: []Subject{grpIn("Corp Domain", "Tenancy Admins")}, Verb: "manage", Resource: "all-resources", Location: tenancy},
		admin: true,
	},
	{
		name:  "double-quoted name with spaces",
		in:    `Allow group "Cloud Ops" to manage all-resources in tenancy`,
		want:  Statement{Allow: true, Subjects: []Subject{grp("Cloud Ops")}, Verb: "manage", Resource: "all-resources", Location: tenancy},
		admin: true,
	},
	{
		name:  "group by OCID",
		in:    "Allow group id ocid1.group.oc1..aaaaaaaaqjihfhvxmumrl to manage all-resources in tenancy",
		want:  Statement{Allow: true, Subjects: []Subject{grpID("ocid1.group.oc1..aaaaaaaaqjihfhvxmumrl")}, Verb: "manage", Resource: "all-resources", Location: tenancy},
		admin: true,
	},
	{
		name: "several OCIDs, keyword given once (documentation form)",
		in: "Allow group id ocid1.group.oc1..aaaaaaaaqjihfhvxmumrl,\n" +
			"  id ocid1.group.oc1..aaaaaaaavhea5mellwzb to manage all-resources in compartment Projects-A-and-B",
		want: Statement{Allow: true, Subjects: []Subject{grpID("ocid1.group.oc1..aaaaaaaaqjihfhvxmumrl"), grpID("ocid1.group.oc1..aaaaaaaavhea5mellwzb")},
			Verb: "manage", Resource: "all-resources", Location: compartment("Projects-A-and-B")},
	},
	{
		name: "several OCIDs, keyword repeated",
		in:   "Allow group id ocid1.group.oc1..aaaa1, group id ocid1.group.oc1..aaaa2 to manage all-resources in tenancy",
		want: Statement{Allow: true, Subjects: []Subject{grpID("ocid1.group.oc1..aaaa1"), grpID("ocid1.group.oc1..aaaa2")},
			Verb: "manage", Resource: "all-resources", Location: tenancy},
		admin: true,
	},
	{
		name: "several names, keyword given once (documentation form)",
		in:   "Allow group A-Admins, B-Admins to manage all-resources in compartment Projects-A-and-B",
		want: Statement{Allow: true, Subjects: []Subject{grp("A-Admins"), grp("B-Admins")}, Verb: "manage", Resource: "all-resources",
			Location: compartment("Projects-A-and-B")},
	},
	{
		name:  "several names, keyword repeated, no space after comma",
		in:    "Allow group NetAdmins,group 'Sec Admins' to manage all-resources in tenancy",
		want:  Statement{Allow: true, Subjects: []Subject{grp("NetAdmins"), grp("Sec Admins")}, Verb: "manage", Resource: "all-resources", Location: tenancy},
		admin: true,
	},
	{
		name: "groups of different domains",
		in:   "Allow group 'Default'/'Administrators', 'HR'/'Administrators' to manage all-resources in tenancy",
		want: Statement{Allow: true, Subjects: []Subject{grpIn("Default", "Administrators"), grpIn("HR", "Administrators")},
			Verb: "manage", Resource: "all-resources", Location: tenancy},
		admin: true,
	},
	{
		name:  "any-user admin",
		in:    "Allow any-user to manage all-resources in tenancy",
		want:  Statement{Allow: true, Subjects: []Subject{{Kind: KindAnyUser}}, Verb: "manage", Resource: "all-resources", Location: tenancy},
		admin: true,
	},
	{
		name: "any-group inspect users",
		in:   "Allow any-group to inspect users in tenancy",
		want: Statement{Allow: true, Subjects: []Subject{{Kind: KindAnyGroup}}, Verb: "inspect", Resource: "users", Location: tenancy},
	},
	{
		name: "dynamic group in a compartment",
		in:   "Allow dynamic-group FrontEnd to use load-balancers in compartment ProjectA",
		want: Statement{Allow: true, Subjects: []Subject{dg("FrontEnd")}, Verb: "use", Resource: "load-balancers", Location: compartment("ProjectA")},
	},
	{
		name: "domain-qualified dynamic group admin",
		in:   "Allow dynamic-group 'Default'/'fn-guard' to manage all-resources in tenancy",
		want: Statement{Allow: true, Subjects: []Subject{{Kind: KindDynamicGroup, Domain: "Default", Name: "fn-guard"}},
			Verb: "manage", Resource: "all-resources", Location: tenancy},
		admin: true,
	},
	{
		name: "dynamic group by OCID",
		in:   "Allow dynamic-group id ocid1.dynamicgroup.oc1..aaaadg to read secret-bundles in compartment id ocid1.compartment.oc1..aaaacmp",
		want: Statement{Allow: true, Subjects: []Subject{{Kind: KindDynamicGroup, OCID: "ocid1.dynamicgroup.oc1..aaaadg"}},
			Verb: "read", Resource: "secret-bundles", Location: Location{CompartmentID: "ocid1.compartment.oc1..aaaacmp"}},
	},
	{
		name:  "group and dynamic group together",
		in:    "Allow group Administrators, dynamic-group Automation to manage all-resources in tenancy",
		want:  Statement{Allow: true, Subjects: []Subject{grp("Administrators"), dg("Automation")}, Verb: "manage", Resource: "all-resources", Location: tenancy},
		admin: true,
	},
	{
		name: "admin grant with a condition",
		in:   "Allow group Administrators to manage all-resources in tenancy where request.user.name='break-glass'",
		want: Statement{Allow: true, Subjects: []Subject{grp("Administrators")}, Verb: "manage", Resource: "all-resources", Location: tenancy,
			Condition: "request.user.name='break-glass'"},
		admin: true,
	},
	{
		name: "least-privilege guard policy with any{} condition",
		in:   "Allow dynamic-group guard-dg to manage users in tenancy\n  where any {request.operation='ListApiKeys', request.operation='DeleteApiKey'}  ",
		want: Statement{Allow: true, Subjects: []Subject{dg("guard-dg")}, Verb: "manage", Resource: "users", Location: tenancy,
			Condition: "any {request.operation='ListApiKeys', request.operation='DeleteApiKey'}"},
	},
	{
		name: "condition text containing keywords is kept raw",
		in:   `Allow any-user to use functions-family in compartment Apps where ALL {request.principal.type= 'ApiGateway', target.tag.ns.to = "in tenancy"}`,
		want: Statement{Allow: true, Subjects: []Subject{{Kind: KindAnyUser}}, Verb: "use", Resource: "functions-family", Location: compartment("Apps"),
			Condition: `ALL {request.principal.type= 'ApiGateway', target.tag.ns.to = "in tenancy"}`},
	},
	{
		name: "manage all-resources in a compartment is not admin",
		in:   "Allow group Ops to manage all-resources in compartment Prod",
		want: Statement{Allow: true, Subjects: []Subject{grp("Ops")}, Verb: "manage", Resource: "all-resources", Location: compartment("Prod")},
	},
	{
		name: "nested compartment path",
		in:   "Allow group Ops to manage all-resources in compartment Prod:Network:Hub",
		want: Statement{Allow: true, Subjects: []Subject{grp("Ops")}, Verb: "manage", Resource: "all-resources", Location: compartment("Prod:Network:Hub")},
	},
	{
		name: "quoted compartment OCID",
		in:   "Allow group Ops to manage all-resources in compartment id 'ocid1.compartment.oc1..aaaacmp'",
		want: Statement{Allow: true, Subjects: []Subject{grp("Ops")}, Verb: "manage", Resource: "all-resources",
			Location: Location{CompartmentID: "ocid1.compartment.oc1..aaaacmp"}},
	},
	{
		name: "manage users in tenancy is not admin",
		in:   "Allow group IAMAdmins to manage users in tenancy",
		want: Statement{Allow: true, Subjects: []Subject{grp("IAMAdmins")}, Verb: "manage", Resource: "users", Location: tenancy},
	},
	{
		name: "use all-resources in tenancy is not admin",
		in:   "Allow group Developers to use all-resources in tenancy",
		want: Statement{Allow: true, Subjects: []Subject{grp("Developers")}, Verb: "use", Resource: "all-resources", Location: tenancy},
	},
	{
		name: "read all-resources in tenancy is not admin",
		in:   "Allow group Auditors to read all-resources in tenancy",
		want: Statement{Allow: true, Subjects: []Subject{grp("Auditors")}, Verb: "read", Resource: "all-resources", Location: tenancy},
	},
	{
		name: "permission list without resource type",
		in:   "Allow group Auditors to {USER_INSPECT, USER_READ} in tenancy",
		want: Statement{Allow: true, Subjects: []Subject{grp("Auditors")}, Permissions: []string{"USER_INSPECT", "USER_READ"}, Location: tenancy},
	},
	{
		name: "permission list with resource type",
		in:   "Allow group ObjectWriters to {OBJECT_CREATE,OBJECT_INSPECT} objects in compartment ABC where target.bucket.name='logs'",
		want: Statement{Allow: true, Subjects: []Subject{grp("ObjectWriters")}, Permissions: []string{"OBJECT_CREATE", "OBJECT_INSPECT"},
			Resource: "objects", Location: compartment("ABC"), Condition: "target.bucket.name='logs'"},
	},
	{
		name: "service principal",
		in:   "Allow service objectstorage-us-ashburn-1 to use keys in compartment Vault",
		want: Statement{Allow: true, Subjects: []Subject{svc("objectstorage-us-ashburn-1")}, Verb: "use", Resource: "keys", Location: compartment("Vault")},
	},
	{
		name: "several services, keyword given once",
		in:   "Allow service blockstorage, objectstorage-us-phoenix-1 to use keys in compartment Keys",
		want: Statement{Allow: true, Subjects: []Subject{svc("blockstorage"), svc("objectstorage-us-phoenix-1")}, Verb: "use", Resource: "keys",
			Location: compartment("Keys")},
	},
	{
		name: "quoted service name",
		in:   "Allow service 'FaaS' to read repos in tenancy",
		want: Statement{Allow: true, Subjects: []Subject{svc("FaaS")}, Verb: "read", Resource: "repos", Location: tenancy},
	},
	{
		name: "define tenancy",
		in:   "Define tenancy Acme as ocid1.tenancy.oc1..aaaaacme",
		want: Statement{},
	},
	{
		name: "define dynamic group",
		in:   "DEFINE dynamic-group RemoteDG as ocid1.dynamicgroup.oc1..aaaadg",
		want: Statement{},
	},
	{
		name: "endorse",
		in:   "Endorse group StorageAdmins to manage object-family in tenancy DestinationTenancy",
		want: Statement{},
	},
	{
		name: "admit",
		in:   "Admit group StorageAdmins of tenancy SourceTenancy to manage all-resources in tenancy",
		want: Statement{},
	},
	{
		name: "deny",
		in:   "deny any-user to manage policies in tenancy where all {target.policy.type='deny'}",
		want: Statement{},
	},
}
