package ociemu

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestRandomFaultRate(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 2, Users: 3, Admins: 1}, Options{Faults: Faults{Seed: 42, Rate429: 0.25}})
	u := f.srv.IdentityURL() + "/20160918/users/" + f.def.Users[0].OCID
	const n = 400
	throttled := 0
	for range n {
		resp := f.do(t, "GET", u, nil, nil)
		switch resp.StatusCode {
		case http.StatusTooManyRequests:
			throttled++
			if resp.Header.Get("Retry-After") != "1" {
				t.Fatalf("429 without Retry-After: 1")
			}
		case http.StatusOK:
		default:
			t.Fatalf("unexpected status %d", resp.StatusCode)
		}
	}
	// 25% of 400 is 100 with a standard deviation of ~8.7; the seed makes it reproducible.
	if throttled < 70 || throttled > 130 {
		t.Fatalf("%d of %d throttled, want about 100", throttled, n)
	}
	if got := f.srv.Counts()[OpGetUser]; got != n {
		t.Fatalf("GetUser count = %d, want %d (faulted requests count too)", got, n)
	}
}

func TestForcedErrorsAndCounters(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 2, Users: 3, Admins: 1, KeysPerAdmin: 1}, Options{})
	f.srv.SetFaults(Faults{Forced: map[string]ForcedError{
		OpGetUser:        {Status: 409, Code: "Conflict", Message: "busy", Skip: 2, Times: 3},
		OpScimListGroups: {Status: 0}, // reset every call
	}})
	u := f.srv.IdentityURL() + "/20160918/users/" + f.def.Users[0].OCID
	var got []int
	for range 7 {
		var e errorBody
		resp := f.do(t, "GET", u, nil, &e)
		got = append(got, resp.StatusCode)
		if resp.StatusCode == 409 && (e.Code != "Conflict" || e.Message != "busy") {
			t.Fatalf("forced error body = %+v", e)
		}
	}
	want := []int{200, 200, 409, 409, 409, 200, 200}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("statuses = %v, want %v", got, want)
		}
	}

	req := signWith(t, newRequest(t, "GET", f.srv.DomainURL(f.def.ID)+"/admin/v1/Groups", nil), sessionKey(t, f.p), f.p.RPST)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("reset fault answered with %d", resp.StatusCode)
	}

	resp := f.do(t, "GET", f.srv.IdentityURL()+"/20160918/nothing", nil, nil)
	wantStatus(t, resp, http.StatusNotFound)
	resp = f.do(t, "POST", f.srv.IdentityURL()+"/20160918/users", []byte(`{}`), nil) // wrong method
	wantStatus(t, resp, http.StatusNotFound)

	counts := f.srv.Counts()
	if counts[OpGetUser] != 7 || counts[OpScimListGroups] != 1 || counts[OpUnknown] != 2 || f.srv.Total() != 10 {
		t.Fatalf("counts = %v total %d", counts, f.srv.Total())
	}
	f.srv.ResetCounts()
	if f.srv.Total() != 0 {
		t.Fatal("ResetCounts did not reset")
	}
}

func TestLatencyRespectsCancellation(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 2, Users: 1, Admins: 1}, Options{})
	f.srv.SetLatency(5 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req := signWith(t, newRequest(t, "GET", f.srv.IdentityURL()+"/20160918/users/"+f.def.Users[0].OCID, nil), sessionKey(t, f.p), f.p.RPST)
	start := time.Now()
	_, err := http.DefaultClient.Do(req.WithContext(ctx))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("latency ignored the cancellation")
	}

	f.srv.SetLatency(50 * time.Millisecond)
	start = time.Now()
	wantStatus(t, f.do(t, "GET", f.srv.IdentityURL()+"/20160918/users/"+f.def.Users[0].OCID, nil, nil), 200)
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("request took %v, latency is 50ms", d)
	}
}
