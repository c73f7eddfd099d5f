package fnagent

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/fnagent/testdata/echofn/wire"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/gobuild"
)

// echofn is built once for the whole package by TestMain.
var echofn string

// Fake principal material: shaped like the real thing, valid for nothing.
const (
	fakeRPST = "eyJhbGciOiJub25lIn0.eyJyZXNfdGVuYW50IjoidCJ9.c2ln"
	fakePEM  = "-----BEGIN PRIVATE KEY-----\nZmFrZQ==\n-----END PRIVATE KEY-----\n"
)

func TestMain(m *testing.M) {
	gobuild.Main(m, &echofn, gobuild.Options{Package: "./internal/fnagent/testdata/echofn"})
}

type echoReply = wire.Reply

func start(t *testing.T, o Options) *Agent {
	t.Helper()
	if o.Binary == "" {
		o.Binary = echofn
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	a, err := Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return a
}

func invoke(t *testing.T, a *Agent, body string, opts InvokeOptions) (*Result, echoReply) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := a.Invoke(ctx, []byte(body), opts)
	if err != nil {
		t.Fatal(err)
	}
	var r echoReply
	if err := json.Unmarshal(res.Body, &r); err != nil {
		t.Fatalf("reply is not JSON: %v", err)
	}
	return res, r
}

func TestInvokeSendsWhatTheAgentSends(t *testing.T) {
	t.Parallel()
	var teeErr bytes.Buffer
	a := start(t, Options{Env: map[string]string{"ECHO_CONFIG": "cfg-value"}, Stderr: &teeErr})
	if a.ReadyAfter() <= 0 {
		t.Errorf("ReadyAfter = %v, want > 0", a.ReadyAfter())
	}
	deadline := time.Now().Add(time.Minute).Truncate(time.Millisecond)
	res, r := invoke(t, a, `{"dryRun":true}`, InvokeOptions{
		CallID:      "call-1",
		Deadline:    deadline,
		ContentType: "text/plain",
		Header:      map[string][]string{"X-Extra": {"extra"}},
	})
	if res.Status != 200 || res.Header.Get("X-Echo") != "yes" || res.Header.Get("Fn-Fdk-Version") == "" {
		t.Errorf("status %d, headers %v", res.Status, res.Header)
	}
	if r.Body != `{"dryRun":true}` || r.CallID != "call-1" || res.CallID != "call-1" || r.ContentType != "text/plain" ||
		r.Config != "cfg-value" || r.Header["X-Extra"] != "extra" {
		t.Errorf("reply %+v", r)
	}
	if got, _ := time.Parse(time.RFC3339Nano, r.Deadline); !got.Equal(deadline) {
		t.Errorf("function saw deadline %s, want %s", r.Deadline, deadline.UTC().Format(time.RFC3339Nano))
	}
	if res.Elapsed <= 0 {
		t.Errorf("Elapsed = %v", res.Elapsed)
	}
	if !strings.Contains(a.Stdout(), "echofn: starting") {
		t.Errorf("stdout not captured: %q", a.Stdout())
	}
	if !strings.Contains(a.Stderr(), "echofn: handled call call-1") {
		t.Errorf("stderr not captured: %q", a.Stderr())
	}
	if err := a.Stop(); err != nil { // flushes the tee: the process has been reaped
		t.Fatal(err)
	}
	if !strings.Contains(teeErr.String(), "handled call call-1") {
		t.Errorf("stderr tee got %q", teeErr.String())
	}
}

func TestInvokeDefaults(t *testing.T) {
	t.Parallel()
	a := start(t, Options{})
	before := time.Now()
	_, r1 := invoke(t, a, "", InvokeOptions{})
	_, r2 := invoke(t, a, "", InvokeOptions{})
	if r1.CallID == "" || r1.CallID == r2.CallID {
		t.Errorf("call ids %q and %q, want distinct random ids", r1.CallID, r2.CallID)
	}
	if r1.ContentType != "application/json" {
		t.Errorf("content type %q", r1.ContentType)
	}
	d, err := time.Parse(time.RFC3339Nano, r1.Deadline)
	if err != nil {
		t.Fatalf("deadline %q: %v", r1.Deadline, err)
	}
	if want := before.Add(DefaultCallTimeout); d.Before(want.Add(-time.Second)) || d.After(want.Add(5*time.Second)) {
		t.Errorf("default deadline %v, want about %v", d, want)
	}
}

func TestDeadlineReachesHandlerContext(t *testing.T) {
	t.Parallel()
	a := start(t, Options{})
	res, r := invoke(t, a, "wait", InvokeOptions{Deadline: time.Now().Add(300 * time.Millisecond)})
	if r.CtxErr != context.DeadlineExceeded.Error() {
		t.Errorf("handler ctx error %q, want deadline exceeded", r.CtxErr)
	}
	if res.Elapsed < 200*time.Millisecond || res.Elapsed > 5*time.Second {
		t.Errorf("Elapsed %v, want about 300ms", res.Elapsed)
	}
}

func TestEnvironmentIsHermetic(t *testing.T) {
	t.Setenv("FNAGENT_CANARY", "must-not-leak")
	t.Setenv("ADMIN_GROUPS", "must-not-leak")
	a := start(t, Options{
		Env:  map[string]string{"ECHO_CONFIG": "x", "FN_APP_NAME": "overridden"},
		RPST: fakeRPST, PrivateKeyPEM: []byte(fakePEM), Region: "eu-frankfurt-1",
	})
	_, r := invoke(t, a, "", InvokeOptions{})
	want := []string{
		"ECHO_CONFIG", "FN_APP_ID", "FN_APP_NAME", "FN_FN_ID", "FN_FN_NAME", "FN_FORMAT", "FN_LISTENER",
		"OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM", "OCI_RESOURCE_PRINCIPAL_REGION",
		"OCI_RESOURCE_PRINCIPAL_RPST", "OCI_RESOURCE_PRINCIPAL_VERSION",
	}
	for _, k := range passThrough {
		if _, ok := os.LookupEnv(k); ok {
			want = append(want, k)
		}
	}
	slices.Sort(want)
	if !slices.Equal(r.EnvKeys, want) {
		t.Errorf("function env keys\n got %v\nwant %v", r.EnvKeys, want)
	}
	if r.Principal["OCI_RESOURCE_PRINCIPAL_VERSION"] != "2.2" || r.Principal["OCI_RESOURCE_PRINCIPAL_REGION"] != "eu-frankfurt-1" {
		t.Errorf("principal %v", r.Principal)
	}
	if r.Cwd != a.Dir() {
		t.Errorf("cwd %q, want the agent dir %q", r.Cwd, a.Dir())
	}
}

func TestPrincipalFiles(t *testing.T) {
	t.Parallel()
	a := start(t, Options{RPST: fakeRPST, PrivateKeyPEM: []byte(fakePEM), Region: "us-ashburn-1"})
	_, r := invoke(t, a, "", InvokeOptions{})
	for key, want := range map[string]string{
		"OCI_RESOURCE_PRINCIPAL_RPST":        fakeRPST,
		"OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM": fakePEM,
	} {
		path, ok := strings.CutPrefix(r.Principal[key], "path:")
		if !ok || !filepath.IsAbs(path) || filepath.Dir(path) != a.Dir() {
			t.Errorf("%s = %q, want an absolute path in %s", key, r.Principal[key], a.Dir())
			continue
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", key, st.Mode().Perm())
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want { // exact: a trailing newline would break signing
			t.Errorf("%s file content differs from what was given (%d bytes vs %d)", key, len(got), len(want))
		}
	}
}

func TestPrincipalInline(t *testing.T) {
	t.Parallel()
	a := start(t, Options{RPST: fakeRPST, PrivateKeyPEM: []byte(fakePEM), InlinePrincipal: true})
	_, r := invoke(t, a, "", InvokeOptions{})
	for key, secret := range map[string]string{
		"OCI_RESOURCE_PRINCIPAL_RPST":        fakeRPST,
		"OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM": fakePEM,
	} {
		sum := sha256.Sum256([]byte(secret))
		if r.Principal[key] != "sha256:"+hex.EncodeToString(sum[:]) {
			t.Errorf("%s is not the inline value", key)
		}
	}
	for _, f := range []string{rpstFile, pemFile} {
		if _, err := os.Stat(filepath.Join(a.Dir(), f)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("inline mode wrote %s (stat: %v)", f, err)
		}
	}
}

func TestNoPrincipal(t *testing.T) {
	t.Parallel()
	a := start(t, Options{})
	_, r := invoke(t, a, "", InvokeOptions{})
	if len(r.Principal) != 0 {
		t.Errorf("principal variables set without a principal: %v", r.Principal)
	}
}

func TestPeakRSS(t *testing.T) {
	t.Parallel()
	a := start(t, Options{})
	rss, err := a.PeakRSS()
	if err != nil || rss < 1<<20 {
		t.Errorf("PeakRSS = %d, %v; want at least 1 MiB", rss, err)
	}
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.PeakRSS(); err == nil {
		t.Error("PeakRSS after Stop should fail")
	}
}

func TestParseVmHWM(t *testing.T) {
	got, err := parseVmHWM([]byte("Name:\techofn\nVmPeak:\t 1 kB\nVmHWM:\t   12345 kB\nVmRSS:\t 9 kB\n"))
	if err != nil || got != 12345*1024 {
		t.Errorf("got %d, %v", got, err)
	}
	for _, bad := range []string{"Name:\tx\n", "VmHWM:\t12 MB\n", "VmHWM:\tx kB\n"} {
		if _, err := parseVmHWM([]byte(bad)); err == nil {
			t.Errorf("parseVmHWM(%q) succeeded", bad)
		}
	}
}

func TestStopRemovesOwnedDir(t *testing.T) {
	t.Parallel()
	a := start(t, Options{RPST: fakeRPST, PrivateKeyPEM: []byte(fakePEM)})
	dir := a.Dir()
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("agent dir still exists after Stop (stat: %v)", err)
	}
	if !a.cmd.ProcessState.Exited() && a.cmd.ProcessState.String() != "signal: terminated" {
		t.Errorf("process state %v", a.cmd.ProcessState)
	}
	if _, err := a.Invoke(context.Background(), nil, InvokeOptions{}); err == nil {
		t.Error("Invoke after Stop succeeded")
	}
	if err := a.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func TestStopKeepsCallerDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keep := filepath.Join(dir, "keep")
	if err := os.WriteFile(keep, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	a := start(t, Options{Dir: dir, RPST: fakeRPST, PrivateKeyPEM: []byte(fakePEM)})
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "keep" {
		t.Errorf("caller dir after Stop holds %v, want only keep", entries)
	}
}

func TestStopKillsWhenTermIsIgnored(t *testing.T) {
	t.Parallel()
	a := start(t, Options{Env: map[string]string{"ECHOFN_IGNORE_TERM": "1"}})
	a.stopGrace = 200 * time.Millisecond
	began := time.Now()
	if err := a.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if took := time.Since(began); took < a.stopGrace {
		t.Errorf("Stop took %v, before the grace period ended", took)
	}
	if st := a.cmd.ProcessState.String(); st != "signal: killed" {
		t.Errorf("process state %q, want killed", st)
	}
}

func TestStopReportsCrash(t *testing.T) {
	t.Parallel()
	a, err := Start(context.Background(), Options{Binary: echofn})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-a.exited
	if err := a.Stop(); err == nil || !strings.Contains(err.Error(), "already exited") {
		t.Errorf("Stop after a crash = %v", err)
	}
}

func TestStartFailsWithStderrWhenFunctionExits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := Start(context.Background(), Options{
		Binary: echofn, Dir: dir, Env: map[string]string{"ECHOFN_EXIT": "1"},
		RPST: fakeRPST, PrivateKeyPEM: []byte(fakePEM),
	})
	if err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "echofn: exiting on request") {
		t.Fatalf("Start = %v", err)
	}
	if strings.Contains(err.Error(), fakeRPST) || strings.Contains(err.Error(), "PRIVATE KEY") {
		t.Error("error leaks principal material")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed Start left %d files behind", len(entries))
	}
}

func TestStartValidation(t *testing.T) {
	t.Parallel()
	long := filepath.Join(t.TempDir(), strings.Repeat("d", 100))
	cases := []struct {
		name string
		o    Options
		want string
	}{
		{"no binary", Options{}, "Binary is empty"},
		{"missing binary", Options{Binary: "./does-not-exist"}, "no such file"},
		{"reserved env", Options{Binary: echofn, Env: map[string]string{"FN_LISTENER": "unix:/x"}}, "must not set FN_LISTENER"},
		{"socket path too long", Options{Binary: echofn, Dir: long}, "longer than the 107 bytes"},
	}
	for _, c := range cases {
		if _, err := Start(context.Background(), c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Start = %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

func TestStartHonoursContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Start(ctx, Options{Binary: echofn}); !errors.Is(err, context.Canceled) {
		t.Errorf("Start with a cancelled context = %v", err)
	}
}
