package ociemu

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/common/auth"
	"github.com/oracle/oci-go-sdk/v65/identity"
	"github.com/oracle/oci-go-sdk/v65/identitydomains"
	"github.com/oracle/oci-go-sdk/v65/ons"
)

// fixture is a server with a principal and SDK clients configured the way the function
// configures them in OCI: resource principal v2.2 from the environment.
type fixture struct {
	srv  *Server
	p    Principal
	iam  identity.IdentityClient
	scim identitydomains.IdentityDomainsClient // Default domain
	ons  ons.NotificationDataPlaneClient
	def  Domain // Default domain as generated
	ten  *Tenancy
}

func newFixture(t *testing.T, spec GenSpec, opts Options) *fixture {
	t.Helper()
	return newFixtureFor(t, Generate(spec), opts)
}

// newFixtureFor is newFixture for a given tenancy.
func newFixtureFor(t *testing.T, ten *Tenancy, opts Options) *fixture {
	t.Helper()
	srv := newServer(t, ten, opts)
	p, err := srv.MintPrincipal(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range p.Env() {
		t.Setenv(k, v)
	}
	cp, err := auth.ResourcePrincipalConfigurationProvider()
	if err != nil {
		t.Fatalf("resource principal provider: %v", err)
	}
	iam, err := identity.NewIdentityClientWithConfigurationProvider(cp)
	if err != nil {
		t.Fatal(err)
	}
	iam.Host = srv.IdentityURL()
	def := *ten.DefaultDomain()
	scim, err := identitydomains.NewIdentityDomainsClientWithConfigurationProvider(cp, srv.DomainURL(def.ID))
	if err != nil {
		t.Fatal(err)
	}
	onsClient, err := ons.NewNotificationDataPlaneClientWithConfigurationProvider(cp)
	if err != nil {
		t.Fatal(err)
	}
	onsClient.Host = srv.NotificationURL()
	return &fixture{srv: srv, p: p, iam: iam, scim: scim, ons: onsClient, def: def, ten: ten}
}

// rawKey signs raw requests like the SDK does, with any key and token.
type rawKey struct {
	key  *rsa.PrivateKey
	rpst string
}

func (k rawKey) PrivateRSAKey() (*rsa.PrivateKey, error) { return k.key, nil }
func (k rawKey) KeyID() (string, error)                  { return "ST$" + k.rpst, nil }

func sessionKey(t testing.TB, p Principal) *rsa.PrivateKey {
	t.Helper()
	block, _ := pem.Decode(p.PrivateKeyPEM)
	if block == nil {
		t.Fatal("principal key is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}

// newRequest builds a request; sign it with signWith before sending.
func newRequest(t testing.TB, method, url string, body []byte) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

func signWith(t testing.TB, req *http.Request, key *rsa.PrivateKey, rpst string) *http.Request {
	t.Helper()
	if err := signRequest(req, key, rpst); err != nil {
		t.Fatal(err)
	}
	return req
}

// signRequest is signWith for goroutines, which must not call t.Fatal.
func signRequest(req *http.Request, key *rsa.PrivateKey, rpst string) error {
	return common.DefaultRequestSigner(rawKey{key, rpst}).Sign(req)
}

// do sends a request signed with f's principal and decodes a JSON answer into out (if any).
func (f *fixture) do(t *testing.T, method, url string, body []byte, out any) *http.Response {
	t.Helper()
	req := signWith(t, newRequest(t, method, url, body), sessionKey(t, f.p), f.p.RPST)
	return send(t, req, out)
}

func send(t *testing.T, req *http.Request, out any) *http.Response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", req.Method, req.URL.Path, b, err)
		}
	}
	return resp
}

func wantStatus(t *testing.T, resp *http.Response, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want)
	}
}

// userWithKeys returns the first Default-domain user holding at least one key.
func (f *fixture) userWithKeys(t *testing.T) User {
	t.Helper()
	for _, u := range f.def.Users {
		if len(u.APIKeys) > 0 {
			return u
		}
	}
	t.Fatal("no user with keys")
	return User{}
}

// newServer is emutest.New for this package's own tests, which cannot import emutest (it
// imports this package).
func newServer(tb testing.TB, ten *Tenancy, opts Options) *Server {
	tb.Helper()
	srv, err := New(ten, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Close)
	return srv
}
