package guard_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard/fakedir"
)

// BenchmarkPlan plans a large tenancy: 100,000 users, 50 administrators with 3 keys each, and
// one key for every tenth other user, which a sloppy listing returned and Plan must set aside.
// Compare runs with benchstat; ns/user is the figure that should stay flat as tenancies grow.
func BenchmarkPlan(b *testing.B) {
	const users, admins, keysPerAdmin = 100_000, 50, 3
	dom := guard.Domain{Name: "Default", URL: "https://default.example", Default: true}
	var as []guard.Admin
	var keys []guard.APIKey
	strays := 0
	for i := range users {
		n := strconv.Itoa(i)
		u := guard.User{Domain: dom, ID: "id-" + n, OCID: "ocid1.user.oc1..bench" + n, UserName: "user" + n,
			Active: true, CanUseAPIKeys: true}
		switch {
		case i < admins:
			as = append(as, guard.Admin{User: u, Groups: []string{"Default/Administrators"}})
			for k := range keysPerAdmin {
				keys = append(keys, benchKey(u, k))
			}
		case i%10 == 0:
			keys = append(keys, benchKey(u, 0))
			strays++
		}
	}
	// A listing returns keys in no particular order; sorted input would flatter the planner.
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	ex := guard.NewExemptions([]string{"user7", as[3].OCID})

	steps, left := guard.Plan(as, keys, guard.Rules{Exempt: ex, DisableKinds: []guard.Kind{guard.KindAPIKeys}})
	if len(steps) != admins || len(left) != strays {
		b.Fatalf("plan has %d steps and %d strays, want %d and %d", len(steps), len(left), admins, strays)
	}
	for b.Loop() {
		guard.Plan(as, keys, guard.Rules{Exempt: ex, DisableKinds: []guard.Kind{guard.KindAPIKeys}})
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/users, "ns/user")
}

func benchKey(u guard.User, k int) guard.APIKey {
	n := strconv.Itoa(k)
	return guard.APIKey{Domain: u.Domain, ID: "key-" + u.ID + "-" + n, Fingerprint: "fp:" + u.OCID + ":" + n, UserOCID: u.OCID}
}

// BenchmarkRunFake is a whole enforcing run against the in-memory directory: 50 administrators
// with 3 keys each (one exempt), among 1,000 other users who also hold keys. It measures the
// guard's own overhead (discovery bookkeeping, planning, bounded concurrency, reporting).
func BenchmarkRunFake(b *testing.B) {
	const admins, keysPerAdmin, others = 50, 3, 1000
	opt := guard.Options{Groups: []guard.GroupRef{{Name: "Administrators"}}, DisableCapability: true, Sleep: noWait,
		Exempt: guard.NewExemptions([]string{"admin7"})}
	want := (admins - 1) * keysPerAdmin
	for b.Loop() {
		b.StopTimer() // every run deletes the keys, so each one needs a fresh tenancy
		d := benchTenancy(admins, keysPerAdmin, others)
		b.StartTimer()
		rep := guard.Run(context.Background(), d, opt)
		if rep.Status != guard.StatusOK || rep.Counts.Deleted != want {
			b.Fatalf("status %s counts %+v, want %d deleted", rep.Status, rep.Counts, want)
		}
	}
}

func benchTenancy(admins, keysPerAdmin, others int) *fakedir.Dir {
	d := fakedir.New()
	var members []string
	for i := range admins {
		u := d.AddUser("Default", "admin"+strconv.Itoa(i), true, true)
		members = append(members, u.OCID)
		for range keysPerAdmin {
			d.AddKey(u.OCID)
		}
	}
	d.AddGroup("Default", "Administrators", members...)
	for i := range others {
		d.AddKey(d.AddUser("Default", "user"+strconv.Itoa(i), true, true).OCID)
	}
	return d
}
