package directorytest

import (
	"fmt"
	"strings"

	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
)

// Tenancy is w in the one tenancy model (ociemu.Tenancy), which every implementation's
// harness builds from: the first domain is the Default one, users and groups have the OCIDs
// UserOCID and GroupOCID give, every key holder also holds one credential of every other kind,
// and the function is granted what it needs (for the emulator).
func (w World) Tenancy() *ociemu.Tenancy {
	tn := &ociemu.Tenancy{ID: "ocid1.tenancy.oc1..conformance", Name: "conformance", Region: "us-ashburn-1"}
	keys := 0
	for i, wd := range w.Domains {
		slug := strings.ToLower(wd.Name)
		d := ociemu.Domain{ID: "ocid1.domain.oc1.." + slug, DisplayName: wd.Name, Type: ociemu.DomainTypeSecondary, CompartmentID: tn.ID}
		if i == 0 {
			d.Type = ociemu.DomainTypeDefault
		}
		for _, wu := range wd.Users {
			u := ociemu.User{ID: "u-" + slug + "-" + wu.Name, OCID: UserOCID(wd.Name, wu.Name), UserName: wu.Name, Active: true, CanUseAPIKeys: true}
			for range wu.Keys {
				keys++
				u.APIKeys = append(u.APIKeys, ociemu.APIKey{ID: fmt.Sprintf("k-%d", keys), OCID: fmt.Sprintf("ocid1.credential.oc1..k%d", keys),
					Fingerprint: fingerprint(keys)})
			}
			d.Users = append(d.Users, u)
		}
		for _, wg := range wd.Groups {
			g := ociemu.Group{ID: "g-" + slug + "-" + strings.ToLower(wg.Name), OCID: GroupOCID(wd.Name, wg.Name), DisplayName: wg.Name}
			for _, m := range wg.Members {
				g.Members = append(g.Members, UserOCID(wd.Name, m))
			}
			d.Groups = append(d.Groups, g)
		}
		tn.Domains = append(tn.Domains, d)
	}
	ociemu.AddCredentials(tn, 1) // every key holder also holds one credential of every other kind
	ociemu.GrantFunction(tn)
	return tn
}

// UserOCID is the OCID of a user of a world's tenancy.
func UserOCID(domain, user string) string {
	return "ocid1.user.oc1.." + strings.ToLower(domain) + "-" + user
}

// GroupOCID is the OCID of a group of a world's tenancy.
func GroupOCID(domain, group string) string {
	return "ocid1.group.oc1.." + strings.ToLower(domain) + "-" + strings.ToLower(group)
}

// fingerprint is an MD5-shaped fingerprint unique to n.
func fingerprint(n int) string {
	hex := fmt.Sprintf("%032x", n)
	parts := make([]string, 16)
	for i := range parts {
		parts[i] = hex[2*i : 2*i+2]
	}
	return strings.Join(parts, ":")
}
