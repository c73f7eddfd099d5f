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
	"golang.org/x/time/rate"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
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
	d := emuDirectory(t, emu, Settings{DefaultDomainURL: emu.DomainURL(def.ID), RateLimit: 20})
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
	d := emuDirectory(t, emu, Settings{DefaultDomainURL: emu.DomainURL(def.ID), Deadline: dl})
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

// Paced at the domain's sustained rate, a burst of calls meets no 429.
func TestPacingKeepsUnderTheLimit(t *testing.T) {
	tn := ociemu.Generate(ociemu.GenSpec{Seed: 4, Users: 5, Admins: 40, KeysPerAdmin: 1, Decoys: false})
	th, _ := ociemu.ThrottlePreset(ociemu.PresetFree)
	th.Scale = 20 // 50/min per second sustained, 400/s per-second limit: keeps the test short
	emu := emutest.New(t, tn, ociemu.Options{Throttle: th})
	def := tn.DefaultDomain()
	d := emuDirectory(t, emu, Settings{DefaultDomainURL: emu.DomainURL(def.ID), RateLimit: 2.5 * 20})
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

func TestNewPacerRates(t *testing.T) {
	if p := newPacer(0); p.limit != rateInf() {
		t.Errorf("0 should not pace: %v", p.limit)
	}
	if p := newPacer(DefaultRateLimit); p.burst != 1 || float64(p.limit) != 2.5 {
		t.Errorf("default: limit %v burst %d", p.limit, p.burst)
	}
}

func rateInf() rate.Limit { return rate.Inf }

func keyRefs(emu *ociemu.Server) []string {
	s := emu.Snapshot()
	return s.KeyRefs()
}
