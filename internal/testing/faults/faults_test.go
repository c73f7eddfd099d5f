package faults

import (
	"errors"
	"net/http"
	"testing"
)

func TestForcedSkipsThenFailsTimes(t *testing.T) {
	inject := Plan{Forced: map[string]Forced{"Op": {Status: http.StatusConflict, Skip: 2, Times: 3}}}.Func()
	var got []int
	for range 7 {
		status := 0
		var f *Fault
		if err := inject("Op", ""); errors.As(err, &f) {
			status = f.Status
			if f.Code != "Conflict" || f.Message == "" {
				t.Errorf("fault %+v: want OCI's code for 409 and a message", f)
			}
		}
		got = append(got, status)
	}
	want := []int{0, 0, 409, 409, 409, 0, 0}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("statuses %v, want %v", got, want)
		}
	}
	if err := inject("Other", ""); err != nil {
		t.Errorf("an operation the plan does not name failed: %v", err)
	}
}

// The same seed replays the same faults; the rates hold roughly.
func TestRandomFaultsReplay(t *testing.T) {
	p := Plan{Seed: 7, Rate429: 0.2, RateReset: 0.1}
	a, b := p.Func(), p.Func()
	n429, resets := 0, 0
	for i := range 2000 {
		ea, eb := a("Op", ""), b("Op", "")
		if (ea == nil) != (eb == nil) || (ea != nil && ea.Error() != eb.Error()) {
			t.Fatalf("call %d: %v, then %v with the same seed", i, ea, eb)
		}
		var f *Fault
		if errors.As(ea, &f) {
			switch f.Status {
			case http.StatusTooManyRequests:
				n429++
			case 0:
				resets++
			}
		}
	}
	if n429 < 300 || n429 > 500 || resets < 130 || resets > 270 {
		t.Errorf("%d 429s and %d resets in 2000 calls; want about 400 and 200", n429, resets)
	}
	if Func(nil).Inject("Op", "") != nil {
		t.Error("a nil Func injected a fault")
	}
}
