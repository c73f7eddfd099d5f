package ociemu

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// A scale this small makes refill negligible for the length of a test, so the counts are exact.
const frozen = 1e-6

func TestThrottleBucketPerDomainWithRetryAfter(t *testing.T) {
	th := Throttle{Domain: map[APIClass]Limit{ClassOthers: {PerSecond: 5, PerMinute: 150}}, IAM: Limit{PerSecond: 3}, Scale: frozen}
	f := newFixture(t, GenSpec{Seed: 2, Users: 3, Admins: 1}, Options{Throttle: th})
	users := f.srv.DomainURL(f.def.ID) + "/admin/v1/Users?count=1"
	ok, throttled := 0, 0
	for range 8 {
		resp := f.do(t, "GET", users, nil, nil)
		switch resp.StatusCode {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			throttled++
			ra, err := strconv.Atoi(resp.Header.Get("Retry-After"))
			if err != nil || ra < 1 {
				t.Fatalf("429 with Retry-After %q, want whole seconds >= 1", resp.Header.Get("Retry-After"))
			}
		default:
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	// The per-second bucket (5) is the smaller one.
	if ok != 5 || throttled != 3 || f.srv.Throttled() != 3 {
		t.Fatalf("ok %d throttled %d (server says %d), want 5 and 3", ok, throttled, f.srv.Throttled())
	}
	if got := f.srv.Counts()[OpScimListUsers]; got != 8 {
		t.Fatalf("ListUsers count %d, want 8 (throttled requests are counted)", got)
	}
	// The IAM API has its own bucket.
	iamURL := f.srv.IdentityURL() + "/20160918/users/" + f.def.Users[0].OCID
	for i := range 4 {
		resp := f.do(t, "GET", iamURL, nil, nil)
		want := http.StatusOK
		if i == 3 {
			want = http.StatusTooManyRequests
		}
		wantStatus(t, resp, want)
	}
}

func TestThrottleDrainAndRefill(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 2, Users: 3, Admins: 1}, Options{})
	users := f.srv.DomainURL(f.def.ID) + "/admin/v1/Users?count=1"
	wantStatus(t, f.do(t, "GET", users, nil, nil), http.StatusOK) // zero Throttle: no limit
	th, err := ThrottlePreset(PresetFree)
	if err != nil {
		t.Fatal(err)
	}
	th.Scale = frozen
	f.srv.SetThrottle(th)
	wantStatus(t, f.do(t, "GET", users, nil, nil), http.StatusOK)
	f.srv.DrainDomain(f.def.ID, ClassOthers)
	resp := f.do(t, "GET", users, nil, nil)
	wantStatus(t, resp, http.StatusTooManyRequests)
	// A domain throttles in the SCIM error schema: status as a string, no OCI code.
	var e struct {
		Schemas []string `json:"schemas"`
		Status  string   `json:"status"`
		Code    *string  `json:"code"`
	}
	send(t, signWith(t, newRequest(t, "GET", users, nil), sessionKey(t, f.p), f.p.RPST), &e)
	if len(e.Schemas) == 0 || e.Schemas[0] != schemaSCIMError || e.Status != "429" || e.Code != nil {
		t.Fatalf("429 body %+v, want the SCIM error schema with status \"429\" and no code", e)
	}
	// Draining one domain leaves the IAM API alone; DrainIAM does not.
	iamURL := f.srv.IdentityURL() + "/20160918/users/" + f.def.Users[0].OCID
	wantStatus(t, f.do(t, "GET", iamURL, nil, nil), http.StatusOK)
	f.srv.DrainIAM()
	wantStatus(t, f.do(t, "GET", iamURL, nil, nil), http.StatusTooManyRequests)
	// Unsigned requests are refused before they cost a token.
	th.Scale = 0
	f.srv.SetThrottle(th)
	for range 30 {
		resp := send(t, newRequest(t, "GET", users, nil), nil)
		wantStatus(t, resp, http.StatusUnauthorized)
	}
	wantStatus(t, f.do(t, "GET", users, nil, nil), http.StatusOK)
}

func TestThrottlePresetsFollowTheTable(t *testing.T) {
	prev := 0.0
	for _, name := range Presets() {
		th, err := ThrottlePreset(name)
		if err != nil {
			t.Fatal(err)
		}
		got := th.Domain[ClassOthers].Sustained()
		if got < prev {
			t.Errorf("%s: sustained Others rate %.2f/s is below the previous preset's %.2f/s (want tightest first)", name, got, prev)
		}
		prev = got
	}
	if th, _ := ThrottlePreset(PresetFree); th.Domain[ClassOthers] != (Limit{20, 150}) || th.Domain[ClassOthers].Sustained() != 2.5 {
		t.Errorf("free Others = %+v", th.Domain[ClassOthers])
	}
	if _, err := ThrottlePreset("gold"); err == nil {
		t.Error("unknown preset accepted")
	}
	for path, want := range map[string]APIClass{"/admin/v1/Users": ClassOthers, "/admin/v1/ApiKeys": ClassOthers,
		"/admin/v1/Bulk": ClassBulk, "/oauth2/v1/token": ClassTokenMgmt, "/sso/v1/user/login": ClassAuthN} {
		if got := classOf(path); got != want {
			t.Errorf("classOf(%s) = %s, want %s", path, got, want)
		}
	}
}

// ByDomainType: each domain is throttled at both windows of its own type, as "API Rate Limits"
// gives them, and the IAM API at the Default domain's; a type not in the table is Free's.
func TestThrottleFollowsTheDomainsType(t *testing.T) {
	for licenseType, perSecond := range map[string]int{"free": 20, "premium": 90, "Oracle-Apps": 50, "gold": 20} {
		ten := Generate(GenSpec{Seed: 2, Users: 3, Admins: 1})
		ten.Domains[0].LicenseType = licenseType
		th := ThrottleByDomainType()
		th.Scale = frozen
		f := newFixtureFor(t, ten, Options{Throttle: th})
		count := func(url string) (ok int) {
			for range perSecond + 5 {
				resp := f.do(t, "GET", url, nil, nil)
				if resp.StatusCode == http.StatusOK {
					ok++
				} else {
					wantStatus(t, resp, http.StatusTooManyRequests)
				}
			}
			return ok
		}
		if ok := count(f.srv.DomainURL(f.def.ID) + "/admin/v1/Users?count=1"); ok != perSecond {
			t.Errorf("%s domain: %d requests served at once, want the type's %d per second", licenseType, ok, perSecond)
		}
		if ok := count(f.srv.IdentityURL() + "/20160918/users/" + f.def.Users[0].OCID); ok != perSecond {
			t.Errorf("%s Default domain: IAM API served %d at once, want %d", licenseType, ok, perSecond)
		}
	}
	// The per-minute window: Free's 150 a minute, after the per-second window refilled.
	ten := Generate(GenSpec{Seed: 2, Users: 3, Admins: 1})
	ten.Domains[0].LicenseType = "free"
	f := newFixtureFor(t, ten, Options{Throttle: ThrottleByDomainType()})
	ts := f.srv.throttleSt
	k := bucketKey{f.def.ID, ClassOthers}
	now := time.Now()
	served := 0
	for i := range 400 {
		if _, ok := ts.take(k, now.Add(time.Duration(i)*100*time.Millisecond)); ok {
			served++
		}
	}
	// 40 seconds at 10 requests a second: under 20/s always, so only the minute binds: its 150
	// plus the 2.5/s it refilled over the 40 s (100).
	if served > 150+101 || served < 150+99 {
		t.Errorf("%d of 400 requests at 10/s over 40 s served, want 250 = 150 + 40 s × 2.5/s", served)
	}
}
