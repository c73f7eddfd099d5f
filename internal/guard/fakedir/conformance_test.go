package fakedir_test

import (
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard/directorytest"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard/fakedir"
)

// The fake keeps the same contract as the OCI adapter, so tests of the core on the fake say
// something about production. Both serve the world's tenancy in the one model.
func TestConformance(t *testing.T) {
	directorytest.Run(t, directorytest.Harness{Name: "fakedir", SecondaryDomains: true,
		Open: func(t *testing.T, w directorytest.World) (guard.Directory, directorytest.Probe) {
			d := fakedir.FromTenancy(w.Tenancy())
			return d, probe{d}
		}})
	// Members as the IAM API lists them, completed by Detail.
	directorytest.Run(t, directorytest.Harness{Name: "fakedir-undetailed", SecondaryDomains: true,
		Open: func(t *testing.T, w directorytest.World) (guard.Directory, directorytest.Probe) {
			d := fakedir.FromTenancy(w.Tenancy())
			d.Undetailed = true
			return d, probe{d}
		}})
}

type probe struct{ d *fakedir.Dir }

func (probe) GroupOCID(domain, group string) string { return directorytest.GroupOCID(domain, group) }

func (p probe) KeyCount(domain, user string) int {
	return len(p.d.Keys()[directorytest.UserOCID(domain, user)])
}
