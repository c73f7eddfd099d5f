package fakedir

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/faults"
)

// Dir is a tenancy in memory.
type Dir struct {
	mu      sync.Mutex
	t       ociemu.Tenancy
	users   map[string]position // user OCID -> where the tenancy holds it
	Deleted []guard.APIKey      // successful deletes, in order
	Disable []string            // user OCIDs whose capability was disabled
	Calls   map[string]int
	// Fail, when set, is consulted before every call, by operation (the Op constants) and
	// argument (faults.Func); the error it decides is returned as is.
	Fail faults.Func
	// Undetailed makes Members answer as the IAM API's memberships do: each user's domain,
	// ID and OCID only (User.Detailed false); Detail then reads the rest.
	Undetailed bool
}

type position struct{ domain, user int }

// Operation names, as Calls counts them and Faults sees them.
const (
	OpResolveGroup   = "ResolveGroup"
	OpMembers        = "Members"
	OpAPIKeys        = "APIKeys"
	OpDeleteAPIKey   = "DeleteAPIKey"
	OpDisableAPIKeys = "DisableAPIKeys"
	OpDetail         = "Detail"
)

// New makes an empty tenancy with a Default domain.
func New() *Dir {
	d := FromTenancy(&ociemu.Tenancy{})
	d.AddDomain("Default", true)
	return d
}

// FromTenancy serves a copy of t; t itself is never changed.
func FromTenancy(t *ociemu.Tenancy) *Dir {
	d := &Dir{t: t.Clone(), users: map[string]position{}, Calls: map[string]int{}}
	for di, dom := range d.t.Domains {
		for ui, u := range dom.Users {
			d.users[u.OCID] = position{di, ui}
		}
	}
	return d
}

// Tenancy returns a copy of the tenancy as it is now.
func (d *Dir) Tenancy() ociemu.Tenancy {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.t.Clone()
}

// AddDomain adds an identity domain (or replaces the one of that name).
func (d *Dir) AddDomain(name string, isDefault bool) guard.Domain {
	dom := ociemu.Domain{ID: "ocid1.domain.oc1..fake" + strings.ToLower(name), DisplayName: name, Type: ociemu.DomainTypeSecondary}
	if isDefault {
		dom.Type = ociemu.DomainTypeDefault
	}
	if i := d.domainIndex(name); i >= 0 {
		d.t.Domains[i] = dom
	} else {
		d.t.Domains = append(d.t.Domains, dom)
	}
	return domainOf(dom)
}

// AddUser adds a user to a domain and returns it.
func (d *Dir) AddUser(domain, name string, active, canUseKeys bool) guard.User {
	di := d.domainIndex(domain)
	if di < 0 {
		panic("fakedir: AddUser to unknown domain " + domain)
	}
	u := ociemu.User{ID: "id-" + name, OCID: "ocid1.user.oc1..fake-" + strings.ToLower(domain) + "-" + name,
		UserName: name, Active: active, CanUseAPIKeys: canUseKeys}
	dom := &d.t.Domains[di]
	d.users[u.OCID] = position{di, len(dom.Users)}
	dom.Users = append(dom.Users, u)
	return userOf(*dom, u)
}

// AddGroup adds a group with members (user OCIDs).
func (d *Dir) AddGroup(domain, name string, members ...string) guard.Group {
	di := d.domainIndex(domain)
	if di < 0 {
		panic("fakedir: AddGroup to unknown domain " + domain)
	}
	g := ociemu.Group{ID: "gid-" + domain + "-" + name, OCID: "ocid1.group.oc1..fake-" + strings.ToLower(domain) + "-" + strings.ToLower(name),
		DisplayName: name, Members: members}
	d.t.Domains[di].Groups = append(d.t.Domains[di].Groups, g)
	return groupOf(d.t.Domains[di], g, guard.GroupRef{Name: name})
}

// AddKey gives a user a key and returns its fingerprint.
func (d *Dir) AddKey(userOCID string) string {
	u := d.user(userOCID)
	if u == nil {
		panic("fakedir: AddKey for unknown user " + userOCID)
	}
	n := len(u.APIKeys)
	// Concatenation, not Sprintf: property tests build tens of thousands of tenancies.
	fp := "fp:" + userOCID + ":" + strconv.Itoa(n)
	u.APIKeys = append(u.APIKeys, ociemu.APIKey{ID: "key-" + userOCID + "-" + strconv.Itoa(n), Fingerprint: fp})
	return fp
}

func (d *Dir) domainIndex(name string) int {
	return slices.IndexFunc(d.t.Domains, func(dom ociemu.Domain) bool { return dom.DisplayName == name })
}

// user is the tenancy's user, nil for an unknown OCID. Callers hold mu or own d alone.
func (d *Dir) user(ocid string) *ociemu.User {
	p, ok := d.users[ocid]
	if !ok {
		return nil
	}
	return &d.t.Domains[p.domain].Users[p.user]
}

func domainOf(dom ociemu.Domain) guard.Domain {
	return guard.Domain{ID: dom.ID, Name: dom.DisplayName, URL: "https://" + strings.ToLower(dom.DisplayName) + ".example",
		Default: dom.Type == ociemu.DomainTypeDefault}
}

func userOf(dom ociemu.Domain, u ociemu.User) guard.User {
	return guard.User{Domain: domainOf(dom), ID: u.ID, OCID: u.OCID, UserName: u.UserName, Active: u.Active, CanUseAPIKeys: u.CanUseAPIKeys, Detailed: true}
}

func groupOf(dom ociemu.Domain, g ociemu.Group, ref guard.GroupRef) guard.Group {
	return guard.Group{Ref: ref, Domain: domainOf(dom), ID: g.ID, OCID: g.OCID}
}

// Keys returns every remaining fingerprint by user OCID, sorted.
func (d *Dir) Keys() map[string][]string {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[string][]string{}
	for _, dom := range d.t.Domains {
		for _, u := range dom.Users {
			for _, k := range u.APIKeys {
				out[u.OCID] = append(out[u.OCID], k.Fingerprint)
			}
			slices.Sort(out[u.OCID])
		}
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
	return d.Fail.Inject(op, arg)
}

// ResolveGroup implements guard.Directory: exact name (case-insensitive, like OCI) in the
// named domain, or by OCID.
func (d *Dir) ResolveGroup(ctx context.Context, ref guard.GroupRef) (guard.Group, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.call(ctx, OpResolveGroup, ref.String()); err != nil {
		return guard.Group{}, err
	}
	domains := []ociemu.Domain{}
	if ref.OCID != "" && ref.Domain == "" {
		// A policy's "group id <ocid>" names no domain: look in every one, as OCI's adapter does.
		domains = slices.SortedFunc(slices.Values(d.t.Domains), func(a, b ociemu.Domain) int { return cmp.Compare(a.DisplayName, b.DisplayName) })
	} else if i := d.domainIndexFold(ref.Domain); i >= 0 {
		domains = append(domains, d.t.Domains[i])
	}
	for _, dom := range domains {
		for _, g := range dom.Groups {
			if (ref.OCID != "" && g.OCID == ref.OCID) || (ref.OCID == "" && strings.EqualFold(g.DisplayName, ref.Name)) {
				if ref.Name == "" {
					ref.Name = g.DisplayName
				}
				return groupOf(dom, g, ref), nil
			}
		}
	}
	return guard.Group{}, fmt.Errorf("group %s: %w", ref, guard.ErrNotFound)
}

// domainIndexFold finds a domain by name: OCI identity domain names are case-insensitive, and
// "" is the Default domain.
func (d *Dir) domainIndexFold(ref string) int {
	if ref == "" {
		ref = "Default"
	}
	return slices.IndexFunc(d.t.Domains, func(dom ociemu.Domain) bool { return strings.EqualFold(dom.DisplayName, ref) })
}

// User returns the user as the tenancy holds it now (e.g. after its capability was disabled).
func (d *Dir) User(ocid string) (guard.User, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.userLocked(ocid)
}

// Members implements guard.Directory.
func (d *Dir) Members(ctx context.Context, g guard.Group) ([]guard.User, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.call(ctx, OpMembers, g.OCID); err != nil {
		return nil, err
	}
	if di := d.domainIndex(g.Domain.Name); di >= 0 {
		for _, e := range d.t.Domains[di].Groups {
			if e.OCID == g.OCID {
				var us []guard.User
				for _, m := range e.Members {
					u, _ := d.userLocked(m)
					if d.Undetailed {
						u = guard.User{Domain: u.Domain, ID: u.ID, OCID: u.OCID}
					}
					us = append(us, u)
				}
				return us, nil
			}
		}
	}
	return nil, fmt.Errorf("group %s: %w", g.OCID, guard.ErrNotFound)
}

// Detail implements guard.Directory.
func (d *Dir) Detail(ctx context.Context, u guard.User) (guard.User, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.call(ctx, OpDetail, u.OCID); err != nil {
		return guard.User{}, err
	}
	x, ok := d.userLocked(u.OCID)
	if !ok {
		return guard.User{}, fmt.Errorf("user %s: %w", u.OCID, guard.ErrNotFound)
	}
	return x, nil
}

func (d *Dir) userLocked(ocid string) (guard.User, bool) {
	p, ok := d.users[ocid]
	if !ok {
		return guard.User{}, false
	}
	dom := d.t.Domains[p.domain]
	return userOf(dom, dom.Users[p.user]), true
}

// APIKeys implements guard.Directory.
func (d *Dir) APIKeys(ctx context.Context, dom guard.Domain, users []guard.User) ([]guard.APIKey, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.call(ctx, OpAPIKeys, dom.Name); err != nil {
		return nil, err
	}
	var out []guard.APIKey
	for _, u := range users {
		if x := d.user(u.OCID); x != nil {
			for _, k := range x.APIKeys {
				out = append(out, guard.APIKey{Domain: dom, ID: k.ID, Fingerprint: k.Fingerprint, UserOCID: u.OCID})
			}
		}
	}
	return out, nil
}

// DeleteAPIKey implements guard.Directory.
func (d *Dir) DeleteAPIKey(ctx context.Context, k guard.APIKey) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.call(ctx, OpDeleteAPIKey, k.Fingerprint); err != nil {
		return err
	}
	if !d.removeLocked(k) {
		return fmt.Errorf("key %s: %w", k.ID, guard.ErrNotFound)
	}
	d.Deleted = append(d.Deleted, k)
	return nil
}

func (d *Dir) removeLocked(k guard.APIKey) bool {
	u := d.user(k.UserOCID)
	if u == nil {
		return false
	}
	i := slices.IndexFunc(u.APIKeys, func(x ociemu.APIKey) bool { return x.ID == k.ID })
	if i < 0 {
		return false
	}
	u.APIKeys = slices.Delete(u.APIKeys, i, i+1)
	return true
}

// Remove deletes a key behind the guard's back, as a concurrent invocation would.
func (d *Dir) Remove(k guard.APIKey) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.removeLocked(k)
}

// DisableAPIKeys implements guard.Directory.
func (d *Dir) DisableAPIKeys(ctx context.Context, u guard.User) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.call(ctx, OpDisableAPIKeys, u.OCID); err != nil {
		return err
	}
	if x := d.user(u.OCID); x != nil {
		x.CanUseAPIKeys = false
	}
	d.Disable = append(d.Disable, u.OCID)
	return nil
}
