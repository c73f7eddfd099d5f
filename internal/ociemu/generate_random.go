package ociemu

import (
	"math/rand/v2"
	"strings"
)

// Names Random draws from.
var (
	RandomSecondaryDomains = []string{"Engineering", "Sales", "Finance"}
	// RandomGroupNames puts the real administrator group among decoys that contain or resemble it.
	RandomGroupNames = []string{AdminGroupName, "NetworkAdministrators", "administrators2", "Admins",
		"Administrator", "DomainAdministrators", "Developers", "Auditors"}
	RandomUserNames = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan",
		"judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter",
		"yolanda", "zoe", "breakglass", "admin", "opc", "ops", "svc-backup", "terraform", "ci", "audit",
		"oncall", "root", "guest"}
)

// Random builds a small random tenancy from r, for property tests: the same model and
// generator as Generate, with the shape drawn instead of specified. It has a Default domain
// and each of RandomSecondaryDomains with chance 1/3; up to 30 users named from
// RandomUserNames (unique within a domain, often repeated across domains, sometimes
// capitalised), active with chance 4/5, with canUseApiKeys with chance 3/4, holding 0–3 keys;
// and in each domain the groups of RandomGroupNames, each kept with chance 1/2 (Administrators
// always in the Default domain and in 8 of 10 secondary domains), named in another case with
// chance 1/4, with each user of the domain a member at one density per tenancy. Public keys
// are left out: nothing that reads these tenancies needs them.
func Random(r *rand.Rand) *Tenancy {
	g := &generator{rng: r, noPEM: true}
	t := &Tenancy{ID: g.ocid("tenancy"), Name: "random-tenancy", Region: DefaultRegion}
	t.Domains = []Domain{{ID: g.ocid("domain"), DisplayName: "Default", Type: DomainTypeDefault, CompartmentID: t.ID}}
	for _, name := range RandomSecondaryDomains {
		if r.IntN(3) == 0 {
			t.Domains = append(t.Domains, Domain{ID: g.ocid("domain"), DisplayName: name, Type: DomainTypeSecondary, CompartmentID: t.ID})
		}
	}
	unused := make([][]int, len(t.Domains))
	for i := range t.Domains {
		unused[i] = r.Perm(len(RandomUserNames))
	}
	for range r.IntN(31) {
		di := r.IntN(len(t.Domains))
		name := RandomUserNames[unused[di][0]]
		unused[di] = unused[di][1:]
		if r.IntN(3) == 0 {
			name = strings.ToUpper(name[:1]) + name[1:]
		}
		u := User{ID: g.scimID(), OCID: g.ocid("user"), UserName: name, Active: r.IntN(5) > 0, CanUseAPIKeys: r.IntN(4) > 0}
		for range r.IntN(4) {
			u.APIKeys = append(u.APIKeys, g.apiKey())
		}
		t.Domains[di].Users = append(t.Domains[di].Users, u)
	}
	density := 0.1 + 0.5*r.Float64()
	for di := range t.Domains {
		g.randomGroups(&t.Domains[di], density)
	}
	return t
}

// randomGroups gives d the groups of RandomGroupNames that Random keeps, each user of d a
// member with chance density.
func (g *generator) randomGroups(d *Domain, density float64) {
	r := g.rng
	for i, name := range RandomGroupNames {
		keep := r.IntN(2) == 0
		if i == 0 {
			keep = d.Type == DomainTypeDefault || r.IntN(10) < 8
		}
		if !keep {
			continue
		}
		if r.IntN(4) == 0 {
			name = RandomCase(r, name)
		}
		grp := Group{ID: g.scimID(), OCID: g.ocid("group"), DisplayName: name}
		for _, u := range d.Users {
			if r.Float64() < density {
				grp.Members = append(grp.Members, u.OCID)
			}
		}
		d.Groups = append(d.Groups, grp)
	}
}

// RandomCase writes s in one of the cases a person might type it: lower, upper, mixed at
// random, or as it is.
func RandomCase(r *rand.Rand, s string) string {
	switch r.IntN(4) {
	case 0:
		return strings.ToLower(s)
	case 1:
		return strings.ToUpper(s)
	case 2:
		b := []byte(s)
		for i := range b {
			if r.IntN(2) == 0 {
				b[i] = strings.ToUpper(string(b[i]))[0]
			}
		}
		return string(b)
	}
	return s
}
