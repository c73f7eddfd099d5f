package e2e

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/oci"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/oracle"
)

// envMu serialises the moments when a resource principal is in this process's environment:
// the SDK's provider reads it only from there, as in OCI Functions.
var envMu sync.Mutex

// sdkDirectory is the product's OCI adapter in this process, signed by a fresh resource
// principal of emu that the SDK's own provider reads from the environment (inline values are
// copied at construction, so the variables are removed again right after).
func sdkDirectory(tb testing.TB, emu *ociemu.Server, identityAPI string) *oci.Directory {
	tb.Helper()
	d, err := newSDKDirectory(emu, identityAPI)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// newSDKDirectory is the OCI adapter as the function builds it, signing as a principal the
// emulator minted, with IDENTITY_API identityAPI ("" is auto).
func newSDKDirectory(emu *ociemu.Server, identityAPI string) (*oci.Directory, error) {
	p, err := emu.MintPrincipal(time.Hour)
	if err != nil {
		return nil, err
	}
	envMu.Lock()
	defer envMu.Unlock()
	env := p.Env()
	defer func() {
		for k := range env {
			os.Unsetenv(k)
		}
	}()
	for k, v := range env {
		if err := os.Setenv(k, v); err != nil {
			return nil, err
		}
	}
	return oci.NewFromResourcePrincipal(oci.Settings{IdentityEndpoint: emu.IdentityURL(), NotificationEndpoint: emu.NotificationURL(), IdentityAPI: identityAPI})
}

// domainOf returns the Default identity domain as the adapter knows it.
func domainOf(tb testing.TB, d *oci.Directory) guard.Domain {
	tb.Helper()
	g, err := d.ResolveGroup(tb.Context(), guard.GroupRef{Name: ociemu.AdminGroupName})
	if err != nil {
		tb.Fatal(err)
	}
	return g.Domain
}

// sdkCase is one random tenancy and configuration with the keys a correct guard deletes.
type sdkCase struct {
	spec   ociemu.GenSpec
	groups []guard.GroupRef
	labels []string // the same groups as "Domain/Name", for adminKeys
	exempt []string
	dryRun bool
}

func (c sdkCase) String() string {
	return fmt.Sprintf("%+v groups=%v exempt=%v dry=%v", c.spec, c.labels, c.exempt, c.dryRun)
}

func randomCase(r *rand.Rand, seed int64) (sdkCase, *ociemu.Tenancy) {
	c := sdkCase{spec: ociemu.GenSpec{Seed: seed, Users: r.IntN(25), Admins: r.IntN(7), KeysPerAdmin: r.IntN(4),
		OtherKeyFraction: r.Float64(), AdminsLast: r.IntN(2) == 0, Decoys: r.IntN(3) > 0}, dryRun: r.IntN(4) == 0}
	if c.spec.Decoys && c.spec.Admins < 2 {
		c.spec.Admins = 2 // the decoys mark the first two administrators
	}
	tn := ociemu.Generate(c.spec)
	c.groups, c.labels = []guard.GroupRef{{Name: ociemu.AdminGroupName}}, []string{"Default/" + ociemu.AdminGroupName}
	if c.spec.Decoys && r.IntN(2) == 0 {
		c.groups = append(c.groups, guard.GroupRef{Name: ociemu.NetworkAdminGroupName})
		c.labels = append(c.labels, "Default/"+ociemu.NetworkAdminGroupName)
	}
	if c.spec.Decoys && r.IntN(2) == 0 {
		c.groups = append(c.groups, guard.GroupRef{Domain: ociemu.SecondaryDomainName, Name: ociemu.AdminGroupName})
		c.labels = append(c.labels, ociemu.SecondaryDomainName+"/"+ociemu.AdminGroupName)
	}
	// exempt a few random administrators by name or by OCID, and now and then a user who is not
	// one (then the run must stop with nothing changed: docs/configuration.md, Exemptions)
	admins := map[string]bool{}
	for _, a := range oracle.Admins(tn, oracle.Groups(c.labels...), nil) {
		admins[a.User.OCID] = true
	}
	for _, d := range tn.Domains {
		for _, u := range d.Users {
			odds := 8
			if !admins[u.OCID] {
				odds = 150
			}
			switch r.IntN(odds) {
			case 0:
				c.exempt = append(c.exempt, u.UserName)
			case 1:
				c.exempt = append(c.exempt, u.OCID)
			}
		}
	}
	return c, tn
}

// Random small tenancies through the real SDK, the real signing and the emulator: the keys
// deleted are exactly the configured groups' members' keys minus the exempt users' keys.
func TestRandomTenanciesThroughTheSDK(t *testing.T) {
	// Each case costs two RSA-2048 key generations (emulator issuer, session key), about
	// 0.25 s of CPU under -race (300 cases: about 40 s on 2 cores); E2E_SDK_CASES changes the count.
	cases := 300
	if n, err := strconv.Atoi(os.Getenv("E2E_SDK_CASES")); err == nil && n > 0 {
		cases = n
	} else if testing.Short() {
		cases = 20
	}
	const workers = 4 // most of a case is RSA key generation and HTTP round trips
	next := make(chan int64)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var deleted, wouldDelete, exempt int
	for range workers {
		wg.Go(func() {
			for seed := range next {
				d, w, e := runSDKCase(t, seed)
				mu.Lock()
				deleted, wouldDelete, exempt = deleted+d, wouldDelete+w, exempt+e
				mu.Unlock()
			}
		})
	}
	for seed := range int64(cases) {
		if t.Failed() {
			break
		}
		next <- 1000 + seed
	}
	close(next)
	wg.Wait()
	t.Logf("%d random tenancies: %d keys deleted, %d would-delete, %d exempt", cases, deleted, wouldDelete, exempt)
	if deleted == 0 || wouldDelete == 0 || exempt == 0 {
		t.Error("the random cases never exercised deletion, dry run and exemption all together")
	}
}

func runSDKCase(t *testing.T, seed int64) (deleted, wouldDelete, exempt int) {
	r := rand.New(rand.NewPCG(uint64(seed), 7))
	c, tn := randomCase(r, seed)
	emu, err := ociemu.New(tn, ociemu.Options{})
	if err != nil {
		t.Errorf("%v: %v", c, err)
		return
	}
	defer emu.Close()
	before := emu.Snapshot()
	want := adminKeys(before, c.labels, c.exempt...)
	dir, err := newSDKDirectory(emu, "")
	if err != nil {
		t.Errorf("%v: %v", c, err)
		return
	}
	rep := guard.Run(t.Context(), dir, guard.Options{Groups: c.groups, DryRun: c.dryRun, Exempt: guard.NewExemptions(c.exempt)})
	gone := minus(keys(before), keys(emu.Snapshot()))
	kept := minus(adminKeys(before, c.labels), want)
	if unmatched := oracle.Unmatched(oracle.Admins(&before, oracle.Groups(c.labels...), nil), c.exempt); len(unmatched) > 0 {
		if rep.Status != guard.StatusError || len(gone) > 0 || len(rep.Exemptions.Unmatched) != len(unmatched) {
			t.Errorf("%v: unmatched exemptions %q: status %s, %d keys gone, exemptions %+v", c, unmatched, rep.Status, len(gone), rep.Exemptions)
		}
		return 0, 0, 0
	}
	switch {
	case rep.Status != guard.StatusOK:
		t.Errorf("%v: status %s %+v", c, rep.Status, rep.Errors)
	case c.dryRun && len(gone) > 0:
		t.Errorf("%v: a dry run deleted %v", c, gone)
	case c.dryRun && !slices.Equal(reported(&rep, guard.OutcomeWouldDelete), want):
		t.Errorf("%v: would delete %v, want %v", c, reported(&rep, guard.OutcomeWouldDelete), want)
	case !c.dryRun && !slices.Equal(gone, want):
		t.Errorf("%v: deleted %v, want %v", c, gone, want)
	case !c.dryRun && !slices.Equal(reported(&rep, guard.OutcomeDeleted), want):
		t.Errorf("%v: reported deleted %v, want %v", c, reported(&rep, guard.OutcomeDeleted), want)
	case !slices.Equal(reported(&rep, guard.OutcomeExempt), kept):
		t.Errorf("%v: reported exempt %v, want %v", c, reported(&rep, guard.OutcomeExempt), kept)
	}
	return rep.Counts.Deleted, rep.Counts.WouldDelete, rep.Counts.Exempt
}
