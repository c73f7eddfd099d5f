// Package fakedir is an in-memory guard.Directory for tests of the pure core: property tests,
// planning edge cases and failure handling, without HTTP.
package fakedir

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
)

// Dir is a tenancy in memory. Build it with AddUser/AddGroup/AddKey, then hand it to guard.Run.
type Dir struct {
	mu      sync.Mutex
	domains map[string]guard.Domain      // by name; "Default" is the default domain
	groups  map[string][]groupEntry      // by domain name
	users   map[string]guard.User        // by OCID
	keys    map[string]map[string]string // user OCID -> key ID -> fingerprint
	Deleted []guard.APIKey               // successful deletes, in order
	Disable []string                     // user OCIDs whose capability was disabled
	Calls   map[string]int
	// Fail, when set, is consulted before every call; a non-nil error is returned as is.
	Fail func(op string, arg string) error
}

type groupEntry struct {
	g       guard.Group
	members []string
}

// New makes an empty tenancy with a Default domain.
func New() *Dir {
	d := &Dir{domains: map[string]guard.Domain{}, groups: map[string][]groupEntry{}, users: map[string]guard.User{},
		keys: map[string]map[string]string{}, Calls: map[string]int{}}
	d.AddDomain("Default", true)
	return d
}

// AddDomain adds an identity domain.
func (d *Dir) AddDomain(name string, isDefault bool) guard.Domain {
	dom := guard.Domain{ID: "ocid1.domain.oc1..fake" + strings.ToLower(name), Name: name, URL: "https://" + strings.ToLower(name) + ".example", Default: isDefault}
	d.domains[name] = dom
	return dom
}

// AddUser adds a user to a domain and returns it.
func (d *Dir) AddUser(domain, name string, active, canUseKeys bool) guard.User {
	u := guard.User{Domain: d.domains[domain], ID: "id-" + name, OCID: "ocid1.user.oc1..fake-" + strings.ToLower(domain) + "-" + name,
		UserName: name, Active: active, CanUseAPIKeys: canUseKeys}
	d.users[u.OCID] = u
	return u
}

// AddGroup adds a group with members (user OCIDs).
func (d *Dir) AddGroup(domain, name string, members ...string) guard.Group {
	g := guard.Group{Ref: guard.GroupRef{Name: name}, Domain: d.domains[domain], ID: "gid-" + domain + "-" + name,
		OCID: "ocid1.group.oc1..fake-" + strings.ToLower(domain) + "-" + strings.ToLower(name)}
	d.groups[domain] = append(d.groups[domain], groupEntry{g: g, members: members})
	return g
}

// AddKey gives a user a key and returns its fingerprint.
func (d *Dir) AddKey(userOCID string) string {
	if d.keys[userOCID] == nil {
		d.keys[userOCID] = map[string]string{}
	}
	n := len(d.keys[userOCID])
	// Concatenation, not Sprintf: property tests build tens of thousands of tenancies.
	id := "key-" + userOCID + "-" + strconv.Itoa(n)
	fp := "fp:" + userOCID + ":" + strconv.Itoa(n)
	d.keys[userOCID][id] = fp
	return fp
}

// Keys returns every remaining fingerprint by user OCID, sorted.
func (d *Dir) Keys() map[string][]string {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[string][]string{}
	for u, ks := range d.keys {
		for _, fp := range ks {
			out[u] = append(out[u], fp)
		}
		slices.Sort(out[u])
	}
	return out
}

// call counts op and fails it when the context has ended (like a real call past the deadline)
// or Fail says so.
func (d *Dir) call(ctx context.Context, op, arg string) error {
	d.Calls[op]++
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s %s: %w", op, arg, err)
	}
	if d.Fail != nil {
		return d.Fail(op, arg)
	}
	return nil
}

// ResolveGroup implements guard.Directory: exact name (case-insensitive, like OCI) in the
// named domain, or by OCID.
func (d *Dir) ResolveGroup(ctx context.Context, ref guard.GroupRef) (guard.Group, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.call(ctx, "ResolveGroup", ref.String()); err != nil {
		return guard.Group{}, err
	}
	domains := []string{d.domainName(ref.Domain)}
	if ref.OCID != "" && ref.Domain == "" {
		// A policy's "group id <ocid>" names no domain: look in every one, as OCI's adapter does.
		domains = slices.Sorted(maps.Keys(d.groups))
	}
	for _, dn := range domains {
		for _, e := range d.groups[dn] {
			if (ref.OCID != "" && e.g.OCID == ref.OCID) || (ref.OCID == "" && strings.EqualFold(e.g.Ref.Name, ref.Name)) {
				g := e.g
				if ref.Name == "" {
					ref.Name = e.g.Ref.Name
				}
				g.Ref = ref
				return g, nil
			}
		}
	}
	return guard.Group{}, fmt.Errorf("group %s: %w", ref, guard.ErrNotFound)
}

// domainName finds the domain's name as it was added: OCI identity domain names are
// case-insensitive, and "" is the Default domain.
func (d *Dir) domainName(ref string) string {
	if ref == "" {
		ref = "Default"
	}
	for name := range d.domains {
		if strings.EqualFold(name, ref) {
			return name
		}
	}
	return ref
}

// User returns the user as the tenancy holds it now (e.g. after its capability was disabled).
func (d *Dir) User(ocid string) (guard.User, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	u, ok := d.users[ocid]
	return u, ok
}

// Members implements guard.Directory.
func (d *Dir) Members(ctx context.Context, g guard.Group) ([]guard.User, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.call(ctx, "Members", g.OCID); err != nil {
		return nil, err
	}
	for _, e := range d.groups[g.Domain.Name] {
		if e.g.OCID == g.OCID {
			var us []guard.User
			for _, m := range e.members {
				us = append(us, d.users[m])
			}
			return us, nil
		}
	}
	return nil, fmt.Errorf("group %s: %w", g.OCID, guard.ErrNotFound)
}

// APIKeys implements guard.Directory.
func (d *Dir) APIKeys(ctx context.Context, dom guard.Domain, users []guard.User) ([]guard.APIKey, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.call(ctx, "APIKeys", dom.Name); err != nil {
		return nil, err
	}
	var out []guard.APIKey
	for _, u := range users {
		for id, fp := range d.keys[u.OCID] {
			out = append(out, guard.APIKey{Domain: dom, ID: id, Fingerprint: fp, UserOCID: u.OCID})
		}
	}
	return out, nil
}

// DeleteAPIKey implements guard.Directory.
func (d *Dir) DeleteAPIKey(ctx context.Context, k guard.APIKey) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.call(ctx, "DeleteAPIKey", k.Fingerprint); err != nil {
		return err
	}
	if _, ok := d.keys[k.UserOCID][k.ID]; !ok {
		return fmt.Errorf("key %s: %w", k.ID, guard.ErrNotFound)
	}
	delete(d.keys[k.UserOCID], k.ID)
	d.Deleted = append(d.Deleted, k)
	return nil
}

// Remove deletes a key behind the guard's back, as a concurrent invocation would.
func (d *Dir) Remove(k guard.APIKey) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.keys[k.UserOCID], k.ID)
}

// DisableAPIKeys implements guard.Directory.
func (d *Dir) DisableAPIKeys(ctx context.Context, u guard.User) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.call(ctx, "DisableAPIKeys", u.OCID); err != nil {
		return err
	}
	x := d.users[u.OCID]
	x.CanUseAPIKeys = false
	d.users[u.OCID] = x
	d.Disable = append(d.Disable, u.OCID)
	return nil
}
