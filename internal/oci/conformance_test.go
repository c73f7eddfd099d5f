package oci_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard/directorytest"
	"github.com/apikeyguard/admin-apikey-guard/internal/oci"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

// The adapter keeps the guard.Directory contract through each identity API family, signing
// real requests that the emulator verifies and authorizes like OCI.
func TestConformance(t *testing.T) {
	for _, h := range []struct {
		api       string
		secondary bool
	}{
		{permissions.APIIAM, false}, // the IAM API alone: Default domain only
		{permissions.APISCIM, true}, // Identity Domains everywhere
		{permissions.APIAuto, true}, // IAM for Default, SCIM for the secondary domain
	} {
		t.Run(h.api, func(t *testing.T) {
			directorytest.Run(t, directorytest.Harness{Name: "oci/" + h.api, SecondaryDomains: h.secondary,
				Open: func(t *testing.T, w directorytest.World) (guard.Directory, directorytest.Probe) {
					return openOnEmulator(t, w, h.api)
				}})
		})
	}
}

// openOnEmulator serves w from an emulator and connects the adapter to it as the function's
// resource principal, with the given IDENTITY_API.
func openOnEmulator(t *testing.T, w directorytest.World, api string) (guard.Directory, directorytest.Probe) {
	tn := tenancyOf(w)
	emu := emutest.New(t, tn, ociemu.Options{})
	p, err := emu.MintPrincipal(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range p.Env() {
		t.Setenv(k, v) // read once, by NewFromResourcePrincipal
	}
	d, err := oci.NewFromResourcePrincipal(oci.Settings{IdentityEndpoint: emu.IdentityURL(), IdentityAPI: api})
	if err != nil {
		t.Fatal(err)
	}
	return d, emuProbe{emu: emu, tn: tn}
}

// tenancyOf builds the emulator's tenancy for a world: the first domain is the Default one.
func tenancyOf(w directorytest.World) *ociemu.Tenancy {
	tn := &ociemu.Tenancy{ID: "ocid1.tenancy.oc1..conformance", Name: "conformance", Region: "us-ashburn-1"}
	keys := 0
	for i, wd := range w.Domains {
		slug := strings.ToLower(wd.Name)
		d := ociemu.Domain{ID: "ocid1.domain.oc1.." + slug, DisplayName: wd.Name, Type: ociemu.DomainTypeSecondary, CompartmentID: tn.ID}
		if i == 0 {
			d.Type = ociemu.DomainTypeDefault
		}
		for _, wu := range wd.Users {
			u := ociemu.User{ID: "u-" + slug + "-" + wu.Name, OCID: userOCID(wd.Name, wu.Name), UserName: wu.Name, Active: true, CanUseAPIKeys: true}
			for range wu.Keys {
				keys++
				u.APIKeys = append(u.APIKeys, ociemu.APIKey{ID: fmt.Sprintf("k-%d", keys), OCID: fmt.Sprintf("ocid1.credential.oc1..k%d", keys),
					Fingerprint: fingerprint(keys)})
			}
			d.Users = append(d.Users, u)
		}
		for _, wg := range wd.Groups {
			g := ociemu.Group{ID: "g-" + slug + "-" + strings.ToLower(wg.Name), OCID: groupOCID(wd.Name, wg.Name), DisplayName: wg.Name}
			for _, m := range wg.Members {
				g.Members = append(g.Members, userOCID(wd.Name, m))
			}
			d.Groups = append(d.Groups, g)
		}
		tn.Domains = append(tn.Domains, d)
	}
	ociemu.AddCredentials(tn, 1) // every key holder also holds one credential of every other kind
	ociemu.GrantFunction(tn)
	return tn
}

func userOCID(domain, user string) string {
	return "ocid1.user.oc1.." + strings.ToLower(domain) + "-" + user
}

func groupOCID(domain, group string) string {
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

type emuProbe struct {
	emu *ociemu.Server
	tn  *ociemu.Tenancy
}

func (p emuProbe) GroupOCID(domain, group string) string { return groupOCID(domain, group) }

func (p emuProbe) KeyCount(domain, user string) int {
	snap := p.emu.Snapshot()
	for _, d := range snap.Domains {
		if d.DisplayName != domain {
			continue
		}
		for _, u := range d.Users {
			if u.UserName == user {
				return len(u.APIKeys)
			}
		}
	}
	return -1
}

// CredentialCount implements directorytest.CredentialProbe.
func (p emuProbe) CredentialCount(domain, user, kind string) int {
	for _, d := range p.emu.Snapshot().Domains {
		if d.DisplayName != domain {
			continue
		}
		for _, u := range d.Users {
			if u.UserName == user {
				n := 0
				for _, c := range u.Credentials {
					if c.Kind == kind {
						n++
					}
				}
				return n
			}
		}
	}
	return -1
}

// IgnoreFilters makes the emulator answer listings as if their filters were absent.
func (p emuProbe) IgnoreFilters() { p.emu.SetFaults(ociemu.Faults{IgnoreFilters: true}) }
