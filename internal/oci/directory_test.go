package oci

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oracle/oci-go-sdk/v65/common"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
)

// lyingDomain is an identity domain that ignores filters: it answers every listing with the
// given resources. The adapter must refuse to act on such answers.
func lyingDomain(t *testing.T, resources map[string][]map[string]any, total int) (*Directory, guard.Domain) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res := resources[strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/admin/v1/"), "/.search")]
		n := total
		if n == 0 {
			n = len(res)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"totalResults": n, "startIndex": 1, "itemsPerPage": len(res), "Resources": res})
	}))
	t.Cleanup(srv.Close)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	p := common.NewRawConfigurationProvider("ocid1.tenancy.oc1..t", "ocid1.user.oc1..u", "us-ashburn-1", "aa:bb", pemKey, nil)
	d, err := New(p, Settings{IdentityEndpoint: srv.URL, DefaultDomainURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	d.policy = common.NoRetryPolicy()
	return d, guard.Domain{Name: "Default", URL: srv.URL, Default: true, API: permissions.APISCIM}
}

func TestMembersRefusesUsersWithoutTheMembership(t *testing.T) {
	d, dom := lyingDomain(t, map[string][]map[string]any{"Users": {
		{"id": "u1", "ocid": "ocid1.user.oc1..admin", "userName": "admin", "groups": []map[string]any{{"value": "g-admins"}}},
		{"id": "u2", "ocid": "ocid1.user.oc1..dev", "userName": "dev", "groups": []map[string]any{{"value": "g-devs"}}},
	}}, 0)
	_, err := d.Members(context.Background(), guard.Group{Ref: guard.GroupRef{Name: "Administrators"}, Domain: dom, ID: "g-admins"})
	if err == nil || !strings.Contains(err.Error(), "refusing to trust") {
		t.Fatalf("err = %v", err)
	}
}

func TestAPIKeysRefusesKeysOfOtherUsers(t *testing.T) {
	d, dom := lyingDomain(t, map[string][]map[string]any{"ApiKeys": {
		{"id": "k1", "fingerprint": "aa", "user": map[string]any{"ocid": "ocid1.user.oc1..admin"}},
		{"id": "k2", "fingerprint": "bb", "user": map[string]any{"ocid": "ocid1.user.oc1..dev"}},
	}}, 0)
	_, err := d.APIKeys(context.Background(), dom, []guard.User{{OCID: "ocid1.user.oc1..admin"}})
	if err == nil || !strings.Contains(err.Error(), "refusing to trust") {
		t.Fatalf("err = %v", err)
	}
}

func TestShortPageBeforeTheTotalIsAnError(t *testing.T) {
	d, dom := lyingDomain(t, map[string][]map[string]any{"Users": {}}, 5)
	_, err := d.Members(context.Background(), guard.Group{Domain: dom, ID: "g"})
	if err == nil || !strings.Contains(err.Error(), "listing stopped at item 0 of 5") {
		t.Fatalf("err = %v", err)
	}
}

func TestMissingCapabilityMeansEnabled(t *testing.T) {
	d, dom := lyingDomain(t, map[string][]map[string]any{"Users": {
		{"id": "u1", "ocid": "ocid1.user.oc1..a", "userName": "a", "groups": []map[string]any{{"value": "g"}}},
		{"id": "u2", "ocid": "ocid1.user.oc1..b", "userName": "b", "active": false, "groups": []map[string]any{{"value": "g"}},
			capabilitiesURN: map[string]any{"canUseApiKeys": false}},
	}}, 0)
	us, err := d.Members(context.Background(), guard.Group{Domain: dom, ID: "g"})
	if err != nil {
		t.Fatal(err)
	}
	if !us[0].CanUseAPIKeys || !us[0].Active || us[1].CanUseAPIKeys || us[1].Active {
		t.Fatalf("users %+v", us)
	}
}

func TestCallsAreCountedByTheOperationNamedAtTheCallSite(t *testing.T) {
	d, dom := lyingDomain(t, map[string][]map[string]any{"ApiKeys": {}, "Users": {}}, 0)
	ctx := context.Background()
	if _, err := d.APIKeys(ctx, dom, []guard.User{{OCID: "ocid1.user.oc1..a"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Members(ctx, guard.Group{Domain: dom, ID: "g"}); err != nil {
		t.Fatal(err)
	}
	total, byOp := d.CallCount()
	if total != 2 || byOp[permissions.OpSCIMSearchApiKeys] != 1 || byOp[permissions.OpSCIMListUsers] != 1 {
		t.Fatalf("calls %d %v", total, byOp)
	}
}

// A SCIM error body keeps its status and Oracle's detail instead of becoming an empty
// BadErrorResponse, and the hint names the domain role, not an IAM statement.
func TestSCIMErrorKeepsDetailAndNamesTheDomainRole(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Not authorized to access ApiKeys.","status":"403"}`))
	}))
	t.Cleanup(srv.Close)
	d, _ := lyingDomain(t, nil, 0)
	dom := guard.Domain{Name: "Engineering", URL: srv.URL, API: permissions.APISCIM}
	err := d.DeleteAPIKey(context.Background(), guard.APIKey{Domain: dom, ID: "k1"})
	var oe *OpError
	if !errors.As(err, &oe) {
		t.Fatalf("err = %v", err)
	}
	if oe.Status != 403 || oe.Code != "NotAuthorized" || oe.Message != "Not authorized to access ApiKeys." || oe.Domain != "Engineering" {
		t.Errorf("OpError %+v", oe)
	}
	if h := oe.Hint(); !strings.Contains(h, permissions.DomainRole.Name) || !strings.Contains(h, `"Engineering"`) || strings.Contains(h, "Allow dynamic-group") {
		t.Errorf("hint %q", h)
	}
}

func TestOpErrorHintsAtTheMissingStatement(t *testing.T) {
	e := &OpError{Op: permissions.OpDeleteApiKey, Status: 404, Code: "NotAuthorizedOrNotFound", Err: errors.New("x")}
	if !errors.Is(e, guard.ErrNotFound) {
		t.Error("404 must unwrap to guard.ErrNotFound")
	}
	if h := e.Hint(); !strings.Contains(h, "request.operation='DeleteApiKey'") {
		t.Errorf("hint %q", h)
	}
	if (&OpError{Op: permissions.OpDeleteApiKey, Status: 500}).Hint() != "" {
		t.Error("a 500 is not a policy problem")
	}
}

// A write sent outside the home region is answered 403 NotAllowed: the hint says where IAM
// writes must go (the region looked up, else the one in Oracle's message), never a grant.
func TestNotAllowedHintNamesTheHomeRegion(t *testing.T) {
	msg := "Please go to your home region IAD to execute CREATE, UPDATE and DELETE operations."
	for _, c := range []struct {
		known, want string
	}{{"", "IAM writes must go to home region IAD"}, {"us-ashburn-1", "IAM writes must go to home region us-ashburn-1"}} {
		e := &OpError{Op: permissions.OpDeleteApiKey, Status: http.StatusForbidden, Code: "NotAllowed", Message: msg, HomeRegion: c.known}
		if h := e.Hint(); !strings.HasPrefix(h, c.want) || strings.Contains(h, "policy statement") || strings.Contains(h, "lacks") {
			t.Errorf("known %q: hint %q, want it to start %q and name no grant", c.known, h, c.want)
		}
	}
	// Any other 403 of IAM is still a missing grant.
	e := &OpError{Op: permissions.OpDeleteApiKey, Status: http.StatusForbidden, Code: "NotAuthorized", Message: "no"}
	if h := e.Hint(); !strings.Contains(h, "request.operation='DeleteApiKey'") {
		t.Errorf("403 NotAuthorized: hint %q, want the missing statement", h)
	}
}

// A write that could not start because the home-region lookup was refused (404) is not a
// missing key: the guard must not read it as "perhaps already gone".
func TestLookupRefusalIsNotAMissingResource(t *testing.T) {
	e := &OpError{Op: permissions.OpListRegionSubscriptions, Status: http.StatusNotFound, Code: "NotAuthorizedOrNotFound", Err: errors.New("x"), BeforeWrite: true}
	if errors.Is(e, guard.ErrNotFound) {
		t.Error("a refused lookup before a write reads as guard.ErrNotFound")
	}
	if h := e.Hint(); !strings.Contains(h, "inspect tenancies") {
		t.Errorf("hint %q does not name the statement", h)
	}
	e.BeforeWrite = false
	if !errors.Is(e, guard.ErrNotFound) {
		t.Error("a 404 of the call itself no longer reads as guard.ErrNotFound")
	}
}
