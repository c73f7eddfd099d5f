package oci_test

import (
	"testing"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard/directorytest"
	"github.com/apikeyguard/admin-apikey-guard/internal/oci"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
	"github.com/apikeyguard/admin-apikey-guard/internal/ratelimit"
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
	tn := w.Tenancy()
	emu := emutest.New(t, tn, ociemu.Options{})
	p, err := emu.MintPrincipal(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range p.Env() {
		t.Setenv(k, v) // read once, by NewFromResourcePrincipal
	}
	d, err := oci.NewFromResourcePrincipal(oci.Settings{IdentityEndpoint: emu.IdentityURL(), IdentityAPI: api, RateLimit: ratelimit.Setting{Fixed: true} /* no pacing */})
	if err != nil {
		t.Fatal(err)
	}
	return d, emuProbe{emu: emu, tn: tn}
}

type emuProbe struct {
	emu *ociemu.Server
	tn  *ociemu.Tenancy
}

func (p emuProbe) GroupOCID(domain, group string) string {
	return directorytest.GroupOCID(domain, group)
}

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
