package ociemu

import "slices"

// Tenancy is the whole emulated state. It is also the JSON fixture format.
type Tenancy struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Region is the region the function runs in (its resource principal's); HomeRegion is the
	// tenancy's home region, where IAM writes must go (regions.go), Region when empty.
	Region       string        `json:"region"`
	HomeRegion   string        `json:"homeRegion,omitempty"`
	Compartments []Compartment `json:"compartments,omitempty"`
	Domains      []Domain      `json:"domains"`
	Policies     []Policy      `json:"policies,omitempty"`
	Topics       []Topic       `json:"topics,omitempty"`
	// FunctionDynamicGroups are the dynamic groups whose matching rules the function's
	// resource principal satisfies. OCI evaluates matching rules against the resource
	// (e.g. "ALL {resource.type = 'fnfunc', resource.compartment.id = '…'}"); the emulator
	// does not model rules and takes the membership as given (an assumption of the
	// fixture). Every principal MintPrincipal issues is that function. No entry means the
	// principal is in no dynamic group: every IAM and SCIM request is then refused.
	FunctionDynamicGroups []DynamicGroupRef `json:"functionDynamicGroups,omitempty"`
}

// DynamicGroupRef names a dynamic group: its identity domain (display name), its name and
// its OCID. Dynamic group names are unique across the tenancy ("Creating a Dynamic
// Group", https://docs.oracle.com/iaas/Content/Identity/dynamicgroups/To_create_a_dynamic_group.htm).
type DynamicGroupRef struct {
	Domain string `json:"domain"`
	Name   string `json:"name"`
	OCID   string `json:"ocid"`
}

// Compartment is a sub-compartment; the tenancy itself is the root and is not listed.
type Compartment struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	ParentID string `json:"parentId"`
}

// Domain types as IAM reports them.
const (
	DomainTypeDefault   = "DEFAULT"
	DomainTypeSecondary = "SECONDARY"
)

// Domain is an identity domain with its own SCIM endpoint.
type Domain struct {
	ID            string `json:"id"`
	DisplayName   string `json:"displayName"`
	Type          string `json:"type"`
	CompartmentID string `json:"compartmentId"`
	// LicenseType is the domain type, as IAM ListDomains reports it (Domain.licenseType, "The
	// License type of Domain", identity/domain.go; Oracle's example value "oracle-apps-premium")
	// and as its rate limits follow it (throttle.go). Empty is "premium", what the emulator
	// answered before the field existed.
	LicenseType string  `json:"licenseType,omitempty"`
	Users       []User  `json:"users,omitempty"`
	Groups      []Group `json:"groups,omitempty"`
	// DynamicGroupRoles are the domain (administrator) roles granted to this domain's
	// dynamic groups through the OCI IAM application, by dynamic group name ("Assigning a
	// Domain Role", https://docs.oracle.com/en-us/iaas/Content/Identity/dynamicgroups/assign-domain-role.htm).
	// SCIM requests to this domain are authorized only through these roles (see authz_scim.go).
	DynamicGroupRoles map[string][]string `json:"dynamicGroupRoles,omitempty"`
	// RoleGrants are the other holders of the domain's administrator roles: users, groups
	// and applications (scim_roles.go serves them as AppRoles and Grants).
	RoleGrants []RoleGrant `json:"roleGrants,omitempty"`
}

func (d Domain) licenseType() string {
	if d.LicenseType == "" {
		return PresetPremium
	}
	return d.LicenseType
}

// User is a domain user. ID is the SCIM id; OCID is what IAM calls the user id.
type User struct {
	ID            string   `json:"id"`
	OCID          string   `json:"ocid"`
	UserName      string   `json:"userName"`
	Email         string   `json:"email,omitempty"`
	Active        bool     `json:"active"`
	CanUseAPIKeys bool     `json:"canUseApiKeys"`
	APIKeys       []APIKey `json:"apiKeys,omitempty"`
	// Credentials are the user's other long-lived credentials, every kind in one list (see
	// credentials.go); CapabilitiesOff are the kinds whose canUse… capability is false.
	Credentials     []Credential `json:"credentials,omitempty"`
	CapabilitiesOff []string     `json:"capabilitiesOff,omitempty"`
}

// Credential is an auth token, customer secret key, SMTP credential, OAuth 2.0 client
// credential or DB credential (Kind: the Cred* constants). Secret is the value a leak would
// expose (token, secret key, password, client secret); the emulator keeps it so that tests can
// prove it never reaches the function's output.
type Credential struct {
	Kind        string `json:"kind"`
	ID          string `json:"id"`   // SCIM id
	OCID        string `json:"ocid"` // the IAM API's id
	Description string `json:"description,omitempty"`
	Secret      string `json:"secret"`
	Expires     string `json:"expires,omitempty"` // RFC 3339; empty: does not expire
	// State is the credential's lifecycle state as the IAM API lists it (see APIKey.State).
	State string `json:"state,omitempty"`
}

// Group is a domain group; Members holds user OCIDs of the same domain.
type Group struct {
	ID          string   `json:"id"`
	OCID        string   `json:"ocid"`
	DisplayName string   `json:"displayName"`
	Members     []string `json:"members,omitempty"`
}

// APIKey is a user's API signing key.
type APIKey struct {
	ID           string `json:"id"`
	OCID         string `json:"ocid"`
	Fingerprint  string `json:"fingerprint"`
	PublicKeyPEM string `json:"publicKeyPem"`
	// State is a transitional lifecycle state the key is in, as a fixture sets it: "" (ACTIVE),
	// CREATING, INACTIVE or DELETING (identity/api_key.go; every credential kind's summary has
	// the same, but DB credentials no INACTIVE). The IAM API lists it as lifecycleState; an
	// identity domain shows DELETING as deleteInProgress true (identitydomains/api_key.go) and
	// the others not at all (SCIM has no such states).
	State string `json:"state,omitempty"`
}

// Policy is an IAM policy; statements are kept verbatim.
type Policy struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	CompartmentID string   `json:"compartmentId"`
	Statements    []string `json:"statements"`
}

// Topic is an ONS topic that accepts messages.
type Topic struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	CompartmentID string `json:"compartmentId"`
}

// Message is a notification published to a topic.
type Message struct {
	TopicID string `json:"topicId"`
	Title   string `json:"title"`
	Body    string `json:"body"`
}

// Clone returns a deep copy, so callers can never alias the server's state.
func (t *Tenancy) Clone() Tenancy {
	c := *t
	c.Compartments = append([]Compartment(nil), t.Compartments...)
	c.Topics = append([]Topic(nil), t.Topics...)
	c.FunctionDynamicGroups = append([]DynamicGroupRef(nil), t.FunctionDynamicGroups...)
	c.Policies = make([]Policy, len(t.Policies))
	for i, p := range t.Policies {
		p.Statements = append([]string(nil), p.Statements...)
		c.Policies[i] = p
	}
	c.Domains = make([]Domain, len(t.Domains))
	for i, d := range t.Domains {
		d.Users = make([]User, len(d.Users))
		for j, u := range t.Domains[i].Users {
			u.APIKeys = append([]APIKey(nil), u.APIKeys...)
			u.Credentials = append([]Credential(nil), u.Credentials...)
			u.CapabilitiesOff = append([]string(nil), u.CapabilitiesOff...)
			d.Users[j] = u
		}
		d.RoleGrants = append([]RoleGrant(nil), t.Domains[i].RoleGrants...)
		if d.DynamicGroupRoles != nil {
			d.DynamicGroupRoles = make(map[string][]string, len(t.Domains[i].DynamicGroupRoles))
			for k, v := range t.Domains[i].DynamicGroupRoles {
				d.DynamicGroupRoles[k] = append([]string(nil), v...)
			}
		}
		d.Groups = make([]Group, len(d.Groups))
		for j, g := range t.Domains[i].Groups {
			g.Members = append([]string(nil), g.Members...)
			d.Groups[j] = g
		}
		c.Domains[i] = d
	}
	return c
}

// DefaultDomain returns the tenancy's DEFAULT domain, or nil.
func (t *Tenancy) DefaultDomain() *Domain {
	for i := range t.Domains {
		if t.Domains[i].Type == DomainTypeDefault {
			return &t.Domains[i]
		}
	}
	return nil
}

// KeyRefs lists every API key in the tenancy as "domain/user OCID/fingerprint", sorted: the
// form tests and the demo compare end states in.
func (t *Tenancy) KeyRefs() []string {
	var out []string
	for _, d := range t.Domains {
		for _, u := range d.Users {
			for _, k := range u.APIKeys {
				out = append(out, d.DisplayName+"/"+u.OCID+"/"+k.Fingerprint)
			}
		}
	}
	slices.Sort(out)
	return out
}

// CredentialRefs lists every credential other than API keys as
// "domain/user OCID/kind/id", sorted.
func (t *Tenancy) CredentialRefs() []string {
	var out []string
	for _, d := range t.Domains {
		for _, u := range d.Users {
			for _, c := range u.Credentials {
				out = append(out, d.DisplayName+"/"+u.OCID+"/"+c.Kind+"/"+c.ID)
			}
		}
	}
	slices.Sort(out)
	return out
}
