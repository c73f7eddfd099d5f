package oci

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/identitydomains"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/ratelimit"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

// emuDirectory is a Directory signed by an emulator-minted resource principal.
func emuDirectory(t *testing.T, emu *ociemu.Server, s Settings) *Directory {
	t.Helper()
	p, err := emu.MintPrincipal(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range p.Env() {
		t.Setenv(k, v)
	}
	s.IdentityEndpoint = emu.IdentityURL()
	d, err := NewFromResourcePrincipal(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func adminKeys(tn *ociemu.Tenancy, dom guard.Domain) []guard.APIKey {
	var out []guard.APIKey
	for _, u := range tn.DefaultDomain().Users {
		for _, k := range u.APIKeys {
			out = append(out, guard.APIKey{Domain: dom, ID: k.ID, Fingerprint: k.Fingerprint, UserOCID: u.OCID})
		}
	}
	return out
}

// The SDK's default circuit breaker for Identity Domains counts 429 as a failure and opens
// after ten mostly failed requests; from then on requests fail at once without reaching OCI.
// The one the adapter installs lets throttling through to the retry policy, and still opens
// on 5xx.
func TestCircuitBreakerIgnoresThrottling(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusTooManyRequests)
	var seen atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(int(status.Load()))
		_, _ = w.Write([]byte(`{"code":"TooManyRequests","message":"slow down"}`))
	}))
	t.Cleanup(srv.Close)
	d, dom := lyingDomain(t, nil, 0)
	dom.URL = srv.URL

	calls := func(c *identitydomains.IdentityDomainsClient, n int) (breakerErrs int) {
		for range n {
			_, err := c.ListUsers(context.Background(), identitydomains.ListUsersRequest{
				RequestMetadata: common.RequestMetadata{RetryPolicy: ptr(common.NoRetryPolicy())}})
			if err == nil {
				t.Fatal("no error from a throttling server")
			}
			if strings.Contains(err.Error(), "circuit breaker") {
				breakerErrs++
			}
		}
		return breakerErrs
	}
	// The SDK default, as NewIdentityDomainsClientWithConfigurationProvider sets it up.
	sdk, err := identitydomains.NewIdentityDomainsClientWithConfigurationProvider(d.provider, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if sdk.Configuration.CircuitBreaker == nil {
		t.Skip("OCI_SDK_DEFAULT_CIRCUITBREAKER_ENABLED=false in this environment: the SDK default has no breaker")
	}
	seen.Store(0)
	if n := calls(&sdk, 20); n == 0 || seen.Load() == 20 {
		t.Fatalf("SDK default breaker: %d breaker errors, %d requests reached the server; expected it to open on 429s", n, seen.Load())
	}
	// The adapter's client.
	c, err := d.client(dom)
	if err != nil {
		t.Fatal(err)
	}
	seen.Store(0)
	if n := calls(c, 40); n != 0 || seen.Load() != 40 {
		t.Fatalf("adapter breaker: %d breaker errors, %d of 40 requests reached the server; want none held back", n, seen.Load())
	}
	status.Store(http.StatusServiceUnavailable)
	d2, _ := lyingDomain(t, nil, 0) // a fresh client: the 429s above count as successes in its window
	if c, err = d2.client(dom); err != nil {
		t.Fatal(err)
	}
	if n := calls(c, 20); n == 0 {
		t.Fatal("adapter breaker did not open on 503s")
	}
}

// A domain whose bucket another client spent answers 429 with Retry-After; the adapter waits
// that long and the delete goes through, once.
func TestRetryAfterIsHonoured(t *testing.T) {
	tn := ociemu.Generate(ociemu.GenSpec{Seed: 3, Users: 5, Admins: 2, KeysPerAdmin: 1, Decoys: false})
	th, _ := ociemu.ThrottlePreset(ociemu.PresetFree)
	emu := emutest.New(t, tn, ociemu.Options{Throttle: th})
	def := tn.DefaultDomain()
	d := emuDirectory(t, emu, Settings{DefaultDomainURL: emu.DomainURL(def.ID), RateLimit: ratelimit.Setting{Fixed: true, PerSecond: 20}})
	dom := guard.Domain{Name: "Default", URL: emu.DomainURL(def.ID), Default: true}
	emu.DrainDomain(def.ID, ociemu.ClassOthers)
	keys := adminKeys(tn, dom)
	if err := d.DeleteAPIKey(context.Background(), keys[0]); err != nil {
		t.Fatalf("delete after a drain: %v", err)
	}
	if got := emu.Counts()[ociemu.OpScimDeleteApiKey]; got != 2 || emu.Throttled() != 1 || d.pace.Throttled() != 1 {
		t.Fatalf("%d delete requests, %d throttled (adapter saw %d); want 2 and 1", got, emu.Throttled(), d.pace.Throttled())
	}
}

// When Retry-After reaches past the invocation deadline, the adapter stops retrying, and the
// next change on that domain is not sent at all: the guard reports it not-attempted.
func TestThrottlingUnderADeadlineIsNotSent(t *testing.T) {
	tn := ociemu.Generate(ociemu.GenSpec{Seed: 3, Users: 5, Admins: 3, KeysPerAdmin: 1, Decoys: false})
	th, _ := ociemu.ThrottlePreset(ociemu.PresetFree)
	th.Scale = 1e-6 // no refill during the test: Retry-After is far away
	emu := emutest.New(t, tn, ociemu.Options{Throttle: th})
	def := tn.DefaultDomain()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	dl, _ := ctx.Deadline()
	d := emuDirectory(t, emu, Settings{DefaultDomainURL: emu.DomainURL(def.ID), Deadline: dl, RateLimit: ratelimit.Setting{Fixed: true}})
	dom := guard.Domain{Name: "Default", URL: emu.DomainURL(def.ID), Default: true}
	emu.DrainDomain(def.ID, ociemu.ClassOthers)
	keys := adminKeys(tn, dom)
	err := d.DeleteAPIKey(ctx, keys[0])
	var oe *OpError
	if !errors.As(err, &oe) || oe.Status != http.StatusTooManyRequests || oe.Code != "TooManyRequests" {
		t.Fatalf("first delete: %v; want the 429 TooManyRequests, not retried past the deadline", err)
	}
	before := emu.Total()
	err = d.DeleteAPIKey(ctx, keys[1])
	if !errors.Is(err, guard.ErrNotSent) {
		t.Fatalf("second delete: %v; want not sent", err)
	}
	if emu.Total() != before {
		t.Fatal("a request held back by Retry-After reached the service")
	}
	if ctx.Err() != nil {
		t.Fatal("the adapter waited until the deadline instead of giving up at once")
	}
	if n := len(keyRefs(emu)); n != len(tn.KeyRefs()) {
		t.Fatalf("%d keys left of %d: a throttled delete deleted something", n, len(tn.KeyRefs()))
	}
}

// Paced at a fixed IDENTITY_RATE_LIMIT (the domain's sustained rate), a burst of calls meets no 429.
func TestPacingKeepsUnderTheLimit(t *testing.T) {
	tn := ociemu.Generate(ociemu.GenSpec{Seed: 4, Users: 5, Admins: 40, KeysPerAdmin: 1, Decoys: false})
	th, _ := ociemu.ThrottlePreset(ociemu.PresetFree)
	th.Scale = 20 // 50/min per second sustained, 400/s per-second limit: keeps the test short
	emu := emutest.New(t, tn, ociemu.Options{Throttle: th})
	def := tn.DefaultDomain()
	d := emuDirectory(t, emu, Settings{DefaultDomainURL: emu.DomainURL(def.ID), RateLimit: ratelimit.Setting{Fixed: true, PerSecond: 2.5 * 20}})
	dom := guard.Domain{Name: "Default", URL: emu.DomainURL(def.ID), Default: true}
	keys := adminKeys(tn, dom)
	// Spend the per-minute bucket's burst first, so the sustained rate is what counts.
	emu.DrainDomain(def.ID, ociemu.ClassOthers)
	errs := make(chan error, len(keys))
	for _, k := range keys {
		go func() { errs <- d.DeleteAPIKey(context.Background(), k) }()
	}
	for range keys {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	// The drain leaves a fraction of a token, so the very first request may meet a 429 (and
	// then waits its Retry-After); more means pacing is off.
	if n := emu.Throttled(); n > 2 {
		t.Fatalf("%d requests throttled out of %d; pacing should keep that near zero", n, emu.Total())
	}
	if n := len(keyRefs(emu)); n != len(tn.KeyRefs())-len(keys) {
		t.Fatalf("%d keys left, want %d", n, len(tn.KeyRefs())-len(keys))
	}
}

// Each host is paced at both windows of its domain type: a request waits for the later of the
// two, so the per-second window binds a burst and the per-minute window binds a long run.
func TestPacerKeepsBothWindowsOfTheDomainType(t *testing.T) {
	p := NewPacer(ratelimit.Setting{})
	p.learn("free.example", "Free domain", "free")
	hp := p.host("free.example")
	now := time.Now()
	var delays []time.Duration
	for range 300 {
		d, _ := hp.reserve(now)
		delays = append(delays, d)
	}
	// Paced at 90 % of 20/s = 18/s with a burst of 15, and 95 % of 150/min = 2.375/s with a
	// burst of 150 (the headroom).
	for i, want := range map[int]time.Duration{
		0: 0, 14: 0, // 15 at once
		15:  56 * time.Millisecond,    // then one per 1/18 s
		149: 7500 * time.Millisecond,  // the per-second window still binds: 135 more at 18/s
		150: 7556 * time.Millisecond,  // the minute's 150 are spent, its next token in 0.42 s: the later wins
		299: 63158 * time.Millisecond, // 150 more at 142.5/min: the per-minute window binds
	} {
		if d := delays[i].Round(time.Millisecond); d != want {
			t.Errorf("request %d waits %s, want %s", i+1, d, want)
		}
	}
}

// The type comes from ListDomains; an unknown type, or none read, is paced at the tightest
// type's windows and the report says so; IDENTITY_RATE_LIMIT overrides both ways.
func TestPacerTypeAndOverride(t *testing.T) {
	type applied = ratelimit.Applied
	pace := func(p *Pacer, host string) applied {
		t.Helper()
		hp := p.host(p.key(host))
		hp.seen = []string{host} // as a request through the dispatcher records it
		hp.reserve(time.Now())
		for _, a := range p.Applied() {
			if a.Host == host {
				return a
			}
		}
		t.Fatalf("%s not in %+v", host, p.Applied())
		return applied{}
	}
	auto := NewPacer(ratelimit.Setting{})
	auto.learn("p.example", "Prem", "Premium")
	auto.learn("x.example", "Odd", "gold")
	for host, want := range map[string]applied{
		"p.example": {Endpoint: "Prem", Host: "p.example", Type: ratelimit.Premium, Basis: basisLicenseType, PerSecond: 81, PerMinute: 4750},
		"x.example": {Endpoint: "Odd", Host: "x.example", Type: ratelimit.Free, Basis: basisUnknown + ` (licenseType "gold")`, PerSecond: 18, PerMinute: 142.5},
		"n.example": {Endpoint: "n.example", Host: "n.example", Type: ratelimit.Free, Basis: basisUnknown, PerSecond: 18, PerMinute: 142.5},
	} {
		if got := pace(auto, host); got != want {
			t.Errorf("auto, %s: %+v, want %+v", host, got, want)
		}
	}
	typed := NewPacer(ratelimit.Setting{Type: ratelimit.OracleApps})
	typed.learn("p.example", "Prem", "premium")
	if got, want := pace(typed, "p.example"), (applied{Endpoint: "Prem", Host: "p.example", Type: ratelimit.OracleApps, Basis: basisConfigured, PerSecond: 45, PerMinute: 1425}); got != want {
		t.Errorf("IDENTITY_RATE_LIMIT=oracle-apps: %+v, want %+v", got, want)
	}
	fixed := NewPacer(ratelimit.Setting{Fixed: true, PerSecond: 2.5})
	fixed.learn("p.example", "Prem", "premium")
	if got, want := pace(fixed, "p.example"), (applied{Endpoint: "Prem", Host: "p.example", Basis: basisConfigured, PerSecond: 2.5}); got != want {
		t.Errorf("IDENTITY_RATE_LIMIT=2.5: %+v, want %+v", got, want)
	}
	if hp := fixed.host("p.example"); hp.sec.Burst() != 1 || hp.min != nil {
		t.Errorf("a fixed rate is evenly spaced: burst %d, minute window %v", hp.sec.Burst(), hp.min)
	}
	// Every IAM endpoint (the region's, the home region's) shares one pair of limiters; each
	// domain host has its own.
	if k := auto.key("identity.us-phoenix-1.oci.oraclecloud.com"); k != paceIAM || auto.key("identity.eu-frankfurt-1.oci.oraclecloud.com") != k {
		t.Errorf("IAM endpoints keyed %q", k)
	}
	if k := auto.key("idcs-abc.identity.oraclecloud.com"); k != "idcs-abc.identity.oraclecloud.com" {
		t.Errorf("a domain host keyed %q", k)
	}
	off := NewPacer(ratelimit.Setting{Fixed: true})
	if d, _ := off.host("a").reserve(time.Now()); d != 0 || off.host("a").sec != nil {
		t.Error("IDENTITY_RATE_LIMIT=0 paces")
	}
}

// Through the SDK against the emulator: ListDomains' licenseType sets each domain's windows
// and the IAM endpoint's (the Default domain's type).
func TestDomainTypeIsReadFromListDomains(t *testing.T) {
	tn := ociemu.Generate(ociemu.GenSpec{Seed: 5, Users: 5, Admins: 2, KeysPerAdmin: 1})
	tn.Domains[0].LicenseType = "oracle-apps"
	emu := emutest.New(t, tn, ociemu.Options{})
	d := emuDirectory(t, emu, Settings{IdentityAPI: "scim"})
	if _, err := d.ResolveGroup(context.Background(), guard.GroupRef{Name: "Administrators"}); err != nil {
		t.Fatal(err)
	}
	got := map[string]ratelimit.Applied{}
	for _, a := range d.RateLimits() {
		got[a.Endpoint] = a
	}
	dom, iam := got[tn.Domains[0].DisplayName], got["IAM"]
	if dom.Type != "oracle-apps" || dom.PerSecond != 45 || dom.PerMinute != 1425 || dom.Basis != basisLicenseType {
		t.Errorf("domain paced %+v, want oracle-apps from licenseType", dom)
	}
	if iam.Type != "oracle-apps" || iam.PerMinute != 1425 {
		t.Errorf("IAM endpoint paced %+v, want the Default domain's type", iam)
	}
}

func keyRefs(emu *ociemu.Server) []string {
	s := emu.Snapshot()
	return s.KeyRefs()
}
