package directorytest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
)

// World is a tenancy described independently of any implementation, a shorthand for the one
// tenancy model: World.Tenancy expands it into an ociemu.Tenancy, which every harness serves
// (the fake with fakedir.FromTenancy, the adapter through the emulator). The first domain is
// the Default domain.
type World struct {
	Domains []Domain
}

// Domain is an identity domain with its users and groups.
type Domain struct {
	Name   string
	Users  []User
	Groups []Group
}

// User is a user with a number of API keys.
type User struct {
	Name string
	Keys int
}

// Group is a group of users (by name, of the same domain).
type Group struct {
	Name    string
	Members []string
}

// Harness opens a Directory over a World.
type Harness struct {
	Name string
	// SecondaryDomains is false for implementations that reach the Default domain only
	// (IDENTITY_API=iam); the suite then leaves other domains out of its worlds.
	SecondaryDomains bool
	Open             func(t *testing.T, w World) (guard.Directory, Probe)
}

// Probe looks at the backend behind a Directory without going through it.
type Probe interface {
	// GroupOCID is the OCID of a group of the world.
	GroupOCID(domain, group string) string
	// KeyCount is how many API keys the user holds now.
	KeyCount(domain, user string) int
}

// Liar is a Probe whose backend can be made to ignore listing filters, answering every
// member and key listing with users and keys the filter excludes.
type Liar interface {
	IgnoreFilters()
}

// Run runs the whole contract against h.
func Run(t *testing.T, h Harness) {
	t.Run("ExactGroupAmongDecoys", func(t *testing.T) { testExactGroup(t, h) })
	t.Run("ListsToTheLastItem", func(t *testing.T) { testPaging(t, h) })
	t.Run("DeleteTwiceIsNotFound", func(t *testing.T) { testDeleteTwice(t, h) })
	t.Run("DisabledCapabilityShows", func(t *testing.T) { testDisable(t, h) })
	t.Run("ListingThatIgnoresItsFilterIsRefused", func(t *testing.T) { testLiar(t, h) })
	t.Run("NothingAfterTheDeadline", func(t *testing.T) { testDeadline(t, h) })
	t.Run("CredentialsOfEveryKind", func(t *testing.T) { testCredentials(t, h) })
}

// CredentialProbe is a Probe whose backend gives every user who holds an API key one
// credential of every other kind.
type CredentialProbe interface {
	CredentialCount(domain, user, kind string) int
}

// testCredentials: for a Directory that serves other credential kinds, each kind is listed
// for exactly the given users, a delete takes one credential and a second delete of it is
// ErrNotFound, and DisableCapabilities shows in Members for that user only.
func testCredentials(t *testing.T, h Harness) {
	dir, probe := h.Open(t, decoyWorld(h.SecondaryDomains))
	cd, ok := dir.(guard.CredentialDirectory)
	cp, ok2 := probe.(CredentialProbe)
	if !ok || !ok2 {
		t.Skipf("%s serves API keys only (no guard.CredentialDirectory or CredentialProbe)", h.Name)
	}
	g, ms, _ := adminKeys(t, dir)
	others := slices.DeleteFunc(slices.Clone(guard.Kinds()), func(k guard.Kind) bool { return k == guard.KindAPIKeys })
	for _, k := range others {
		cs, err := cd.Credentials(t.Context(), k, g.Domain, ms)
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if len(cs) != 2 { // alice and bob hold keys, so one of each kind each
			t.Fatalf("%s: %d credentials of alice and bob, want 2: %+v", k, len(cs), cs)
		}
		if err := cd.DeleteCredential(t.Context(), cs[0]); err != nil {
			t.Fatalf("delete %s: %v", k, err)
		}
		if err := cd.DeleteCredential(t.Context(), cs[0]); !errors.Is(err, guard.ErrNotFound) {
			t.Errorf("second delete of %s = %v, want ErrNotFound", k, err)
		}
		left, err := cd.Credentials(t.Context(), k, g.Domain, ms)
		if err != nil || len(left) != 1 || left[0].ID == cs[0].ID {
			t.Errorf("%s after the delete: %+v, %v", k, left, err)
		}
		if n := cp.CredentialCount("Default", "carol", string(k)); n != 1 {
			t.Errorf("carol holds %d %s, want 1", n, k)
		}
		if h.SecondaryDomains && cp.CredentialCount("Engineering", "alice", string(k)) != 1 {
			t.Errorf("Engineering/alice lost a %s to a delete in the Default domain", k)
		}
	}
	if err := cd.DisableCapabilities(t.Context(), ms[0], guard.Kinds()); err != nil {
		t.Fatal(err)
	}
	after, err := members(t, dir, g)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range after {
		for _, k := range guard.Kinds() {
			if want := m.OCID != ms[0].OCID; m.CanUse(k) != want {
				t.Errorf("%s can use %s = %v, want %v", m.UserName, k, m.CanUse(k), want)
			}
		}
	}
}

func users(prefix string, n, keys int) []User {
	out := make([]User, n)
	for i := range out {
		out[i] = User{Name: fmt.Sprintf("%s%04d", prefix, i), Keys: keys}
	}
	return out
}

func names(us []User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Name
	}
	return out
}

// decoyWorld has the Administrators group among groups with similar names, a same-named
// group in a secondary domain, and keys on everyone.
func decoyWorld(secondary bool) World {
	def := Domain{Name: "Default", Users: []User{{"alice", 2}, {"bob", 1}, {"carol", 1}, {"dave", 1}, {"erin", 0}},
		Groups: []Group{
			{"Administrators", []string{"alice", "bob"}},
			{"Administrators-old", []string{"carol"}},
			{"NetworkAdministrators", []string{"dave"}},
			{"Admins", []string{"erin", "carol"}},
		}}
	w := World{Domains: []Domain{def}}
	if secondary {
		w.Domains = append(w.Domains, Domain{Name: "Engineering", Users: []User{{"alice", 1}, {"frank", 2}},
			Groups: []Group{{"Administrators", []string{"frank"}}, {"Developers", []string{"alice"}}}})
	}
	return w
}

// members is Members with every user completed as the guard completes one it needs
// (Directory.Detail, where Members left it undetailed); Detail must answer for the same user, in
// the same domain, with its details.
func members(t *testing.T, dir guard.Directory, g guard.Group) ([]guard.User, error) {
	t.Helper()
	ms, err := dir.Members(t.Context(), g)
	if err != nil {
		return nil, err
	}
	for i, m := range ms {
		if m.Detailed {
			continue
		}
		if m.OCID == "" || m.UserName != "" {
			t.Errorf("undetailed member %+v: want its OCID and nothing it has not read", m)
		}
		u, err := dir.Detail(t.Context(), m)
		if err != nil {
			return nil, fmt.Errorf("Detail(%s): %w", m.OCID, err)
		}
		if !u.Detailed || u.OCID != m.OCID || u.Domain.Name != m.Domain.Name || u.UserName == "" {
			t.Errorf("Detail(%s) = %+v: want the same user, in its domain, with its name", m.OCID, u)
		}
		ms[i] = u
	}
	return ms, nil
}

func memberNames(t *testing.T, dir guard.Directory, g guard.Group) []string {
	t.Helper()
	ms, err := members(t, dir, g)
	if err != nil {
		t.Fatalf("Members(%s): %v", g.Ref, err)
	}
	var out []string
	for _, m := range ms {
		if m.Domain.Name != g.Domain.Name {
			t.Errorf("member %s of %s is in domain %q", m.UserName, g.Ref, m.Domain.Name)
		}
		out = append(out, m.UserName)
	}
	slices.Sort(out)
	return out
}

func resolve(t *testing.T, dir guard.Directory, ref guard.GroupRef) guard.Group {
	t.Helper()
	g, err := dir.ResolveGroup(t.Context(), ref)
	if err != nil {
		t.Fatalf("ResolveGroup(%s): %v", ref, err)
	}
	return g
}

func testExactGroup(t *testing.T, h Harness) {
	w := decoyWorld(h.SecondaryDomains)
	dir, probe := h.Open(t, w)
	g := resolve(t, dir, guard.GroupRef{Name: "Administrators"})
	if !g.Domain.Default || g.OCID != probe.GroupOCID("Default", "Administrators") {
		t.Errorf("Administrators resolved to %+v", g)
	}
	if got := memberNames(t, dir, g); !slices.Equal(got, []string{"alice", "bob"}) {
		t.Errorf("members of Default/Administrators = %v", got)
	}
	// Group names are case-insensitive in OCI.
	if g2 := resolve(t, dir, guard.GroupRef{Name: "administrators"}); g2.OCID != g.OCID {
		t.Errorf("administrators resolved to %s, want %s", g2.OCID, g.OCID)
	}
	for _, name := range []string{"Admin", "Administrator", "Nobody"} {
		if _, err := dir.ResolveGroup(t.Context(), guard.GroupRef{Name: name}); !errors.Is(err, guard.ErrNotFound) {
			t.Errorf("ResolveGroup(%s) = %v, want ErrNotFound", name, err)
		}
	}
	if !h.SecondaryDomains {
		return
	}
	eng := resolve(t, dir, guard.GroupRef{Domain: "Engineering", Name: "Administrators"})
	if eng.Domain.Default || eng.Domain.Name != "Engineering" || eng.OCID != probe.GroupOCID("Engineering", "Administrators") {
		t.Errorf("Engineering/Administrators resolved to %+v", eng)
	}
	if got := memberNames(t, dir, eng); !slices.Equal(got, []string{"frank"}) {
		t.Errorf("members of Engineering/Administrators = %v", got)
	}
	// A policy's "group id <ocid>" names no domain: it is found wherever it is.
	byID := resolve(t, dir, guard.GroupRef{OCID: probe.GroupOCID("Engineering", "Administrators")})
	if byID.Domain.Name != "Engineering" || byID.Ref.Name != "Administrators" {
		t.Errorf("group id of Engineering/Administrators resolved to %+v", byID)
	}
}

// pageCrossing is past one page in both families (SCIM count ≤ 1000, IAM limit 1000).
const pageCrossing = 1003

func testPaging(t *testing.T, h Harness) {
	admins := users("admin", pageCrossing, 1)
	others := users("other", 20, 1)
	w := World{Domains: []Domain{{Name: "Default", Users: append(slices.Clone(admins), others...),
		Groups: []Group{{"Administrators", names(admins)}, {"Others", names(others)}}}}}
	dir, _ := h.Open(t, w)
	g := resolve(t, dir, guard.GroupRef{Name: "Administrators"})
	ms, err := members(t, dir, g)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, m := range ms {
		got[m.UserName] = true
	}
	if len(ms) != pageCrossing || len(got) != pageCrossing {
		t.Fatalf("Members: %d users (%d distinct), want %d", len(ms), len(got), pageCrossing)
	}
	keys, err := dir.APIKeys(t.Context(), g.Domain, ms)
	if err != nil {
		t.Fatal(err)
	}
	owners := map[string]bool{}
	for _, k := range keys {
		owners[k.UserOCID] = true
	}
	if len(keys) != pageCrossing || len(owners) != pageCrossing {
		t.Errorf("APIKeys: %d keys of %d users, want %d of %d", len(keys), len(owners), pageCrossing, pageCrossing)
	}
}

func adminKeys(t *testing.T, dir guard.Directory) (guard.Group, []guard.User, []guard.APIKey) {
	t.Helper()
	g := resolve(t, dir, guard.GroupRef{Name: "Administrators"})
	ms, err := members(t, dir, g)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := dir.APIKeys(t.Context(), g.Domain, ms)
	if err != nil {
		t.Fatal(err)
	}
	return g, ms, keys
}

func testDeleteTwice(t *testing.T, h Harness) {
	dir, probe := h.Open(t, decoyWorld(h.SecondaryDomains))
	_, _, keys := adminKeys(t, dir)
	if len(keys) != 3 {
		t.Fatalf("alice and bob hold %d keys, want 3", len(keys))
	}
	k := keys[0]
	if err := dir.DeleteAPIKey(t.Context(), k); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := dir.DeleteAPIKey(t.Context(), k); !errors.Is(err, guard.ErrNotFound) {
		t.Errorf("second delete = %v, want ErrNotFound", err)
	}
	_, _, after := adminKeys(t, dir)
	if len(after) != 2 || slices.ContainsFunc(after, func(a guard.APIKey) bool { return a.Fingerprint == k.Fingerprint && a.UserOCID == k.UserOCID }) {
		t.Errorf("after deleting %s: %d admin keys %v", k.Fingerprint, len(after), after)
	}
	want := map[string]int{"carol": 1, "dave": 1, "erin": 0}
	for u, n := range want {
		if got := probe.KeyCount("Default", u); got != n {
			t.Errorf("%s holds %d keys, want %d", u, got, n)
		}
	}
	if h.SecondaryDomains && probe.KeyCount("Engineering", "alice") != 1 {
		t.Error("Engineering/alice lost a key to a delete in the Default domain")
	}
}

func testDisable(t *testing.T, h Harness) {
	dir, _ := h.Open(t, decoyWorld(h.SecondaryDomains))
	g, ms, _ := adminKeys(t, dir)
	for _, m := range ms {
		if !m.CanUseAPIKeys {
			t.Fatalf("%s starts with API keys disabled", m.UserName)
		}
	}
	if err := dir.DisableAPIKeys(t.Context(), ms[0]); err != nil {
		t.Fatal(err)
	}
	after, err := members(t, dir, g)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range after {
		if want := m.OCID != ms[0].OCID; m.CanUseAPIKeys != want {
			t.Errorf("%s canUseApiKeys = %v, want %v", m.UserName, m.CanUseAPIKeys, want)
		}
	}
}

func testLiar(t *testing.T, h Harness) {
	dir, probe := h.Open(t, decoyWorld(h.SecondaryDomains))
	liar, ok := probe.(Liar)
	if !ok {
		t.Skipf("%s: the backend cannot be made to ignore filters", h.Name)
	}
	g, ms, _ := adminKeys(t, dir)
	liar.IgnoreFilters()
	if got, err := dir.Members(t.Context(), g); err == nil {
		t.Errorf("Members over a lying listing = %d users and no error", len(got))
	}
	if got, err := dir.APIKeys(t.Context(), g.Domain, ms); err == nil {
		t.Errorf("APIKeys over a lying listing = %d keys and no error", len(got))
	}
}

func testDeadline(t *testing.T, h Harness) {
	dir, probe := h.Open(t, decoyWorld(h.SecondaryDomains))
	g, ms, keys := adminKeys(t, dir)
	ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Millisecond))
	defer cancel()
	if err := dir.DeleteAPIKey(ctx, keys[0]); err == nil {
		t.Error("a delete after the deadline succeeded")
	}
	if _, err := dir.Members(ctx, g); err == nil {
		t.Error("a listing after the deadline succeeded")
	}
	if err := dir.DisableAPIKeys(ctx, ms[0]); err == nil {
		t.Error("a capability update after the deadline succeeded")
	}
	if n := probe.KeyCount("Default", "alice") + probe.KeyCount("Default", "bob"); n != 3 {
		t.Errorf("admins hold %d keys after calls past the deadline, want 3", n)
	}
}
