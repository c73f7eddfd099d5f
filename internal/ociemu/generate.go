package ociemu

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
)

// GenSpec describes a synthetic tenancy for Generate.
type GenSpec struct {
	Seed             int64
	Users            int     // non-admin users in the Default domain
	Admins           int     // members of the Default domain's "Administrators" group
	KeysPerAdmin     int     // API keys held by each admin
	OtherKeyFraction float64 // fraction of non-admin users holding one key each
	AdminsLast       bool    // admins take the last user-list positions (the last page)
	Decoys           bool    // add look-alikes that a correct guard must tell apart, see Generate
	// Credentials gives every user who holds an API key (admins, non-admins, decoys) one
	// credential of every other kind too (see addCredentials); off by default so that
	// existing seeds keep their tenancies.
	Credentials bool
}

// Names used by Generate, exported so tests can find the interesting parts.
const (
	AdminGroupName        = "Administrators"
	NetworkAdminGroupName = "NetworkAdministrators"
	SecondaryDomainName   = "Engineering"
	SecurityCompartment   = "security"
	DefaultTopicName      = "apikey-guard"
	DefaultRegion         = "us-ashburn-1"
)

// Generate builds a deterministic tenancy from spec. With Decoys it adds: a Default-domain
// group NetworkAdministrators whose members hold keys; a SECONDARY domain Engineering (in the
// security compartment) with its own "Administrators" group whose members hold keys; admins
// with canUseApiKeys=false that still hold keys; inactive admins holding keys; and
// non-admins with canUseApiKeys=false. Public keys are PEM-shaped but fake (real RSA keys
// for 100k users would take minutes); fingerprints are unique.
func Generate(spec GenSpec) *Tenancy {
	g := newGenerator(spec.Seed)
	t := &Tenancy{ID: g.ocid("tenancy"), Name: "emulated-tenancy", Region: DefaultRegion}
	security := Compartment{ID: g.ocid("compartment"), Name: SecurityCompartment, ParentID: t.ID}
	t.Compartments = []Compartment{
		security,
		{ID: g.ocid("compartment"), Name: "functions", ParentID: t.ID},
	}
	t.Topics = []Topic{{ID: g.ocid("onstopic"), Name: DefaultTopicName, CompartmentID: t.ID}}

	def := Domain{ID: g.ocid("domain"), DisplayName: "Default", Type: DomainTypeDefault, CompartmentID: t.ID}
	total := spec.Users + spec.Admins
	isAdmin := make([]bool, total)
	switch {
	case spec.AdminsLast:
		for i := spec.Users; i < total; i++ {
			isAdmin[i] = true
		}
	default:
		for _, i := range g.rng.Perm(total)[:spec.Admins] {
			isAdmin[i] = true
		}
	}
	admins := &Group{ID: g.scimID(), OCID: g.ocid("group"), DisplayName: AdminGroupName}
	developers := &Group{ID: g.scimID(), OCID: g.ocid("group"), DisplayName: "Developers"}
	var plain []int // indexes of non-admin users
	nAdmin, nUser := 0, 0
	def.Users = make([]User, total)
	for i := range total {
		u := User{ID: g.scimID(), OCID: g.ocid("user"), Active: true, CanUseAPIKeys: true}
		if isAdmin[i] {
			nAdmin++
			u.UserName = fmt.Sprintf("admin%04d", nAdmin)
			for range spec.KeysPerAdmin {
				u.APIKeys = append(u.APIKeys, g.apiKey())
			}
			admins.Members = append(admins.Members, u.OCID)
		} else {
			nUser++
			u.UserName = fmt.Sprintf("user%06d", nUser)
			if g.rng.Float64() < spec.OtherKeyFraction {
				u.APIKeys = append(u.APIKeys, g.apiKey())
			}
			if nUser%10 == 0 {
				developers.Members = append(developers.Members, u.OCID)
			}
			plain = append(plain, i)
		}
		u.Email = u.UserName + "@example.com"
		def.Users[i] = u
	}
	def.Groups = []Group{*admins, *developers}
	t.Policies = []Policy{{
		ID: g.ocid("policy"), Name: "Tenant Admin Policy", CompartmentID: t.ID,
		Statements: []string{"ALLOW GROUP Administrators to manage all-resources IN TENANCY"},
	}}

	if spec.Decoys {
		g.addDecoys(t, &def, plain, security.ID)
	}
	t.Domains = append([]Domain{def}, t.Domains...)
	if spec.Credentials {
		g.addCredentials(t)
	}
	GrantFunction(t)
	return t
}

// Names of the function's authorization in generated tenancies.
const (
	FunctionDynamicGroup = "apikey-guard-fn" // the function's dynamic group in the Default domain
	FunctionPolicyName   = "apikey-guard"    // the policy holding FunctionStatements
)

// FunctionStatements are the IAM statements generated tenancies grant the function's
// dynamic group: everything the function may call through IAM and Notifications, each
// with the operation it authorizes and Oracle's permission for it ("Details for IAM with
// Identity Domains", iampolicyreference.htm; "Details for Notifications",
// notificationpolicyreference.htm). They are written for the emulator, independently of
// internal/permissions (which the emulator does not import), so that tests can compare the
// product's list with Oracle's rules.
func FunctionStatements(dg string) []string {
	subject := "Allow dynamic-group 'Default'/'" + dg + "' to "
	return []string{
		subject + "inspect domains in tenancy",      // ListDomains: DOMAIN_INSPECT
		subject + "inspect compartments in tenancy", // ListCompartments: COMPARTMENT_INSPECT
		subject + "inspect policies in tenancy",     // ListPolicies: POLICY_READ (inspect policies)
		subject + "use ons-topics in tenancy",       // PublishMessage: ONS_TOPIC_PUBLISH (use ons-topics)
		subject + "inspect tenancies in tenancy",    // ListRegionSubscriptions: TENANCY_INSPECT (the home region)
		// IAM family: ListGroups, GetGroup: GROUP_INSPECT; ListUserGroupMemberships:
		// GROUP_INSPECT + USER_INSPECT.
		subject + "inspect groups in tenancy",
		// ListUsers, GetUser: USER_INSPECT; ListApiKeys: USER_READ; DeleteApiKey: USER_UPDATE +
		// USER_APIKEY_REMOVE; UpdateUserCapabilities: manage users (see OperationPermissions).
		subject + "manage users in tenancy where any {request.operation = 'ListUsers', request.operation = 'GetUser', " +
			"request.operation = 'ListUserGroupMemberships', request.operation = 'ListApiKeys', " +
			"request.operation = 'DeleteApiKey', request.operation = 'UpdateUserCapabilities'}",
		// Credentials other than API keys: List… USER_READ; Delete… USER_UPDATE plus the
		// kind's removal permission (see OperationPermissions).
		subject + "manage users in tenancy where any {request.operation = 'ListAuthTokens', request.operation = 'DeleteAuthToken', " +
			"request.operation = 'ListCustomerSecretKeys', request.operation = 'DeleteCustomerSecretKey', " +
			"request.operation = 'ListOAuthClientCredentials', request.operation = 'DeleteOAuthClientCredential', " +
			"request.operation = 'ListDbCredentials', request.operation = 'DeleteDbCredential'}",
		// SMTP credentials are the credentials resource type: ListSmtpCredentials
		// CREDENTIAL_INSPECT, DeleteSmtpCredential CREDENTIAL_REMOVE (manage credentials).
		subject + "manage credentials in tenancy where any {request.operation = 'ListSmtpCredentials', request.operation = 'DeleteSmtpCredential'}",
	}
}

// GrantFunction makes the function a member of a dynamic group in every domain of t (dynamic
// group names are unique in a tenancy, so each domain's is suffixed with the domain name),
// grants the Default one FunctionStatements, and gives each domain's dynamic group the
// Identity Domain Administrator role there (see authz_scim.go: the role documented to
// manage users who are themselves domain administrators). Generate calls it; hand-built
// tenancies call it to be usable by the function.
func GrantFunction(t *Tenancy) {
	for i := range t.Domains {
		d := &t.Domains[i]
		name := FunctionDynamicGroup
		if d.Type != DomainTypeDefault {
			name += "-" + strings.ToLower(d.DisplayName)
		}
		t.FunctionDynamicGroups = append(t.FunctionDynamicGroups, DynamicGroupRef{Domain: d.DisplayName, Name: name, OCID: "ocid1.dynamicgroup.oc1.." + name})
		d.DynamicGroupRoles = map[string][]string{name: {RoleIdentityDomainAdministrator}}
	}
	t.Policies = append(t.Policies, Policy{ID: "ocid1.policy.oc1.." + FunctionPolicyName, Name: FunctionPolicyName, CompartmentID: t.ID,
		Statements: FunctionStatements(FunctionDynamicGroup)})
}

// addDecoys mutates the Default domain in place and appends the secondary domain.
func (g *generator) addDecoys(t *Tenancy, def *Domain, plain []int, securityID string) {
	ensureKey := func(u *User) {
		if len(u.APIKeys) == 0 {
			u.APIKeys = append(u.APIKeys, g.apiKey())
		}
	}
	// Admin decoys: the first admin cannot add keys but still holds one; the second is
	// inactive but still holds one. Both must still be found by the guard.
	adminIdx := 0
	for i := range def.Users {
		u := &def.Users[i]
		if !strings.HasPrefix(u.UserName, "admin") {
			continue
		}
		switch adminIdx {
		case 0:
			u.CanUseAPIKeys = false
			ensureKey(u)
		case 1:
			u.Active = false
			ensureKey(u)
		}
		adminIdx++
	}
	netAdmins := Group{ID: g.scimID(), OCID: g.ocid("group"), DisplayName: NetworkAdminGroupName}
	for n, i := range plain {
		u := &def.Users[i]
		switch {
		case n < 3:
			ensureKey(u)
			netAdmins.Members = append(netAdmins.Members, u.OCID)
		case n < 5:
			u.CanUseAPIKeys = false
		}
	}
	def.Groups = append(def.Groups, netAdmins)
	t.Policies = append(t.Policies, Policy{
		ID: g.ocid("policy"), Name: "Network Admins", CompartmentID: t.ID,
		Statements: []string{"Allow group NetworkAdministrators to manage virtual-network-family in tenancy"},
	})

	eng := Domain{ID: g.ocid("domain"), DisplayName: SecondaryDomainName, Type: DomainTypeSecondary, CompartmentID: securityID}
	engAdmins := Group{ID: g.scimID(), OCID: g.ocid("group"), DisplayName: AdminGroupName}
	for i := 1; i <= 3; i++ {
		u := User{ID: g.scimID(), OCID: g.ocid("user"), UserName: fmt.Sprintf("eng-admin%d", i), Active: true, CanUseAPIKeys: true}
		u.Email = u.UserName + "@example.com"
		u.APIKeys = []APIKey{g.apiKey()}
		eng.Users = append(eng.Users, u)
		engAdmins.Members = append(engAdmins.Members, u.OCID)
	}
	eng.Users = append(eng.Users, User{ID: g.scimID(), OCID: g.ocid("user"), UserName: "eng-user1", Email: "eng-user1@example.com", Active: true, CanUseAPIKeys: true})
	eng.Groups = []Group{engAdmins}
	t.Domains = append(t.Domains, eng)
}

type generator struct {
	rng   *rand.Rand
	keys  uint32 // makes fingerprints unique whatever the random bytes are
	noPEM bool   // leave PublicKeyPEM empty (Random: tens of thousands of tenancies)
}

func newGenerator(seed int64) *generator {
	return &generator{rng: rand.New(rand.NewPCG(uint64(seed), 0x6f6369656d75))}
}

const ocidAlphabet = "abcdefghijklmnopqrstuvwxyz234567"

// ocid returns an OCID shaped like OCI's: ocid1.<type>.oc1..aaaaaaaa<52 base32 chars>.
func (g *generator) ocid(kind string) string {
	var b strings.Builder
	b.Grow(80)
	b.WriteString("ocid1.")
	b.WriteString(kind)
	b.WriteString(".oc1..aaaaaaaa")
	for i := 0; i < 52; i += 12 {
		v := g.rng.Uint64()
		for j := 0; j < 12 && i+j < 52; j++ {
			b.WriteByte(ocidAlphabet[v&31])
			v >>= 5
		}
	}
	return b.String()
}

// scimID returns 32 lowercase hex digits, the shape of IDCS resource ids.
func (g *generator) scimID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], g.rng.Uint64())
	binary.LittleEndian.PutUint64(b[8:], g.rng.Uint64())
	return hex.EncodeToString(b[:])
}

func (g *generator) apiKey() APIKey {
	g.keys++
	var fp [16]byte
	binary.LittleEndian.PutUint64(fp[:8], g.rng.Uint64())
	binary.BigEndian.PutUint32(fp[8:12], g.rng.Uint32())
	binary.BigEndian.PutUint32(fp[12:], g.keys)
	hexFP := hex.EncodeToString(fp[:])
	parts := make([]string, 16)
	for i := range parts {
		parts[i] = hexFP[2*i : 2*i+2]
	}
	k := APIKey{
		ID:          g.scimID(),
		OCID:        g.ocid("credential"),
		Fingerprint: strings.Join(parts, ":"),
	}
	if !g.noPEM {
		k.PublicKeyPEM = fakePEM(fp[:])
	}
	return k
}

// fakePEM returns a PEM-shaped public key whose body is derived from seed. It is not a
// valid key; nothing in the emulator or the product parses it.
func fakePEM(seed []byte) string {
	body := make([]byte, 294) // the DER length of an RSA-2048 SubjectPublicKeyInfo
	for i := range body {
		body[i] = seed[i%len(seed)] ^ byte(i)
	}
	enc := base64.StdEncoding.EncodeToString(body)
	var b strings.Builder
	b.WriteString("-----BEGIN PUBLIC KEY-----\n")
	for len(enc) > 64 {
		b.WriteString(enc[:64])
		b.WriteByte('\n')
		enc = enc[64:]
	}
	b.WriteString(enc)
	b.WriteString("\n-----END PUBLIC KEY-----\n")
	return b.String()
}

// addCredentials gives every user holding an API key one credential of every other kind, each
// with a secret-looking value, and one expiring in 2030 where the kind has an expiry. It runs
// after everything else so that the random sequence of existing seeds is unchanged.
func (g *generator) addCredentials(t *Tenancy) {
	for di := range t.Domains {
		for ui := range t.Domains[di].Users {
			u := &t.Domains[di].Users[ui]
			if len(u.APIKeys) == 0 {
				continue
			}
			for _, kind := range CredentialKinds() {
				var secret [24]byte
				binary.LittleEndian.PutUint64(secret[:8], g.rng.Uint64())
				binary.LittleEndian.PutUint64(secret[8:16], g.rng.Uint64())
				binary.LittleEndian.PutUint64(secret[16:], g.rng.Uint64())
				u.Credentials = append(u.Credentials, Credential{Kind: kind, ID: g.scimID(), OCID: g.ocid("credential"),
					Description: u.UserName + " " + kind, Secret: "SECRET-" + base64.RawURLEncoding.EncodeToString(secret[:]),
					Expires: "2030-01-01T00:00:00Z"})
			}
		}
	}
}

// AddCredentials gives t's key holders one credential of every kind besides API keys, as
// GenSpec.Credentials does, for tenancies built (or changed) by hand.
func AddCredentials(t *Tenancy, seed int64) { newGenerator(seed).addCredentials(t) }
