package ociemu

import (
	"net/http"
	"strconv"
	"testing"
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
