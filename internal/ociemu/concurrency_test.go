package ociemu

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// TestConcurrentDeletesAcrossFamilies deletes every key of every user at once, half via
// IAM and half via SCIM, while lists run; with -race this checks the locking, and the
// end state checks that each key was deleted exactly once.
func TestConcurrentDeletesAcrossFamilies(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 8, Users: 40, Admins: 10, KeysPerAdmin: 3, OtherKeyFraction: 0.5}, Options{})
	key := sessionKey(t, f.p)
	type job struct{ method, url string }
	var jobs []job
	for i, u := range f.def.Users {
		for _, k := range u.APIKeys {
			if i%2 == 0 {
				jobs = append(jobs, job{"DELETE", f.srv.IdentityURL() + "/20160918/users/" + u.OCID + "/apiKeys/" + k.Fingerprint})
			} else {
				jobs = append(jobs, job{"DELETE", f.srv.DomainURL(f.def.ID) + "/admin/v1/ApiKeys/" + k.ID})
			}
			jobs = append(jobs, job{"GET", f.srv.DomainURL(f.def.ID) + "/admin/v1/ApiKeys?count=1000"})
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(jobs))
	sem := make(chan struct{}, 8)
	for _, j := range jobs {
		req := newRequest(t, j.method, j.url, nil)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := signRequest(req, key, f.p.RPST); err != nil {
				errs <- err
				return
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			if want := map[string]int{"GET": 200, "DELETE": 204}[j.method]; resp.StatusCode != want {
				errs <- fmt.Errorf("%s %s: %d", j.method, j.url, resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	snap := f.srv.Snapshot()
	for _, u := range snap.DefaultDomain().Users {
		if len(u.APIKeys) != 0 {
			t.Fatalf("%s still has %d keys", u.UserName, len(u.APIKeys))
		}
	}
}
