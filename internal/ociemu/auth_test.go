package ociemu

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
)

func TestAuthentication(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 1, Users: 5, Admins: 1, KeysPerAdmin: 1}, Options{})
	key := sessionKey(t, f.p)
	usersURL := f.srv.IdentityURL() + "/20160918/users?compartmentId=" + f.p.TenancyID
	publishURL := f.srv.NotificationURL() + "/20181201/topics/" + f.ten.Topics[0].ID + "/messages"
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	expired, err := f.srv.MintPrincipal(-time.Minute)
	if err != nil {
		t.Fatal(err)
	}

	// Sanity: correctly signed requests pass, so the refusals below are about the defect.
	wantStatus(t, send(t, signWith(t, newRequest(t, "GET", usersURL, nil), key, f.p.RPST), nil), http.StatusOK)
	wantStatus(t, send(t, signWith(t, newRequest(t, "POST", publishURL, []byte(`{"body":"x"}`)), key, f.p.RPST), nil), http.StatusOK)

	signedWithout := func(method, url string, body []byte, drop string) *http.Request {
		generic := without(common.DefaultGenericHeaders(), drop)
		bodyHeaders := without(common.DefaultBodyHeaders(), drop)
		req := newRequest(t, method, url, body)
		if err := common.RequestSigner(rawKey{key, f.p.RPST}, generic, bodyHeaders).Sign(req); err != nil {
			t.Fatal(err)
		}
		return req
	}
	cases := []struct {
		name   string
		req    *http.Request
		reason string // the check that must refuse it
	}{
		{"unsigned", newRequest(t, "GET", usersURL, nil), "missing Authorization"},
		{"another key", signWith(t, newRequest(t, "GET", usersURL, nil), other, f.p.RPST), "does not verify"},
		{"expired token", signWith(t, newRequest(t, "GET", usersURL, nil), sessionKey(t, expired), expired.RPST), "expired"},
		{"forged claims", signWith(t, newRequest(t, "GET", usersURL, nil), key, forgeTenant(t, f.p.RPST)), "not issued by this emulator"},
		{"not a token", signWith(t, newRequest(t, "GET", usersURL, nil), key, "abc"), "not a JWT"},
		{"tampered body", tamperBody(signWith(t, newRequest(t, "POST", publishURL, []byte(`{"body":"x"}`)), key, f.p.RPST), `{"body":"y"}`), "x-content-sha256"},
		{"tampered query", tamperURL(signWith(t, newRequest(t, "GET", usersURL, nil), key, f.p.RPST), usersURL+"&limit=1"), "does not verify"},
		{"old date", signWith(t, withDate(newRequest(t, "GET", usersURL, nil), time.Now().Add(-6*time.Minute)), key, f.p.RPST), "clock skew"},
		{"host not signed", signedWithout("GET", usersURL, nil, "host"), `"host" is not signed`},
		{"body hash not signed", signedWithout("POST", publishURL, []byte(`{"body":"x"}`), "x-content-sha256"), `"x-content-sha256" is not signed`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e errorBody
			resp := send(t, c.req, &e)
			wantStatus(t, resp, http.StatusUnauthorized)
			if e.Code != "NotAuthenticated" || resp.Header.Get("opc-request-id") == "" {
				t.Fatalf("error = %+v, request id %q", e, resp.Header.Get("opc-request-id"))
			}
			if !strings.Contains(e.Message, c.reason) {
				t.Fatalf("refused for %q, want the %q check", e.Message, c.reason)
			}
			if strings.Contains(e.Message, f.p.RPST[:20]) {
				t.Fatal("error message contains the token")
			}
		})
	}
	if got := len(f.srv.Published()); got != 1 {
		t.Fatalf("%d messages published, want only the sane one", got)
	}
}

func tamperBody(req *http.Request, body string) *http.Request {
	req.Body = nopCloser{strings.NewReader(body)}
	req.GetBody = nil
	return req
}

func tamperURL(req *http.Request, raw string) *http.Request {
	u, _ := req.URL.Parse(raw)
	req.URL = u
	return req
}

func withDate(req *http.Request, d time.Time) *http.Request {
	req.Header.Set("Date", d.UTC().Format(http.TimeFormat))
	return req
}

func without(list []string, drop string) []string {
	var out []string
	for _, h := range list {
		if h != drop {
			out = append(out, h)
		}
	}
	return out
}

// forgeTenant rewrites the token's res_tenant claim, keeping the issuer's signature.
func forgeTenant(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatal(err)
	}
	claims["res_tenant"] = "ocid1.tenancy.oc1..aaaaaaaaother"
	b, _ = json.Marshal(claims)
	parts[1] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }
