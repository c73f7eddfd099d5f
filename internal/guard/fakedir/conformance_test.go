package fakedir_test

import (
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard/directorytest"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard/fakedir"
)

// The fake keeps the same contract as the OCI adapter, so tests of the core on the fake say
// something about production.
func TestConformance(t *testing.T) {
	directorytest.Run(t, directorytest.Harness{Name: "fakedir", SecondaryDomains: true,
		Open: func(t *testing.T, w directorytest.World) (guard.Directory, directorytest.Probe) {
			d := fakedir.New()
			p := probe{d: d, users: map[string]string{}, groups: map[string]string{}}
			for i, dom := range w.Domains {
				if i > 0 {
					d.AddDomain(dom.Name, false)
				}
				for _, u := range dom.Users {
					user := d.AddUser(dom.Name, u.Name, true, true)
					p.users[dom.Name+"/"+u.Name] = user.OCID
					for range u.Keys {
						d.AddKey(user.OCID)
					}
				}
				for _, g := range dom.Groups {
					var members []string
					for _, m := range g.Members {
						members = append(members, p.users[dom.Name+"/"+m])
					}
					p.groups[dom.Name+"/"+strings.ToLower(g.Name)] = d.AddGroup(dom.Name, g.Name, members...).OCID
				}
			}
			return d, p
		}})
}

type probe struct {
	d             *fakedir.Dir
	users, groups map[string]string
}

func (p probe) GroupOCID(domain, group string) string {
	return p.groups[domain+"/"+strings.ToLower(group)]
}

func (p probe) KeyCount(domain, user string) int { return len(p.d.Keys()[p.users[domain+"/"+user]]) }
