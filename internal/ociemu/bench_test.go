package ociemu

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// benchFixture is a 100k-user tenancy with a principal, shared by the benchmarks.
func benchFixture(b *testing.B) (*Server, Principal, string) {
	b.Helper()
	ten := Generate(GenSpec{Seed: 1, Users: 100_000, Admins: 10, KeysPerAdmin: 2, OtherKeyFraction: 0.1, AdminsLast: true, Decoys: true})
	srv := newServer(b, ten, Options{})
	p, err := srv.MintPrincipal(time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	return srv, p, ten.DefaultDomain().ID
}

// BenchmarkGenerate100k measures building the 100k-user tenancy the scaling runs use.
func BenchmarkGenerate100k(b *testing.B) {
	for b.Loop() {
		Generate(GenSpec{Seed: 1, Users: 100_000, Admins: 10, KeysPerAdmin: 2, OtherKeyFraction: 0.1, Decoys: true})
	}
}

func benchGet(b *testing.B, p Principal, u string) {
	b.Helper()
	req := signWith(b, newRequest(b, "GET", u, nil), sessionKey(b, p), p.RPST)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("GET %s: %v %v", u, resp, err)
	}
	resp.Body.Close()
}

func BenchmarkSCIMUsersLastPage100k(b *testing.B) {
	srv, p, def := benchFixture(b)
	u := srv.DomainURL(def) + "/admin/v1/Users?startIndex=99001&count=1000"
	for b.Loop() {
		benchGet(b, p, u)
	}
}

func BenchmarkSCIMUsersByGroupFilter100k(b *testing.B) {
	srv, p, def := benchFixture(b)
	snap := srv.Snapshot()
	q := url.Values{"filter": {fmt.Sprintf("groups.value eq %q", snap.DefaultDomain().Groups[0].ID)}}
	u := srv.DomainURL(def) + "/admin/v1/Users?" + q.Encode()
	for b.Loop() {
		benchGet(b, p, u)
	}
}

func BenchmarkIAMUsersLastPage100k(b *testing.B) {
	srv, p, _ := benchFixture(b)
	u := srv.IdentityURL() + "/20160918/users?limit=1000&page=" + pageTokenPrefix + "99000&compartmentId=" + p.TenancyID
	for b.Loop() {
		benchGet(b, p, u)
	}
}
