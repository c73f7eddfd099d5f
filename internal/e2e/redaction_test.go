package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/fnagent"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/harness"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

// outputsOf is everything a function process printed or sent: its stdout and stderr so far,
// every report body given, and every notification the emulator received.
func outputsOf(f *harness.Function, bodies ...string) map[string]string {
	var published []string
	for _, m := range f.Emu.Published() {
		published = append(published, m.Title, m.Body)
	}
	return map[string]string{
		"report":        strings.Join(bodies, "\n"),
		"stdout":        f.Agent.Stdout(),
		"stderr":        f.Agent.Stderr(),
		"notifications": strings.Join(published, "\n"),
	}
}

// assertAbsent fails when any of secrets appears in any of outputs.
func assertAbsent(t *testing.T, outputs map[string]string, secrets ...string) {
	t.Helper()
	for where, text := range outputs {
		for _, s := range secrets {
			if s != "" && strings.Contains(text, s) {
				t.Errorf("%s: a secret (%d chars, starts %.8q) appears", where, len(s), s)
			}
		}
	}
}

// tokenParts are what of a token must never be printed: the whole text and each dot-separated
// part long enough to be secret (a JWT's payload and signature).
func tokenParts(tok string) []string {
	out := []string{tok}
	for _, p := range strings.Split(tok, ".") {
		if len(p) >= 16 {
			out = append(out, p)
		}
	}
	return out
}

// OCI Functions refreshes the resource-principal token file of a running container; the SDK
// reads the file again on the next invocation and, when it cannot parse what it read, quotes
// all of it in its error (common/auth/federation_client.go, newPrincipalToken: "failed to parse
// the token string %q"). Whatever token the current invocation read is redacted, JWT-shaped or
// not, in the report, the logs and the notification: a redaction set built once per process
// knows only the token the process started with (issue 24, 2.3).
func TestRotatedTokenIsNeverPrinted(t *testing.T) {
	emu := emutest.New(t, decoyTenancy(20), ociemu.Options{})
	before := emu.Snapshot()
	f := start(t, emu, map[string]string{"NOTIFICATION_TOPIC_ID": before.Topics[0].ID, "DRY_RUN": "true"})
	if rep := invoke(t, f, ""); rep.Status != guard.StatusOK {
		t.Fatalf("first invocation: status %s errors %+v", rep.Status, rep.Errors)
	}
	next, err := emu.MintPrincipal(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 24)
	if _, err := rand.Read(random); err != nil {
		t.Fatal(err)
	}
	var bodies []string
	var secrets []string
	for _, rotated := range []struct{ name, token string }{
		// a JWT with a fourth part: JWT-shaped, so a shape rule alone would catch it
		{"a token with a fourth part", next.RPST + ".eyJmb3VydGgiOiAicGFydCJ9"},
		// not JWT-shaped at all: only reading what this invocation reads catches it
		{"not a token at all", "rotated-" + hex.EncodeToString(random)},
	} {
		if err := f.Agent.RotateRPST(rotated.token); err != nil {
			t.Fatal(err)
		}
		rep, res, err := f.Invoke(t.Context(), "", fnagent.InvokeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, string(res.Body))
		secrets = append(secrets, tokenParts(rotated.token)...)
		if rep.Status != guard.StatusError || len(rep.Errors) == 0 || rep.Errors[0].Stage != "auth" ||
			!strings.Contains(rep.Errors[0].Message, "failed to parse the token string") {
			t.Errorf("%s: status %s errors %+v; want the SDK's parse error at stage auth", rotated.name, rep.Status, rep.Errors)
		}
	}
	assertAbsent(t, outputsOf(f, bodies...), secrets...)
	if after := emu.Snapshot(); len(keys(after)) != len(keys(before)) {
		t.Error("a run without a valid token changed the tenancy")
	}
}

// OCI_GO_SDK_DEBUG=verbose in the function's configuration would make the SDK dump every
// request and response to stderr (common/log.go, NewSDKLogger; common/client.go, logResponse),
// key material included, past the function's redaction. The SDK reads the variable in an
// init(), before main, so the function replaces the SDK's logger instead: the run works, the
// SDK prints nothing, and the report says the variable was ignored (issue 24, 2.4).
func TestSDKDebugOutputNeverReachesStderr(t *testing.T) {
	eachFamily(t, func(t *testing.T, fam family) {
		emu := emutest.New(t, decoyTenancy(20), ociemu.Options{})
		before := emu.Snapshot()
		want := adminKeys(before, defaultAdmins(before))
		f := start(t, emu, fam.cfg(map[string]string{"OCI_GO_SDK_DEBUG": "verbose"}))
		rep := invoke(t, f, "")
		if rep.Status != guard.StatusOK || rep.Counts.Deleted != len(want) {
			t.Fatalf("status %s, %d deleted of %d; errors %+v", rep.Status, rep.Counts.Deleted, len(want), rep.Errors)
		}
		stderr := f.Agent.Stderr()
		for _, dump := range []string{"Dump Request", "Dump Response", "VERBOSE ", "DEBUG ", "BEGIN PUBLIC KEY"} {
			if strings.Contains(stderr, dump) {
				t.Errorf("stderr holds the SDK's debug output (%q):\n%.2000s", dump, stderr)
			}
		}
		warned := false
		for _, w := range rep.Warnings {
			warned = warned || w.Stage == "config" && strings.Contains(w.Message, "OCI_GO_SDK_DEBUG")
		}
		if !warned {
			t.Errorf("no config warning names OCI_GO_SDK_DEBUG: %+v", rep.Warnings)
		}
	})
}

// A URL in the configuration may carry credentials (user:password@) or a token in its query
// (a signed URL). The configuration error names the key and the host, and never repeats the
// credentials: not in the report, the log, or the notification the error is published in
// (issue 24, 2.5).
func TestEndpointCredentialsAreNeverPrinted(t *testing.T) {
	for _, tc := range []struct {
		name, key, value, secret, host string
	}{
		{"plain http with a password", "OCI_IDENTITY_ENDPOINT", "http://guard:Hunter2-http-password@identity.example.com",
			"Hunter2-http-password", "identity.example.com"},
		{"another scheme with a password", "OCI_IDENTITY_ENDPOINT", "ftp://guard:Hunter2-ftp-password@identity.example.com",
			"Hunter2-ftp-password", "identity.example.com"},
		{"https with a password", "OCI_IDENTITY_ENDPOINT", "https://guard:Hunter2-https-password@identity.example.com",
			"Hunter2-https-password", "OCI_IDENTITY_ENDPOINT"},
		{"a token in the query", "IDENTITY_DOMAIN_URL", "https://idcs-1.identity.oraclecloud.com/?access_token=Query-token-0123456789",
			"Query-token-0123456789", "idcs-1.identity.oraclecloud.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu := emutest.New(t, decoyTenancy(10), ociemu.Options{})
			before := emu.Snapshot()
			f := start(t, emu, map[string]string{tc.key: tc.value, "NOTIFICATION_TOPIC_ID": before.Topics[0].ID})
			rep, res, err := f.Invoke(t.Context(), "", fnagent.InvokeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Status != guard.StatusError || len(rep.Errors) == 0 || rep.Errors[0].Stage != "config" ||
				!strings.Contains(rep.Errors[0].Message, tc.key) || !strings.Contains(rep.Errors[0].Message, tc.host) {
				t.Fatalf("status %s errors %+v; want a config error naming %s and %s", rep.Status, rep.Errors, tc.key, tc.host)
			}
			if len(emu.Published()) != 1 {
				t.Fatalf("%d notifications; want the config error's one", len(emu.Published()))
			}
			assertAbsent(t, outputsOf(f, string(res.Body)), tc.secret)
		})
	}
}
