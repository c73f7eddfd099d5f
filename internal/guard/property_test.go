package guard_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard/fakedir"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/oracle"
)

// The property tests are seeded so a failure can be replayed alone:
//
//	go test -run 'TestProperty...' ./internal/guard -args -guard.seed=N -guard.tenancies=1
var (
	propSeed      = flag.Uint64("guard.seed", 20261123, "base seed of the property tests; tenancy i is generated from seed+i")
	propTenancies = flag.Int("guard.tenancies", 10_000, "random tenancies per property test")
)

func TestPropertyEnforceDeletesExactlyAdminKeys(t *testing.T) {
	t.Parallel()
	forEachSeed(t, tenancyClasses, func(t *testing.T, seed uint64, note func(string)) {
		r := rand.New(rand.NewPCG(seed, 1))
		w, d := generate(r)
		o := w.expect()
		for _, c := range w.classify(o) {
			note(c)
		}
		refs, err := w.refs()
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, w)
		}
		opt := guard.Options{Groups: refs, Exempt: guard.NewExemptions(w.exempt), Concurrency: 1 + r.IntN(4)}
		var p problems

		dry := opt
		dry.DryRun, dry.DisableCapability = true, r.IntN(2) == 0
		checkDryRun(&p, w, o, d, runGuard(d, dry), dry)

		opt.DisableCapability = r.IntN(2) == 0
		d = w.build()
		checkEnforce(&p, w, o, d, runGuard(d, opt), opt)

		p.fail(t, seed, w, opt)
	})
}

// forEachSeed checks every tenancy, in parallel chunks so the run uses every core. Each
// tenancy depends only on its own seed, so the split changes nothing but the wall time.
// check notes which of the classes each tenancy belongs to; a full run fails if a class is
// rare, so a generator that stopped making the tricky cases cannot pass vacuously.
func forEachSeed(t *testing.T, classes []string, check func(t *testing.T, seed uint64, note func(class string))) {
	const chunks = 8
	n := *propTenancies
	var mu sync.Mutex
	seen := map[string]int{}
	note := func(class string) {
		mu.Lock()
		defer mu.Unlock()
		seen[class]++
	}
	t.Cleanup(func() {
		if t.Failed() {
			return // the tenancies after the failing one were not checked
		}
		for _, c := range classes {
			t.Logf("%6d tenancies: %s", seen[c], c)
			if n >= 1000 && seen[c] < n/500 {
				t.Errorf("only %d of %d tenancies were %q: the generator lost a case", seen[c], n, c)
			}
		}
	})
	for c := range chunks {
		lo, hi := c*n/chunks, (c+1)*n/chunks
		t.Run(fmt.Sprintf("seeds-%d-%d", lo, hi), func(t *testing.T) {
			t.Parallel()
			for i := lo; i < hi && !t.Failed(); i++ {
				check(t, *propSeed+uint64(i), note)
			}
		})
	}
}

func runGuard(d guard.Directory, opt guard.Options) *guard.Result {
	opt.Sleep = noWait
	rep := guard.Run(context.Background(), d, opt)
	return &rep
}

// checkDryRun: the report lists exactly what enforce must delete, and the tenancy is untouched.
func checkDryRun(p *problems, w *world, o expected, d *fakedir.Dir, rep *guard.Result, opt guard.Options) {
	p.label = "dry run"
	// (the mode is the handler's: internal/handler's tests assert it)
	if checkStopped(p, w, o, d, rep) {
		return
	}
	if rep.Status != guard.StatusOK || len(rep.Errors)+len(rep.Warnings) > 0 {
		p.errorf("status %s errors %v warnings %v", rep.Status, rep.Errors, rep.Warnings)
	}
	if n := d.Calls["DeleteAPIKey"] + d.Calls["DisableAPIKeys"]; n > 0 || len(d.Deleted)+len(d.Disable) > 0 {
		p.errorf("dry run made %d write calls", n)
	}
	p.sameSet("keys left", remainingKeys(d), w.allKeys())
	p.sameSet("would-delete", keysWith(rep, guard.OutcomeWouldDelete), o.doomed)
	p.sameSet("exempt keys", keysWith(rep, guard.OutcomeExempt), o.kept)
	p.sameSet("reported administrators", reportedAdmins(rep), o.admins)
	wantDisable := map[string]bool{}
	if opt.DisableCapability {
		wantDisable = o.disable
	}
	p.sameSet("would-disable", capabilityWith(rep, guard.OutcomeWouldDisable), wantDisable)
	want := guard.Counts{Administrators: len(o.admins), Keys: o.adminKeys, WouldDelete: len(o.doomed),
		Exempt: len(o.kept), WouldDisable: len(wantDisable)}
	if rep.Counts != want {
		p.errorf("counts %+v, want %+v", rep.Counts, want)
	}
	if rep.Changed() != (len(o.doomed)+len(wantDisable) > 0) {
		p.errorf("Changed() = %t with counts %+v", rep.Changed(), rep.Counts)
	}
}

// checkEnforce: exactly the non-exempt administrators' keys are gone, everything else stays,
// and the report says so key by key and in its counts.
func checkEnforce(p *problems, w *world, o expected, d *fakedir.Dir, rep *guard.Result, opt guard.Options) {
	p.label = "enforce"
	if checkStopped(p, w, o, d, rep) {
		return
	}
	if rep.Status != guard.StatusOK || len(rep.Errors)+len(rep.Warnings) > 0 {
		p.errorf("status %s errors %v warnings %v", rep.Status, rep.Errors, rep.Warnings)
	}
	deleted := map[string]bool{}
	for _, k := range d.Deleted {
		if deleted[k.Fingerprint] {
			p.errorf("key %s deleted twice", k.Fingerprint)
		}
		deleted[k.Fingerprint] = true
	}
	p.sameSet("deleted", deleted, o.doomed)
	p.sameSet("keys left", remainingKeys(d), minus(w.allKeys(), o.doomed))
	p.sameSet("reported deleted", keysWith(rep, guard.OutcomeDeleted), o.doomed)
	p.sameSet("reported exempt", keysWith(rep, guard.OutcomeExempt), o.kept)
	p.sameSet("reported administrators", reportedAdmins(rep), o.admins)
	for _, a := range rep.Admins {
		if a.Exempt != o.exempt[a.OCID] {
			p.errorf("administrator %s reported exempt=%t", a.OCID, a.Exempt)
		}
	}
	wantDisable := map[string]bool{}
	if opt.DisableCapability {
		wantDisable = o.disable
	}
	disabled := map[string]bool{}
	for _, ocid := range d.Disable {
		if disabled[ocid] {
			p.errorf("capability of %s disabled twice", ocid)
		}
		disabled[ocid] = true
	}
	p.sameSet("capability disabled", disabled, wantDisable)
	p.sameSet("reported capability disabled", capabilityWith(rep, guard.OutcomeDisabled), wantDisable)
	for _, u := range w.users() {
		got, _ := d.User(u.OCID)
		if want := u.CanUseAPIKeys && !wantDisable[u.OCID]; got.CanUseAPIKeys != want {
			p.errorf("user %s canUseApiKeys=%t, want %t", u.OCID, got.CanUseAPIKeys, want)
		}
	}
	for _, a := range rep.Admins {
		if (a.Capability != nil) != opt.DisableCapability {
			p.errorf("administrator %s capability report %+v with DisableCapability=%t", a.OCID, a.Capability, opt.DisableCapability)
		}
	}
	c := rep.Counts
	want := guard.Counts{Administrators: len(o.admins), Keys: o.adminKeys, Deleted: len(o.doomed),
		Exempt: len(o.kept), Disabled: len(wantDisable)}
	if c != want || c.Deleted+c.Exempt != c.Keys {
		p.errorf("counts %+v, want %+v", c, want)
	}
	// Entries that name one group (two spellings of it) are one group, reported once.
	distinct := map[oracle.Group]bool{}
	for _, g := range w.admin {
		distinct[g] = true
	}
	if len(rep.Groups) != len(distinct) {
		p.errorf("%d groups reported for %d configured (%d entries)", len(rep.Groups), len(distinct), len(opt.Groups))
	}
	for _, g := range rep.Groups {
		if want, ok := w.memberCount(g.Domain, g.Name); !ok || g.Members != want {
			p.errorf("group %s/%s reported with %d members, want %d (exists: %t)", g.Domain, g.Name, g.Members, want, ok)
		}
	}
}

// checkStopped: when an exemption names no administrator the run is an error, one problem per
// such entry, nothing written, and the report says which entries matched and which did not. It
// reports whether the run was to stop.
func checkStopped(p *problems, w *world, o expected, d *fakedir.Dir, rep *guard.Result) bool {
	if len(o.unmatched) == 0 {
		return false
	}
	var named []string
	for _, e := range rep.Errors {
		if e.Stage == "exemptions" {
			named = append(named, e.Message)
		}
	}
	if rep.Status != guard.StatusError || len(named) != len(o.unmatched) || len(rep.Errors) != len(named) {
		p.errorf("unmatched exemptions %q: status %s errors %v", o.unmatched, rep.Status, rep.Errors)
	}
	for i, e := range o.unmatched {
		if i < len(named) && !strings.Contains(named[i], fmt.Sprintf("%q", e)) {
			p.errorf("problem %q does not name the entry %q", named[i], e)
		}
	}
	if n := d.Calls["DeleteAPIKey"] + d.Calls["DisableAPIKeys"]; n > 0 || len(d.Deleted)+len(d.Disable) > 0 {
		p.errorf("a run stopped by an unmatched exemption made %d write calls", n)
	}
	p.sameSet("keys left", remainingKeys(d), w.allKeys())
	ex := rep.Exemptions
	if !ex.Checked || len(ex.Unmatched) != len(o.unmatched) || ex.Configured != len(ex.Matched)+len(ex.Unmatched) {
		p.errorf("exemptions reported %+v, want %d unmatched", ex, len(o.unmatched))
	}
	return true
}

// problems collects every broken property of one tenancy, so a failure shows them all.
type problems struct {
	label string
	list  []string
}

func (p *problems) errorf(format string, args ...any) {
	p.list = append(p.list, p.label+": "+fmt.Sprintf(format, args...))
}

func (p *problems) sameSet(what string, got, want map[string]bool) {
	extra, missing := sortedKeys(minus(got, want)), sortedKeys(minus(want, got))
	if len(extra)+len(missing) > 0 {
		p.errorf("%s: unexpected %v, missing %v", what, extra, missing)
	}
}

func (p *problems) fail(t *testing.T, seed uint64, w *world, opt guard.Options) {
	t.Helper()
	if len(p.list) == 0 {
		return
	}
	test, _, _ := strings.Cut(t.Name(), "/")
	t.Fatalf("seed %d (concurrency %d):\n  %s\ntenancy:\n%s\nreplay: go test -run '^%s$' ./internal/guard -args -guard.seed=%d -guard.tenancies=1",
		seed, opt.Concurrency, strings.Join(p.list, "\n  "), w, test, seed)
}

func remainingKeys(d *fakedir.Dir) map[string]bool {
	out := map[string]bool{}
	for _, fps := range d.Keys() {
		for _, fp := range fps {
			out[fp] = true
		}
	}
	return out
}

func keysWith(rep *guard.Result, outcome guard.Outcome) map[string]bool {
	out := map[string]bool{}
	for _, a := range rep.Admins {
		for _, k := range a.Keys {
			if k.Outcome == outcome {
				out[k.Fingerprint] = true
			}
		}
	}
	return out
}

func capabilityWith(rep *guard.Result, outcome guard.Outcome) map[string]bool {
	out := map[string]bool{}
	for _, a := range rep.Admins {
		if a.Capability != nil && a.Capability.Outcome == outcome {
			out[a.OCID] = true
		}
	}
	return out
}

func reportedAdmins(rep *guard.Result) map[string]bool {
	out := map[string]bool{}
	for _, a := range rep.Admins {
		out[a.OCID] = true
	}
	return out
}

func minus(a, b map[string]bool) map[string]bool {
	out := maps.Clone(a)
	for k := range b {
		delete(out, k)
	}
	return out
}

func sortedKeys(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }

// world is a random tenancy (ociemu.Random, the one generator, in the one model) with the
// configuration an operator might write for it. The expectation below derives the outcome
// from these records alone (internal/testing/oracle), never from the guard's code or report.
type world struct {
	tn     *ociemu.Tenancy
	config []string       // ADMIN_GROUPS entries as an operator might type them
	admin  []oracle.Group // the groups the config entries name, as generated
	exempt []string       // EXEMPT_USERS entries
}

// worldUser is a user of the tenancy with its domain's name.
type worldUser struct {
	domain string
	ociemu.User
}

// generate makes a random tenancy and returns it with its first build.
func generate(r *rand.Rand) (*world, *fakedir.Dir) {
	w := &world{tn: ociemu.Random(r)}
	var all, named []oracle.Group // named: the groups called Administrators in some domain, realistic and tricky
	for _, d := range w.tn.Domains {
		for _, g := range d.Groups {
			ref := oracle.Group{Domain: d.DisplayName, Name: g.DisplayName}
			all = append(all, ref)
			if strings.EqualFold(g.DisplayName, ociemu.AdminGroupName) {
				named = append(named, ref)
			}
		}
	}
	for range 1 + r.IntN(3) {
		g := all[r.IntN(len(all))]
		if r.IntN(2) == 0 {
			g = named[r.IntN(len(named))]
		}
		w.admin = append(w.admin, g)
		w.config = append(w.config, refText(r, g))
	}
	// Operators exempt administrators (break-glass); now and then an entry names nobody: a
	// typo, a non-administrator, or a stale entry. Such a run must stop with nothing changed.
	admins := map[string]bool{}
	for _, a := range oracle.Admins(w.tn, w.admin, nil) {
		admins[a.User.OCID] = true
	}
	for _, u := range w.users() {
		odds := 10
		if !admins[u.OCID] {
			odds = 120
		}
		switch r.IntN(odds) {
		case 0:
			w.exempt = append(w.exempt, u.OCID)
		case 1:
			w.exempt = append(w.exempt, pad(r, ociemu.RandomCase(r, u.UserName)))
		}
	}
	if r.IntN(10) == 0 {
		w.exempt = append(w.exempt, []string{"nobody", "ocid1.user.oc1..not-a-user"}[r.IntN(2)])
	}
	if r.IntN(4) == 0 {
		w.exempt = append(w.exempt, " ")
	}
	r.Shuffle(len(w.exempt), func(i, j int) { w.exempt[i], w.exempt[j] = w.exempt[j], w.exempt[i] })
	return w, w.build()
}

// refText writes a reference to g in one of the ways ADMIN_GROUPS accepts: a bare name for
// the Default domain, or Domain/Name, with names and domains in any case.
func refText(r *rand.Rand, g oracle.Group) string {
	name := ociemu.RandomCase(r, g.Name)
	if g.Domain == "Default" && r.IntN(2) == 0 {
		return pad(r, name)
	}
	sep := "/"
	if r.IntN(4) == 0 {
		sep = " / "
	}
	return pad(r, ociemu.RandomCase(r, g.Domain)+sep+name)
}

func pad(r *rand.Rand, s string) string {
	if r.IntN(4) == 0 {
		return " " + s + "  "
	}
	return s
}

// build makes a fresh fake tenancy; every build of a world is the same.
func (w *world) build() *fakedir.Dir { return fakedir.FromTenancy(w.tn) }

// users lists every user of the tenancy, domain by domain.
func (w *world) users() []worldUser {
	var out []worldUser
	for _, d := range w.tn.Domains {
		for _, u := range d.Users {
			out = append(out, worldUser{domain: d.DisplayName, User: u})
		}
	}
	return out
}

func (w *world) refs() ([]guard.GroupRef, error) {
	refs := make([]guard.GroupRef, len(w.config))
	for i, s := range w.config {
		ref, err := guard.ParseGroupRef(s)
		if err != nil {
			return nil, fmt.Errorf("generated ADMIN_GROUPS entry %q: %w", s, err)
		}
		refs[i] = ref
	}
	return refs, nil
}

func (w *world) allKeys() map[string]bool {
	out := map[string]bool{}
	for _, u := range w.users() {
		for _, k := range u.APIKeys {
			out[k.Fingerprint] = true
		}
	}
	return out
}

// keysOf are the fingerprints of the user's keys.
func (w *world) keysOf(ocid string) []string {
	var out []string
	for _, u := range w.users() {
		if u.OCID == ocid {
			for _, k := range u.APIKeys {
				out = append(out, k.Fingerprint)
			}
		}
	}
	return out
}

func (w *world) memberCount(domain, name string) (int, bool) {
	for _, d := range w.tn.Domains {
		for _, g := range d.Groups {
			if d.DisplayName == domain && strings.EqualFold(g.DisplayName, name) {
				return len(g.Members), true
			}
		}
	}
	return 0, false
}

// expected is the outcome the spec gives (internal/testing/oracle): members of the configured
// groups are administrators; their keys go unless EXEMPT_USERS names them by OCID or by user
// name (any case); their capability is turned off when it is on and they are not exempt.
type expected struct {
	admins, exempt, disable map[string]bool // user OCIDs
	doomed, kept            map[string]bool // key fingerprints
	adminKeys               int
	// unmatched are the EXEMPT_USERS entries that name no administrator: the run stops, error,
	// before any change.
	unmatched []string
}

func (w *world) expect() expected {
	o := expected{admins: map[string]bool{}, exempt: map[string]bool{}, disable: map[string]bool{},
		doomed: map[string]bool{}, kept: map[string]bool{}}
	all := oracle.Admins(w.tn, w.admin, w.exempt)
	o.unmatched = oracle.Unmatched(all, w.exempt)
	for _, a := range all {
		o.admins[a.User.OCID] = true
		o.adminKeys += len(a.User.APIKeys)
		for _, k := range a.User.APIKeys {
			if a.Exempt {
				o.kept[k.Fingerprint] = true
			} else {
				o.doomed[k.Fingerprint] = true
			}
		}
		switch {
		case a.Exempt:
			o.exempt[a.User.OCID] = true
		case a.User.CanUseAPIKeys:
			o.disable[a.User.OCID] = true
		}
	}
	return o
}

var tenancyClasses = []string{
	"no administrators", "keys deleted", "capability to disable",
	"same-named group in a secondary domain spared", "decoy admin-ish group spared",
	"secondary domain enforced", "admin in several configured groups", "configured name in another case",
	"exempt by OCID", "exempt by name in another case", "inactive admin with keys", "admin with capability off and keys",
	"user name in two domains", "unmatched exemption stops the run",
}

// classify names the cases a tenancy exercises, from the generator's records.
func (w *world) classify(o expected) []string {
	var out []string
	add := func(class string, ok bool) {
		if ok && !slices.Contains(out, class) {
			out = append(out, class)
		}
	}
	add("no administrators", len(o.admins) == 0)
	add("unmatched exemption stops the run", len(o.unmatched) > 0)
	add("keys deleted", len(o.doomed) > 0)
	add("capability to disable", len(o.disable) > 0)
	users := w.users()
	keysOf := map[string]int{}
	for _, u := range users {
		keysOf[u.OCID] = len(u.APIKeys)
	}
	inGroups := map[string]int{}
	for _, d := range w.tn.Domains {
		for _, g := range d.Groups {
			enforced := slices.Contains(w.admin, oracle.Group{Domain: d.DisplayName, Name: g.DisplayName})
			add("secondary domain enforced", enforced && d.DisplayName != "Default")
			for _, m := range g.Members {
				if enforced {
					inGroups[m]++
					continue
				}
				spared := !o.admins[m] && keysOf[m] > 0
				add("same-named group in a secondary domain spared", spared && d.DisplayName != "Default" && strings.EqualFold(g.DisplayName, "Administrators"))
				add("decoy admin-ish group spared", spared && !strings.EqualFold(g.DisplayName, "Administrators") && strings.Contains(strings.ToLower(g.DisplayName), "admin"))
			}
		}
	}
	for ui, u := range users {
		add("admin in several configured groups", inGroups[u.OCID] > 1)
		add("inactive admin with keys", o.admins[u.OCID] && !u.Active && len(u.APIKeys) > 0)
		add("admin with capability off and keys", o.admins[u.OCID] && !u.CanUseAPIKeys && len(u.APIKeys) > 0)
		for _, e := range w.exempt {
			e = strings.TrimSpace(e)
			add("exempt by OCID", o.admins[u.OCID] && e == u.OCID)
			add("exempt by name in another case", o.admins[u.OCID] && e != u.UserName && strings.EqualFold(e, u.UserName))
		}
		for _, v := range users[ui+1:] {
			add("user name in two domains", strings.EqualFold(u.UserName, v.UserName))
		}
	}
	for i, s := range w.config {
		add("configured name in another case", !strings.HasSuffix(strings.TrimSpace(s), w.admin[i].Name))
	}
	return out
}

func (w *world) String() string {
	var b strings.Builder
	var domains []string
	for _, d := range w.tn.Domains {
		domains = append(domains, d.DisplayName)
	}
	fmt.Fprintf(&b, "  domains %v\n", domains)
	for _, u := range w.users() {
		var fps []string
		for _, k := range u.APIKeys {
			fps = append(fps, k.Fingerprint)
		}
		fmt.Fprintf(&b, "  user %s/%s %s active=%t canUseApiKeys=%t keys=%v\n", u.domain, u.UserName, u.OCID, u.Active, u.CanUseAPIKeys, fps)
	}
	names := map[string]string{}
	for _, u := range w.users() {
		names[u.OCID] = u.UserName
	}
	for _, d := range w.tn.Domains {
		for _, g := range d.Groups {
			var members []string
			for _, m := range g.Members {
				members = append(members, names[m])
			}
			fmt.Fprintf(&b, "  group %s/%s members %v\n", d.DisplayName, g.DisplayName, members)
		}
	}
	fmt.Fprintf(&b, "  ADMIN_GROUPS %q\n  EXEMPT_USERS %q", w.config, w.exempt)
	return b.String()
}

func TestPropertyFailuresNeverDeleteNonAdmins(t *testing.T) {
	t.Parallel()
	forEachSeed(t, faultClasses, func(t *testing.T, seed uint64, note func(string)) {
		r := rand.New(rand.NewPCG(seed, 2))
		w, d := generate(r)
		o := w.expect()
		refs, err := w.refs()
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, w)
		}
		opt := guard.Options{Groups: refs, Exempt: guard.NewExemptions(w.exempt), Concurrency: 1 + r.IntN(4),
			DisableCapability: r.IntN(2) == 0, DryRun: r.IntN(5) == 0}
		ghost := r.IntN(10) == 0
		if ghost { // a configured group that does not exist is a discovery failure too
			opt.Groups = slices.Insert(slices.Clone(opt.Groups), r.IntN(len(opt.Groups)+1), ghostRefs[r.IntN(len(ghostRefs))])
		}
		f := newFaults(r, seed)
		d.Fail = f.inject
		var p problems
		rep := runGuard(&faultyDir{Dir: d, f: f}, opt)
		checkUnderFaults(&p, w, o, d, f, rep, opt, ghost)
		for _, c := range f.classify(rep, opt, ghost) {
			note(c)
		}

		d.Fail = nil
		clean := opt
		clean.Groups, clean.DryRun = refs, false
		before := remainingKeys(d)
		checkConverged(&p, w, o, d, runGuard(d, clean), clean, before)
		p.fail(t, seed, w, opt)
	})
}

// ghostRefs name groups no generated tenancy has: a name nobody uses, or a domain that is not there.
var ghostRefs = []guard.GroupRef{{Name: "Ghosts"}, {Domain: "Nowhere", Name: "Administrators"}, {Domain: "Default", Name: "Ghosts"}}

// faults injects errors through fakedir.Fail, each call's fate drawn from the seed and the
// call itself (operation, argument, and how many times that call was made before), so a
// tenancy's faults replay identically. With Concurrency > 1 only the order of the 404
// confirmations (APIKeys of one domain) may vary between runs; the properties hold for any order.
type faults struct {
	seed uint64
	rate map[string]float64 // per operation
	lose float64            // chance that a delete succeeds but its answer is lost

	mu              sync.Mutex
	calls           map[string]int
	writing         bool            // the guard has started changing the tenancy
	discoveryFailed bool            // a group or membership read failed before any write started
	deletes         map[string]int  // fingerprint -> delete attempts
	disables        map[string]bool // user OCIDs whose capability the guard tried to turn off
	lost            map[string]bool // fingerprints deleted with the answer lost
}

var faultClasses = []string{
	"discovery failed", "configured group missing", "partial", "dry run under faults",
	"lost answer, confirmed gone by listing", "lost answer, reported failed", "ok", "capability disable failed",
}

func (f *faults) classify(rep *guard.Result, opt guard.Options, ghost bool) []string {
	var out []string
	add := func(class string, ok bool) {
		if ok {
			out = append(out, class)
		}
	}
	add("discovery failed", f.discoveryFailed)
	add("configured group missing", ghost)
	add("partial", rep.Status == guard.StatusPartial)
	add("ok", rep.Status == guard.StatusOK && !opt.DryRun)
	add("dry run under faults", opt.DryRun && rep.Status == guard.StatusOK && f.rate["DeleteAPIKey"]+f.rate["DisableAPIKeys"] > 0)
	for _, a := range rep.Admins {
		for _, k := range a.Keys {
			add("lost answer, confirmed gone by listing", f.lost[k.Fingerprint] && k.Outcome == guard.OutcomeDeleted)
			add("lost answer, reported failed", f.lost[k.Fingerprint] && k.Outcome == guard.OutcomeFailed)
		}
		add("capability disable failed", a.Capability != nil && a.Capability.Outcome == guard.OutcomeFailed)
	}
	return out
}

func newFaults(r *rand.Rand, seed uint64) *faults {
	f := &faults{seed: seed, rate: map[string]float64{}, calls: map[string]int{}, deletes: map[string]int{},
		disables: map[string]bool{}, lost: map[string]bool{}}
	rates := []float64{0, 0, 0, 0, 0, 0, 0.05, 0.3, 1}
	for _, op := range []string{"ResolveGroup", "Members", "APIKeys"} {
		f.rate[op] = rates[r.IntN(len(rates))]
	}
	rates = []float64{0, 0.1, 0.5, 1}
	for _, op := range []string{"DeleteAPIKey", "DisableAPIKeys"} {
		f.rate[op] = rates[r.IntN(len(rates))]
	}
	f.lose = []float64{0, 0, 0.3}[r.IntN(3)]
	return f
}

// roll returns this call's own random stream.
func (f *faults) roll(op, arg string) *rand.Rand {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := op + "\x00" + arg
	f.calls[id]++
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%d", id, f.calls[id])
	return rand.New(rand.NewPCG(f.seed, h.Sum64()))
}

func (f *faults) inject(op, arg string) error {
	rate := f.rate[op]
	if rate == 0 {
		return nil
	}
	r := f.roll(op, arg)
	if r.Float64() >= rate {
		return nil
	}
	return injectedError(r.IntN(5))
}

func injectedError(kind int) error {
	switch kind {
	case 0:
		return errors.New("injected: 503 ServiceUnavailable")
	case 1:
		return injected404{}
	case 2:
		return fmt.Errorf("injected: 404 NotFound: %w", guard.ErrNotFound)
	case 3:
		return fmt.Errorf("injected: %w", context.DeadlineExceeded)
	}
	return errors.New("injected: 429 TooManyRequests")
}

// injected404 is OCI's 404 NotAuthorizedOrNotFound, as the adapter wraps it.
type injected404 struct{}

func (injected404) Error() string     { return "injected: 404 NotAuthorizedOrNotFound" }
func (injected404) Unwrap() error     { return guard.ErrNotFound }
func (injected404) ErrorCode() string { return "NotAuthorizedOrNotFound" }
func (injected404) Hint() string      { return "the policy may lack manage users" }

// faultyDir records what the guard read and tried to write, and loses the answers of some
// successful deletes, as a timed-out request that OCI nevertheless carried out.
type faultyDir struct {
	*fakedir.Dir
	f *faults
}

func (x *faultyDir) noteRead(err error) {
	x.f.mu.Lock()
	defer x.f.mu.Unlock()
	if err != nil && !x.f.writing {
		x.f.discoveryFailed = true
	}
}

func (x *faultyDir) ResolveGroup(ctx context.Context, ref guard.GroupRef) (guard.Group, error) {
	g, err := x.Dir.ResolveGroup(ctx, ref)
	x.noteRead(err)
	return g, err
}

func (x *faultyDir) Members(ctx context.Context, g guard.Group) ([]guard.User, error) {
	us, err := x.Dir.Members(ctx, g)
	x.noteRead(err)
	return us, err
}

// APIKeys does not note a failure as a failed discovery: once the administrators are known,
// a failed credential listing stops only the administrators it was for (their listing entry
// is failed), which checkUnderFaults checks from the report.
func (x *faultyDir) APIKeys(ctx context.Context, dom guard.Domain, users []guard.User) ([]guard.APIKey, error) {
	return x.Dir.APIKeys(ctx, dom, users)
}

func (x *faultyDir) DeleteAPIKey(ctx context.Context, k guard.APIKey) error {
	x.f.mu.Lock()
	x.f.writing = true
	x.f.deletes[k.Fingerprint]++
	x.f.mu.Unlock()
	err := x.Dir.DeleteAPIKey(ctx, k)
	if err == nil && x.f.lose > 0 {
		if r := x.f.roll("lose", k.Fingerprint); r.Float64() < x.f.lose {
			x.f.mu.Lock()
			x.f.lost[k.Fingerprint] = true
			x.f.mu.Unlock()
			// A retry of a delete that went through answers 404; a timeout answers nothing.
			return []error{injected404{}, fmt.Errorf("injected: %w", context.DeadlineExceeded)}[r.IntN(2)]
		}
	}
	return err
}

func (x *faultyDir) DisableAPIKeys(ctx context.Context, u guard.User) error {
	x.f.mu.Lock()
	x.f.writing = true
	x.f.disables[u.OCID] = true
	x.f.mu.Unlock()
	return x.Dir.DisableAPIKeys(ctx, u)
}

// checkUnderFaults: whatever fails, only non-exempt administrators' keys are ever touched;
// a failed discovery changes nothing; the report never claims a deletion that did not happen.
func checkUnderFaults(p *problems, w *world, o expected, d *fakedir.Dir, f *faults, rep *guard.Result, opt guard.Options, ghost bool) {
	p.label = "under faults"
	left := remainingKeys(d)
	gone := minus(w.allKeys(), left)
	for fp := range gone {
		if !o.doomed[fp] {
			p.errorf("key %s was deleted but is not a non-exempt administrator's", fp)
		}
	}
	for fp, n := range f.deletes {
		if !o.doomed[fp] || n > 1 {
			p.errorf("delete of key %s attempted %d times (doomed: %t)", fp, n, o.doomed[fp])
		}
	}
	for ocid := range f.disables {
		if !opt.DisableCapability || !o.disable[ocid] {
			p.errorf("capability of %s disable attempted (DisableCapability=%t)", ocid, opt.DisableCapability)
		}
	}
	if f.discoveryFailed || ghost || len(o.unmatched) > 0 {
		if len(gone)+len(f.deletes)+len(f.disables) > 0 {
			p.errorf("discovery failed yet %d keys went, %d deletes and %d disables were attempted", len(gone), len(f.deletes), len(f.disables))
		}
		if rep.Status != guard.StatusError || len(rep.Errors) == 0 {
			p.errorf("discovery failed: status %s errors %v", rep.Status, rep.Errors)
		}
		return
	}
	listingFailed := slices.ContainsFunc(rep.Admins, func(a guard.AdminResult) bool { return a.Listing != nil })
	for _, e := range rep.Errors { // write and listing failures, once per operation and code
		if e.Stage != "delete" && e.Stage != "disable" && (e.Stage != "discovery" || !listingFailed) {
			p.errorf("error %+v, but discovery succeeded", e)
		}
	}
	p.sameSet("reported administrators", reportedAdmins(rep), o.admins)
	reported := map[string]bool{}
	var counts guard.Counts
	failed, writeFailed, succeeded := false, false, false
	// An administrator whose credentials could not be listed is failed, alone: none of their
	// keys is reported, attempted or gone.
	expectedKeys := union(o.doomed, o.kept)
	for _, a := range rep.Admins {
		if a.Listing == nil {
			continue
		}
		failed = true
		if a.Listing.Outcome != guard.OutcomeFailed || a.Listing.Reason == "" || len(a.Keys) != 0 || a.Capability != nil {
			p.errorf("administrator %s not listed: %+v, keys %v, capability %v", a.OCID, *a.Listing, a.Keys, a.Capability)
		}
		for _, fp := range w.keysOf(a.OCID) {
			delete(expectedKeys, fp)
			counts.Keys--
			if gone[fp] || f.deletes[fp] > 0 {
				p.errorf("key %s of %s, whose listing failed, was deleted or attempted", fp, a.OCID)
			}
		}
		if f.disables[a.OCID] {
			p.errorf("capability of %s, whose listing failed, was switched", a.OCID)
		}
	}
	for _, a := range rep.Admins {
		for _, k := range a.Keys {
			reported[k.Fingerprint] = true
			switch ok := true; k.Outcome {
			case guard.OutcomeDeleted:
				counts.Deleted++
				succeeded = true
				ok = !opt.DryRun && !left[k.Fingerprint]
				if !ok {
					p.errorf("key %s reported deleted but still exists (dry run %t)", k.Fingerprint, opt.DryRun)
				}
			case guard.OutcomeExempt:
				counts.Exempt++
				if !o.kept[k.Fingerprint] || !left[k.Fingerprint] {
					p.errorf("key %s reported exempt (kept by the spec: %t, still there: %t)", k.Fingerprint, o.kept[k.Fingerprint], left[k.Fingerprint])
				}
			case guard.OutcomeWouldDelete:
				counts.WouldDelete++
				if !opt.DryRun || !o.doomed[k.Fingerprint] {
					p.errorf("key %s reported would-delete (dry run %t)", k.Fingerprint, opt.DryRun)
				}
			case guard.OutcomeFailed:
				counts.Failed++
				failed, writeFailed = true, true
				if opt.DryRun || !o.doomed[k.Fingerprint] || k.Reason == "" {
					p.errorf("key %s reported failed (dry run %t, reason %q)", k.Fingerprint, opt.DryRun, k.Reason)
				}
			default:
				p.errorf("key %s has outcome %q with no deadline in sight", k.Fingerprint, k.Outcome)
			}
		}
		if c := a.Capability; c != nil {
			u, _ := d.User(a.OCID)
			switch c.Outcome {
			case guard.OutcomeDisabled:
				succeeded = true
				if u.CanUseAPIKeys {
					p.errorf("capability of %s reported disabled but is on", a.OCID)
				}
			case guard.OutcomeFailed:
				failed, writeFailed = true, true
			}
		}
	}
	p.sameSet("reported keys", reported, expectedKeys)
	if rep.Counts.Deleted != counts.Deleted || rep.Counts.Exempt != counts.Exempt || rep.Counts.WouldDelete != counts.WouldDelete ||
		rep.Counts.Keys != o.adminKeys+counts.Keys || rep.Counts.Administrators != len(o.admins) {
		p.errorf("counts %+v disagree with the key reports (%+v) or the spec (%d keys)", rep.Counts, counts, o.adminKeys)
	}
	// No injected write failure is a refusal (none carries an HTTP status), but a failed listing
	// changed nothing: a run whose only failures are listings, with nothing deleted or
	// disabled, is an error (a-failed-listing-changed-nothing); any other failure is partial.
	want := map[bool]guard.Status{false: guard.StatusOK, true: guard.StatusPartial}[failed]
	if listingFailed && !writeFailed && !succeeded {
		want = guard.StatusError
	}
	if rep.Status != want {
		p.errorf("status %s, want %s (something failed: %t, a listing: %t, a write: %t, something succeeded: %t)",
			rep.Status, want, failed, listingFailed, writeFailed, succeeded)
	}
	if opt.DryRun && len(gone)+len(f.deletes)+len(f.disables) > 0 {
		p.errorf("dry run changed the tenancy")
	}
}

// checkConverged: a clean run after a faulty one reaches the end state a clean run alone would.
func checkConverged(p *problems, w *world, o expected, d *fakedir.Dir, rep *guard.Result, opt guard.Options, before map[string]bool) {
	p.label = "clean rerun"
	if checkStopped(p, w, o, d, rep) {
		return
	}
	if rep.Status != guard.StatusOK {
		p.errorf("status %s errors %v counts %+v", rep.Status, rep.Errors, rep.Counts)
	}
	p.sameSet("keys left", remainingKeys(d), minus(w.allKeys(), o.doomed))
	p.sameSet("deleted by the rerun", keysWith(rep, guard.OutcomeDeleted), intersect(o.doomed, before))
	for _, u := range w.users() {
		got, _ := d.User(u.OCID)
		if want := u.CanUseAPIKeys && !(opt.DisableCapability && o.disable[u.OCID]); got.CanUseAPIKeys != want {
			p.errorf("user %s canUseApiKeys=%t, want %t", u.OCID, got.CanUseAPIKeys, want)
		}
	}
}

func union(a, b map[string]bool) map[string]bool {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

func intersect(a, b map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		if b[k] {
			out[k] = true
		}
	}
	return out
}
