package ociemu

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/identity"
	"github.com/oracle/oci-go-sdk/v65/identitydomains"
)

// rawHead signs a GET of target (padded with a pad parameter so the head is exactly size
// bytes) and writes it byte for byte on a fresh connection, so the size is what the server
// receives and not what net/http's client would add. It returns the status.
func rawHead(t *testing.T, f *fixture, target string, size int) int {
	t.Helper()
	key := sessionKey(t, f.p)
	build := func(pad int) (string, []byte) {
		u := target + "&pad=" + strings.Repeat("x", pad)
		req := newRequest(t, "GET", u, nil)
		req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
		signWith(t, req, key, f.p.RPST)
		var b strings.Builder
		fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\n", req.URL.RequestURI(), req.URL.Host)
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range req.Header {
				if !yield(k) {
					return
				}
			}
		}) {
			for _, v := range req.Header[k] {
				fmt.Fprintf(&b, "%s: %s\r\n", k, v)
			}
		}
		b.WriteString("\r\n")
		return req.URL.Host, []byte(b.String())
	}
	_, head := build(0)
	host, head := build(size - len(head))
	if len(head) != size {
		t.Fatalf("built a %d-byte head, want %d", len(head), size)
	}
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write(head); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestRequestHeadLimit(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 41, Users: 3, Admins: 1, KeysPerAdmin: 1}, Options{RPSTSize: 3000})
	iamURL := f.srv.IdentityURL() + "/20160918/users?compartmentId=" + f.p.TenancyID
	scimURL := f.srv.DomainURL(f.def.ID) + "/admin/v1/ApiKeys?count=10"
	for _, u := range []string{iamURL, scimURL} {
		if got := rawHead(t, f, u, MaxRequestHead); got != http.StatusOK {
			t.Errorf("%s with an 8192-byte head: %d, want 200", u, got)
		}
		if got := rawHead(t, f, u, MaxRequestHead+1); got != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("%s with an 8193-byte head: %d, want 431", u, got)
		}
	}
	// Without the limit the same head is served.
	g := newFixture(t, GenSpec{Seed: 41, Users: 3, Admins: 1, KeysPerAdmin: 1}, Options{RPSTSize: 3000, AnyRequestHead: true})
	if got := rawHead(t, g, g.srv.IdentityURL()+"/20160918/users?compartmentId="+g.p.TenancyID, MaxRequestHead+1); got != http.StatusOK {
		t.Errorf("limit off: %d", got)
	}
}

// With a 3 KB token, a filter of 50 OR'd user OCIDs does not fit a GET, and fits a POST .search.
func TestLongFilterNeedsSearch(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 42, Users: 60, Admins: 50, KeysPerAdmin: 1}, Options{RPSTSize: 3000})
	var terms []string
	for _, u := range f.def.Users {
		if strings.HasPrefix(u.UserName, "admin") {
			terms = append(terms, fmt.Sprintf("user.ocid eq %q", u.OCID))
		}
	}
	filter := strings.Join(terms, " or ")
	ctx := context.Background()
	_, err := f.scim.ListApiKeys(ctx, identitydomains.ListApiKeysRequest{Filter: &filter, Count: common.Int(1000)})
	var se common.ServiceError
	if !asServiceError(err, &se) || se.GetHTTPStatusCode() != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("GET with %d terms: %v, want 431", len(terms), err)
	}
	resp, err := f.scim.SearchApiKeys(ctx, identitydomains.SearchApiKeysRequest{ApiKeySearchRequest: identitydomains.ApiKeySearchRequest{
		Schemas: []string{schemaSearchRequest}, Filter: &filter, Count: common.Int(1000)}})
	if err != nil || *resp.TotalResults != 50 || len(resp.Resources) != 50 {
		t.Fatalf("SearchApiKeys: %v", err)
	}
	if c := f.srv.Counts(); c[OpScimSearchApiKeys] != 1 || c[OpScimListApiKeys] != 1 {
		t.Errorf("counts %v", c)
	}
}

func asServiceError(err error, se *common.ServiceError) bool {
	s, ok := common.IsServiceError(err)
	*se = s
	return ok
}

func TestRPSTSize(t *testing.T) {
	ten := Generate(GenSpec{Seed: 43, Users: 1, Admins: 1, KeysPerAdmin: 1})
	for _, size := range []int{0, 3000, 3072, 500} {
		srv := newServer(t, ten, Options{RPSTSize: size})
		p, err := srv.MintPrincipal(time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		want := size
		if want == 0 {
			want = DefaultRPSTSize
		}
		if n := len(p.RPST); n < want && want > 2000 || n > want+3 && want > 2000 || n > 2000 && want < 2000 {
			t.Errorf("RPSTSize %d: token of %d bytes", size, n)
		}
		// The SDK's own parser reads the claims it needs (res_tenant, res_compartment).
		parts := strings.Split(p.RPST, ".")
		b, err := base64.RawURLEncoding.DecodeString(parts[1])
		var claims map[string]any
		if err != nil || json.Unmarshal(b, &claims) != nil || claims["res_tenant"] != ten.ID || claims["res_compartment"] == nil {
			t.Errorf("claims %v", err)
		}
	}
	// A padded token is accepted through the SDK.
	f := newFixture(t, GenSpec{Seed: 43, Users: 1, Admins: 1, KeysPerAdmin: 1}, Options{RPSTSize: 3072})
	if err := iamCall(f, OpListDomains); err != nil {
		t.Fatal(err)
	}
}

// .search serves the same filter, paging and projection as the GET listing.
func TestSearchMatchesListing(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 44, Users: 30, Admins: 5, KeysPerAdmin: 2, OtherKeyFraction: 0.5}, Options{})
	ctx := context.Background()
	filter := fmt.Sprintf("user.ocid eq %q or user.ocid eq %q", f.def.Users[0].OCID, f.def.Users[adminIndex(f.def)].OCID)
	for _, c := range []struct {
		filter       *string
		start, count int
		attrs        []string
	}{
		{nil, 1, 5, nil},
		{nil, 7, 4, []string{"fingerprint", "user"}},
		{&filter, 1, 1, nil},
		{&filter, 2, 10, []string{"user.ocid"}},
	} {
		var attrs *string
		if c.attrs != nil {
			attrs = common.String(strings.Join(c.attrs, ","))
		}
		list, err := f.scim.ListApiKeys(ctx, identitydomains.ListApiKeysRequest{Filter: c.filter, StartIndex: &c.start, Count: &c.count, Attributes: attrs})
		if err != nil {
			t.Fatal(err)
		}
		search, err := f.scim.SearchApiKeys(ctx, identitydomains.SearchApiKeysRequest{ApiKeySearchRequest: identitydomains.ApiKeySearchRequest{
			Schemas: []string{schemaSearchRequest}, Filter: c.filter, StartIndex: &c.start, Count: &c.count, Attributes: c.attrs}})
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(list.ApiKeys)
		b, _ := json.Marshal(search.ApiKeys)
		if string(a) != string(b) || len(list.Resources) == 0 {
			t.Errorf("%+v:\nlist   %s\nsearch %s", c, a, b)
		}
	}
	if c := f.srv.Counts(); c[OpScimSearchApiKeys] != 4 {
		t.Errorf("counts %v", c)
	}
	// A body that is not a SearchRequest is refused.
	key := sessionKey(t, f.p)
	for _, body := range []string{`{"filter":"userName eq \"x\""}`, `{"schemas":["` + schemaSearchRequest + `"],"bogus":1}`, `not json`} {
		resp := send(t, signWith(t, newRequest(t, "POST", f.srv.DomainURL(f.def.ID)+"/admin/v1/ApiKeys/.search", []byte(body)), key, f.p.RPST), nil)
		wantStatus(t, resp, http.StatusBadRequest)
	}
}

func TestSortBy(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 45, Users: 5, Admins: 1, KeysPerAdmin: 1}, Options{})
	key := sessionKey(t, f.p)
	scim := f.srv.DomainURL(f.def.ID) + "/admin/v1/"
	iam := f.srv.IdentityURL() + "/20160918/"
	ten := "compartmentId=" + url.QueryEscape(f.p.TenancyID)
	for u, want := range map[string]int{
		scim + "Users?sortBy=id":                 http.StatusBadRequest,
		scim + "ApiKeys?sortBy=id":               http.StatusBadRequest,
		scim + "Users":                           http.StatusOK,
		iam + "groups?" + ten + "&sortBy=NAME":   http.StatusOK,
		iam + "groups?" + ten + "&sortBy=id":     http.StatusBadRequest,
		iam + "users?" + ten + "&sortOrder=UP":   http.StatusBadRequest,
		iam + "policies?" + ten + "&sortBy=name": http.StatusOK,
	} {
		resp := send(t, signWith(t, newRequest(t, "GET", u, nil), key, f.p.RPST), nil)
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", u, resp.StatusCode, want)
		}
	}
	body := `{"schemas":["` + schemaSearchRequest + `"],"sortBy":"id"}`
	resp := send(t, signWith(t, newRequest(t, "POST", scim+"ApiKeys/.search", []byte(body)), key, f.p.RPST), nil)
	wantStatus(t, resp, http.StatusBadRequest)
}

// IAM ListGroups/ListUsers/ListPolicies filter by exact name and sort by NAME.
func TestIAMNameAndSort(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 46, Users: 5, Admins: 2, KeysPerAdmin: 1, Decoys: true}, Options{})
	ctx := context.Background()
	ten := common.String(f.p.TenancyID)
	gs, err := f.iamListGroups(ctx, ten, AdminGroupName)
	if err != nil || len(gs) != 1 || gs[0] != AdminGroupName {
		t.Fatalf("ListGroups name=%s: %v %v", AdminGroupName, gs, err)
	}
	if gs, _ := f.iamListGroups(ctx, ten, "administrators"); len(gs) != 0 {
		t.Errorf("name is matched exactly: %v", gs)
	}
	all, err := f.iamListGroups(ctx, ten, "")
	if err != nil || !slices.IsSorted(all) || len(all) != len(f.def.Groups) {
		t.Errorf("sorted by NAME: %v %v", all, err)
	}
}

func (f *fixture) iamListGroups(ctx context.Context, ten *string, name string) ([]string, error) {
	req := identityListGroups(ten, name)
	resp, err := f.iam.ListGroups(ctx, req)
	var out []string
	for _, g := range resp.Items {
		out = append(out, *g.Name)
	}
	return out, err
}

func identityListGroups(ten *string, name string) identity.ListGroupsRequest {
	req := identity.ListGroupsRequest{CompartmentId: ten, SortBy: identity.ListGroupsSortByName}
	if name != "" {
		req.Name = &name
	}
	return req
}
