package oci

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

// Every 429 is retried, whatever its body: OCI's {"code": "TooManyRequests"}, the Identity
// Domains error schema (no code at all), or a front end's text/plain page, which the SDK
// reads as BadErrorResponse and its default policy does not retry (common/retry.go).
func TestEvery429IsRetriedWhateverItsBody(t *testing.T) {
	for _, tc := range []struct {
		name string
		fe   ociemu.ForcedError
	}{
		{"oci json", ociemu.ForcedError{Status: http.StatusTooManyRequests, Times: 2}},
		{"scim error schema", ociemu.ForcedError{Status: http.StatusTooManyRequests, Times: 2, SCIM: true}},
		{"text/plain", ociemu.ForcedError{Status: http.StatusTooManyRequests, Times: 2, Text: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tn := ociemu.Generate(ociemu.GenSpec{Seed: 3, Users: 5, Admins: 2, KeysPerAdmin: 1})
			emu := emutest.New(t, tn, ociemu.Options{Faults: ociemu.Faults{Forced: map[string]ociemu.ForcedError{ociemu.OpScimDeleteApiKey: tc.fe}}})
			def := tn.DefaultDomain()
			d := emuDirectory(t, emu, Settings{DefaultDomainURL: emu.DomainURL(def.ID)})
			dom := guard.Domain{Name: "Default", URL: emu.DomainURL(def.ID), Default: true}
			if err := d.DeleteAPIKey(context.Background(), adminKeys(tn, dom)[0]); err != nil {
				t.Fatalf("delete after two 429s: %v", err)
			}
			if got := emu.Counts()[ociemu.OpScimDeleteApiKey]; got != 3 {
				t.Fatalf("%d delete requests, want 3 (two 429s, then the delete)", got)
			}
		})
	}
}

// A DELETE answered 409 (IncorrectState: the credential is being deleted) is answered at once,
// one request: the SDK would retry it for minutes, the guard settles it by listing again.
func TestADeleteAnswered409IsNotRetried(t *testing.T) {
	tn := ociemu.Generate(ociemu.GenSpec{Seed: 3, Users: 5, Admins: 2, KeysPerAdmin: 1})
	emu := emutest.New(t, tn, ociemu.Options{Faults: ociemu.Faults{Forced: map[string]ociemu.ForcedError{
		ociemu.OpDeleteApiKey: {Status: http.StatusConflict, Code: "IncorrectState", Times: 1}}}})
	d := emuDirectory(t, emu, Settings{IdentityAPI: "iam"})
	dom := guard.Domain{Name: "Default", Default: true, API: "iam"}
	err := d.DeleteAPIKey(context.Background(), adminKeys(tn, dom)[0])
	var oe *OpError
	if !errors.As(err, &oe) || oe.Status != http.StatusConflict || oe.Code != "IncorrectState" {
		t.Fatalf("delete: %v, want the 409 IncorrectState", err)
	}
	if got := emu.Counts()[ociemu.OpDeleteApiKey]; got != 1 {
		t.Fatalf("%d delete requests, want 1", got)
	}
}
