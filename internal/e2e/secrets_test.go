package e2e

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/fnagent"
	"github.com/apikeyguard/admin-apikey-guard/internal/harness"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/reportschema"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/syncbuf"
)

// secretsOf lists what must never leave the function: the RPST and its signature, every line
// of the session private key, and the public key material of every key in the tenancy.
func secretsOf(f *harness.Function, tn ociemu.Tenancy) []string {
	s := []string{f.Principal.RPST, "PRIVATE KEY", "BEGIN PUBLIC KEY"}
	if parts := strings.Split(f.Principal.RPST, "."); len(parts) == 3 {
		s = append(s, parts[2])
	}
	pemLines := func(pem string) {
		for _, line := range strings.Split(pem, "\n") {
			if len(line) > 20 && !strings.HasPrefix(line, "-----") {
				s = append(s, line)
			}
		}
	}
	pemLines(string(f.Principal.PrivateKeyPEM))
	for _, d := range tn.Domains {
		for _, u := range d.Users {
			for _, k := range u.APIKeys {
				pemLines(k.PublicKeyPEM)
			}
		}
	}
	return s
}

// Every scenario's output, reports, notifications and the emulator's own log are free of
// credentials and key material.
func TestNoSecretsAnywhere(t *testing.T) {
	var emuLog syncbuf.Buffer
	tn := decoyTenancy(80)
	emu := emutest.New(t, tn, ociemu.Options{Logger: slog.New(slog.NewTextHandler(&emuLog, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	before := emu.Snapshot()
	cfg := map[string]string{"NOTIFICATION_TOPIC_ID": before.Topics[0].ID}
	f := start(t, emu, cfg)
	secrets := secretsOf(f, before)

	var reports []string
	call := func(body string) {
		_, res, err := f.Invoke(t.Context(), body, fnagent.InvokeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, string(res.Body))
	}
	call(`{"dryRun": true}`)                                   // dry run
	call(`{"dryRun": "` + f.Principal.RPST[:40] + `"}`)        // bad body that echoes part of a secret
	call(`not json ` + string(f.Principal.PrivateKeyPEM[:60])) // bad body carrying key text
	emu.SetFaults(ociemu.Faults{Forced: map[string]ociemu.ForcedError{
		ociemu.OpListUserGroupMemberships: {Status: 503, Times: 1},
		ociemu.OpDeleteApiKey:             {Status: 404, Skip: 3},
	}})
	call("") // faults: partial
	emu.SetFaults(ociemu.Faults{})
	call("") // enforce
	// a second function that starts without a principal must not print the first one's
	bare, err := harness.Start(t.Context(), harness.Options{Binary: binary, Config: cfg, Emu: emu, NoRPEnv: true, Stderr: &logs,
		CheckReport: reportschema.Validate})
	if err != nil {
		t.Fatal(err)
	}
	_, res, err := bare.Invoke(t.Context(), "", fnagent.InvokeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	reports = append(reports, string(res.Body))
	if err := bare.Stop(); err != nil {
		t.Errorf("stop: %v", err)
	}

	if n := len(emu.Published()); n < 2 {
		t.Errorf("%d notifications published; the scan needs some", n)
	}
	var published []string
	for _, m := range emu.Published() {
		published = append(published, m.Title, m.Body)
	}
	allLogs := logs.String()
	for where, text := range map[string]string{
		"reports":              strings.Join(reports, "\n"),
		"notifications":        strings.Join(published, "\n"),
		"function stdout":      f.Agent.Stdout() + bare.Agent.Stdout(),
		"function stderr":      f.Agent.Stderr() + bare.Agent.Stderr(),
		"every function's log": allLogs,
		"emulator log":         emuLog.String(),
	} {
		if text == "" && where != "function stdout" {
			t.Errorf("%s: nothing to scan", where)
		}
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s: a secret (%d chars, starts %.6q) appears", where, len(s), s)
			}
		}
	}
}
