package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/report"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/gobuild"
)

// These tests run the built command against the emulator, signing with a user's API key from
// an OCI config file, as an operator does from a laptop: the emulator verifies the signature
// with the key uploaded for that user and authorizes the requests by the user's groups.

var binary string

// The command under test is built with the race detector: a data race in it fails the run.
func TestMain(m *testing.M) {
	gobuild.Main(m, &binary, gobuild.Options{Package: "./cmd/admin-apikey-guard", Race: true})
}

// workstation is a tenancy with an operator: admin0001, an administrator, holding the API key
// the command signs with (besides their two generated keys), and a developer allowed only to
// inspect users; each has a profile in the config file.
type workstation struct {
	emu        *ociemu.Server
	dir        string
	configFile string
	operator   ociemu.User
	signingKey ociemu.APIKey
	privatePEM string
	topic      string   // the tenancy's ONS topic
	before     []string // every key, before
}

func newWorkstation(t *testing.T) *workstation {
	t.Helper()
	ten := ociemu.Generate(ociemu.GenSpec{Seed: 19, Users: 30, Admins: 4, KeysPerAdmin: 2, OtherKeyFraction: 0.3})
	ten.Policies = append(ten.Policies, ociemu.Policy{ID: "ocid1.policy.oc1..developers", Name: "developers",
		CompartmentID: ten.ID, Statements: []string{"Allow group Developers to inspect users in tenancy"}})
	w := &workstation{dir: t.TempDir()}
	var profiles strings.Builder
	for _, who := range []struct{ profile, user string }{{"DEFAULT", "admin0001"}, {"DEVELOPER", developer(ten)}} {
		u, key, k := upload(t, ten, who.user)
		keyFile := filepath.Join(w.dir, who.profile+".pem")
		if err := os.WriteFile(keyFile, []byte(key), 0o600); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&profiles, "[%s]\nuser=%s\nfingerprint=%s\nkey_file=%s\ntenancy=%s\nregion=%s\n\n",
			who.profile, u.OCID, k.Fingerprint, keyFile, ten.ID, ten.Region)
		if who.profile == "DEFAULT" {
			w.operator, w.signingKey, w.privatePEM = u, k, key
		}
	}
	w.configFile = filepath.Join(w.dir, "config")
	if err := os.WriteFile(w.configFile, []byte(profiles.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	w.emu = emutest.New(t, ten, ociemu.Options{})
	w.before, w.topic = ten.KeyRefs(), ten.Topics[0].ID
	return w
}

// developer is a member of the Developers group.
func developer(ten *ociemu.Tenancy) string {
	def := ten.DefaultDomain()
	for _, g := range def.Groups {
		if g.DisplayName == "Developers" {
			for _, u := range def.Users {
				if u.OCID == g.Members[0] {
					return u.UserName
				}
			}
		}
	}
	return ""
}

// upload gives the user named name a fresh API key and returns the private key's PEM.
func upload(t *testing.T, ten *ociemu.Tenancy, name string) (ociemu.User, string, ociemu.APIKey) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range ten.DefaultDomain().Users {
		if u.UserName == name {
			k, err := ten.AddAPIKey(u.OCID, &key.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			return u, string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})), k
		}
	}
	t.Fatalf("no user %q", name)
	return ociemu.User{}, "", ociemu.APIKey{}
}

// result is one run of the command.
type result struct {
	code           int
	stdout, stderr string
	report         *report.Report // nil when no report was written
}

// run runs the command with args and env (on top of the emulator's endpoints and the config
// file), stdin not a terminal.
func (w *workstation) run(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	reportFile := filepath.Join(t.TempDir(), "report.json")
	cmd := exec.CommandContext(context.Background(), binary,
		append([]string{"--config-file", w.configFile, "--report", reportFile}, args...)...)
	cmd.Env = []string{"HOME=" + w.dir, "OCI_IDENTITY_ENDPOINT=" + w.emu.IdentityURL(),
		"OCI_NOTIFICATION_ENDPOINT=" + w.emu.NotificationURL(), "IDENTITY_RATE_LIMIT=0"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running the command: %v", err)
	}
	r := result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
	for _, out := range []string{r.stdout, r.stderr} {
		for _, line := range strings.Split(w.privatePEM, "\n") {
			if len(line) > 16 && strings.Contains(out, line) {
				t.Fatalf("the private key was printed:\n%s", out)
			}
		}
	}
	if b, err := os.ReadFile(reportFile); err == nil {
		r.report = &report.Report{}
		if err := json.Unmarshal(b, r.report); err != nil {
			t.Fatalf("report: %v\n%s", err, b)
		}
	}
	return r
}

// keysNow are the tenancy's keys now.
func (w *workstation) keysNow() []string {
	s := w.emu.Snapshot()
	return s.KeyRefs()
}

func (w *workstation) signingRef() string {
	return "Default/" + w.operator.OCID + "/" + w.signingKey.Fingerprint
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// TestReportOnlyByDefault: without --enforce the command changes nothing and reports what an
// enforcing run would do: every administrator key but the one it signs with would go.
func TestReportOnlyByDefault(t *testing.T) {
	w := newWorkstation(t)
	r := w.run(t, nil)
	if r.code != exitPartial || r.report == nil {
		t.Fatalf("want exit %d (partial: the signing key stays) and a report\n%s", exitPartial, r)
	}
	c := r.report.Counts
	if r.report.Mode != report.ModeDryRun || c.WouldDelete != 8 || c.NotAttempted != 1 || c.Deleted != 0 {
		t.Fatalf("mode %s, counts %+v; want a dry run that would delete 8 and leaves the signing key\n%s", r.report.Mode, c, r)
	}
	if got := w.keysNow(); !slices.Equal(got, w.before) {
		t.Fatal("a report-only run changed keys")
	}
	if n := w.emu.Counts()[ociemu.OpDeleteApiKey]; n != 0 {
		t.Fatalf("%d DeleteApiKey calls in a report-only run", n)
	}
	if !strings.Contains(r.stdout, "admin-apikey-guard [partial]: dry run: would delete 8") ||
		!strings.Contains(r.stdout, guard.ReasonSigningKey) {
		t.Fatalf("the summary does not say what would be deleted and why the signing key stays\n%s", r)
	}
}

// TestEnforceNeedsTheTypedPhrase: --enforce alone, without a terminal to type into, is refused;
// so is a phrase that does not match the preview. Nothing changes either way.
func TestEnforceNeedsTheTypedPhrase(t *testing.T) {
	w := newWorkstation(t)
	for name, args := range map[string][]string{
		"no terminal, no --confirm": {"--enforce"},
		"a wrong count":             {"--enforce", "--confirm", "delete 7 keys"},
		"a plain yes":               {"--enforce", "--confirm", "yes"},
	} {
		r := w.run(t, nil, args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, `"delete 8 keys"`) || !strings.Contains(r.stderr, "nothing was changed") {
			t.Errorf("%s: want exit %d naming the phrase \"delete 8 keys\"\n%s", name, exitUsage, r)
		}
		if r.report == nil || r.report.Mode != report.ModeDryRun {
			t.Errorf("%s: want the preview's report", name)
		}
	}
	if got := w.keysNow(); !slices.Equal(got, w.before) {
		t.Fatal("an unconfirmed run changed keys")
	}
	if n := w.emu.Counts()[ociemu.OpDeleteApiKey]; n != 0 {
		t.Fatalf("%d DeleteApiKey calls without confirmation", n)
	}
	if r := w.run(t, map[string]string{"DRY_RUN": "true"}, "--enforce", "--confirm", "delete 8 keys"); r.code != exitUsage ||
		!strings.Contains(r.stderr, "contradicts --enforce") {
		t.Errorf("DRY_RUN=true with --enforce: want a refusal\n%s", r)
	}
}

// TestEnforceConfirmed: with the phrase, the command deletes every administrator key but the
// exempt administrator's and the one it signs with, which it reports as not attempted and
// keeps working with: a second run signs with it again. The topic hears of the enforcing run
// only, not of its preview.
func TestEnforceConfirmed(t *testing.T) {
	w := newWorkstation(t)
	r := w.run(t, map[string]string{"NOTIFICATION_TOPIC_ID": w.topic}, "--enforce", "--exempt-users", "admin0002", "--confirm", "delete 6 keys")
	if r.code != exitPartial || r.report == nil || r.report.Mode != report.ModeEnforce {
		t.Fatalf("want exit %d and the enforcing run's report\n%s", exitPartial, r)
	}
	if c := r.report.Counts; c.Deleted != 6 || c.Exempt != 2 || c.NotAttempted != 1 || c.Failed != 0 {
		t.Fatalf("counts %+v, want 6 deleted, 2 exempt, the signing key not attempted\n%s", c, r)
	}
	if msgs := w.emu.Published(); len(msgs) != 1 || !strings.Contains(msgs[0].Title, "deleted 6 administrator API key(s)") {
		t.Fatalf("published %+v, want one message, of the enforcing run", msgs)
	}
	after := w.keysNow()
	var adminKeysLeft []string
	for _, ref := range after {
		if !slices.Contains(w.before, ref) {
			t.Fatalf("key %s appeared", ref)
		}
	}
	snap := w.emu.Snapshot()
	for _, u := range snap.DefaultDomain().Users {
		if strings.HasPrefix(u.UserName, "admin") {
			for _, k := range u.APIKeys {
				adminKeysLeft = append(adminKeysLeft, u.UserName+"/"+k.Fingerprint)
			}
		}
	}
	if len(adminKeysLeft) != 3 || !slices.Contains(after, w.signingRef()) {
		t.Fatalf("administrator keys left: %v; want admin0002's two and the signing key", adminKeysLeft)
	}
	if len(w.before)-len(after) != 6 {
		t.Fatalf("%d keys gone, want 6: keys of non-administrators must stay", len(w.before)-len(after))
	}
	again := w.run(t, nil, "--exempt-users", "admin0002")
	if again.code != exitPartial || again.report.Counts.WouldDelete != 0 || again.report.Counts.NotAttempted != 1 {
		t.Fatalf("a second run with the same key: want it to work and find only the signing key\n%s", again)
	}
}

// TestAuthorizedByTheUsersGroups: a user whose groups may only inspect users cannot read
// administrators' keys: the run ends in error, with the refusal in the report, and nothing
// changes. An unknown profile is an authentication error before any request.
func TestAuthorizedByTheUsersGroups(t *testing.T) {
	w := newWorkstation(t)
	r := w.run(t, nil, "--profile", "DEVELOPER")
	if r.code != exitError || r.report == nil || r.report.Status != guard.StatusError || len(r.report.Errors) == 0 {
		t.Fatalf("want status error from the refused listing\n%s", r)
	}
	if msg := r.report.Errors[0].Message + r.report.Errors[0].Code; !strings.Contains(msg, "NotAuthorizedOrNotFound") {
		t.Fatalf("the error does not carry OCI's refusal: %+v", r.report.Errors[0])
	}
	if r := w.run(t, nil, "--profile", "NOBODY"); r.code != exitError || !strings.Contains(r.stderr, "NOBODY") {
		t.Fatalf("unknown profile: want an authentication error naming it\n%s", r)
	}
	if got := w.keysNow(); !slices.Equal(got, w.before) {
		t.Fatal("keys changed")
	}
}

// TestSameConfigurationChecks: the function's configuration rules hold for the command, from
// flags and from the environment alike: a bad value and a near-miss name stop the run before
// any request.
func TestSameConfigurationChecks(t *testing.T) {
	w := newWorkstation(t)
	for name, tc := range map[string]struct {
		env  map[string]string
		args []string
		want string
	}{
		"a group OCID exempted":  {nil, []string{"--exempt-users", "ocid1.group.oc1..x"}, "not a user OCID"},
		"a near-miss key in env": {map[string]string{"EXEMPT_USER": "admin0001"}, nil, "EXEMPT_USER"},
	} {
		w.emu.ResetCounts()
		r := w.run(t, tc.env, tc.args...)
		if r.code != exitError || r.report == nil || len(r.report.Errors) == 0 || !strings.Contains(r.report.Errors[0].Message, tc.want) {
			t.Errorf("%s: want a configuration error naming %q\n%s", name, tc.want, r)
		}
		if n := w.emu.Total(); n != 0 {
			t.Errorf("%s: %d API calls after a configuration error", name, n)
		}
	}
}
