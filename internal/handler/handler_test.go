package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	fdk "github.com/fnproject/fdk-go"

	"github.com/apikeyguard/admin-apikey-guard/internal/budget"
	"github.com/apikeyguard/admin-apikey-guard/internal/config"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard/fakedir"
	"github.com/apikeyguard/admin-apikey-guard/internal/policy"
	"github.com/apikeyguard/admin-apikey-guard/internal/report"
)

// fnContext is the fdk context a real invocation would carry.
type fnContext struct{ env map[string]string }

func (c fnContext) Config() map[string]string              { return c.env }
func (c fnContext) Header() http.Header                    { return http.Header{} }
func (c fnContext) ContentType() string                    { return "application/json" }
func (c fnContext) CallID() string                         { return "call-1" }
func (c fnContext) AppID() string                          { return "app" }
func (c fnContext) FnID() string                           { return "fn" }
func (c fnContext) AppName() string                        { return "app" }
func (c fnContext) FnName() string                         { return "fn" }
func (c fnContext) TracingContextData() fdk.TracingContext { return nil }

type fakeDir struct {
	*fakedir.Dir
	published  []string
	publishErr error
	publishes  int
	// callsAtPublish is the directory's call count when Publish was called.
	callsAtPublish int
	policies       []policy.Policy
}

// CallCount counts every directory call and every publish, as the OCI adapter does.
func (f *fakeDir) CallCount() (int, map[string]int) {
	ops := map[string]int{}
	total := 0
	for op, n := range f.Calls {
		ops[op] = n
		total += n
	}
	if f.publishes > 0 {
		ops["PublishMessage"] = f.publishes
		total += f.publishes
	}
	return total, ops
}

func (f *fakeDir) Publish(_ context.Context, topic, title, body string) error {
	f.callsAtPublish, _ = f.CallCount()
	f.publishes++
	if f.publishErr != nil {
		return f.publishErr
	}
	f.published = append(f.published, topic+"|"+title+"|"+body)
	return nil
}

// Signer: the function signs with its resource principal, a token.
func (f *fakeDir) Signer() guard.Signer { return guard.Signer{} }

// Counts is the number of keys deleted.
func (f *fakeDir) Counts() int { return len(f.Deleted) }

// TenancyPolicies makes fakeDir a guard.PolicySource when policies are set.
func (f *fakeDir) TenancyPolicies(context.Context) ([]policy.Policy, error) { return f.policies, nil }
func (f *fakeDir) Tenancy() string                                          { return "ocid1.tenancy.oc1..fake" }

func tenancy() *fakedir.Dir {
	d := fakedir.New()
	a := d.AddUser("Default", "alice", true, true)
	b := d.AddUser("Default", "bob", true, true)
	d.AddGroup("Default", "Administrators", a.OCID)
	d.AddKey(a.OCID)
	d.AddKey(b.OCID)
	return d
}

func serve(t *testing.T, dir Directory, connectErr error, env map[string]string, body string) (report.Report, string) {
	t.Helper()
	return serveAt(t, nil, dir, connectErr, env, body)
}

func serveAt(t *testing.T, now func() time.Time, dir Directory, connectErr error, env map[string]string, body string) (report.Report, string) {
	t.Helper()
	var logs bytes.Buffer
	r := NewRedactor([]string{"eyJSECRETTOKENxxxxxxxxxxxxxxxx"})
	h := &Handler{Log: slog.New(slog.NewJSONHandler(r.Writer(&logs), nil)), Redact: r,
		Connect: func(config.Config, time.Time) (Directory, error) { return dir, connectErr }, Now: now}
	var out bytes.Buffer
	h.Serve(fdk.WithContext(context.Background(), fnContext{env: env}), strings.NewReader(body), &out)
	if strings.Contains(out.String()+logs.String(), "eyJSECRETTOKEN") {
		t.Fatalf("secret leaked:\n%s\n%s", out.String(), logs.String())
	}
	var rep report.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, out.String())
	}
	return rep, logs.String()
}

const topic = "ocid1.onstopic.oc1..t"

func TestNotifiesOnceWhenKeysWereDeleted(t *testing.T) {
	d := &fakeDir{Dir: tenancy()}
	rep, logs := serve(t, d, nil, map[string]string{"NOTIFICATION_TOPIC_ID": topic}, "")
	if rep.Status != guard.StatusOK || rep.Counts.Deleted != 1 || rep.Notified != "published" || len(d.published) != 1 {
		t.Fatalf("status %s counts %+v notified %q published %d", rep.Status, rep.Counts, rep.Notified, len(d.published))
	}
	if !strings.Contains(d.published[0], "alice") || !strings.Contains(d.published[0], "deleted 1") {
		t.Errorf("message lacks who/what: %s", d.published[0])
	}
	if !strings.Contains(logs, `"msg":"key deleted"`) || !strings.Contains(logs, `"msg":"summary"`) || !strings.Contains(logs, `"callId":"call-1"`) {
		t.Errorf("log lacks the action or summary lines:\n%s", logs)
	}
	// second run: nothing to do, nothing published
	rep, _ = serve(t, d, nil, map[string]string{"NOTIFICATION_TOPIC_ID": topic}, "")
	if rep.Notified != "" || len(d.published) != 1 {
		t.Fatalf("a clean run published: %q %d", rep.Notified, len(d.published))
	}
}

func TestFailedPublishIsReportedAndEnforcementStands(t *testing.T) {
	d := &fakeDir{Dir: tenancy(), publishErr: errors.New("404 NotAuthorizedOrNotFound")}
	rep, _ := serve(t, d, nil, map[string]string{"NOTIFICATION_TOPIC_ID": topic}, "")
	if rep.Status != guard.StatusOK || rep.Counts.Deleted != 1 || rep.Notified != "failed" || len(rep.Warnings) != 1 || rep.Warnings[0].Stage != "notify" {
		t.Fatalf("status %s deleted %d notified %q warnings %+v", rep.Status, rep.Counts.Deleted, rep.Notified, rep.Warnings)
	}
}

func TestBadBodyIsAnErrorAndIsNotified(t *testing.T) {
	d := &fakeDir{Dir: tenancy()}
	rep, _ := serve(t, d, nil, map[string]string{"NOTIFICATION_TOPIC_ID": topic}, `{"dryrun": true}`)
	if rep.Status != guard.StatusError || len(d.Deleted) != 0 || len(d.published) != 1 {
		t.Fatalf("status %s deleted %d published %d", rep.Status, len(d.Deleted), len(d.published))
	}
	for op, n := range d.Calls {
		t.Errorf("a bad body caused a directory call: %s x%d", op, n)
	}
}

// A bad configuration is heard too when the topic itself is valid: one message, the problem in
// it, no directory call, and the handler connects with the notification settings only.
func TestBadConfigurationIsNotifiedWhenTheTopicIsValid(t *testing.T) {
	for name, tc := range map[string]struct {
		env       map[string]string
		published int
	}{
		"typo elsewhere":   {map[string]string{"NOTIFICATION_TOPIC_ID": topic, "DRYRUN": "true", "ADMIN_GROUPS": "Ops,/x"}, 1},
		"bad topic":        {map[string]string{"NOTIFICATION_TOPIC_ID": "my-topic", "DRYRUN": "true"}, 0},
		"bad body and key": {map[string]string{"NOTIFICATION_TOPIC_ID": topic, "DRY_RUN": "maybe"}, 1},
	} {
		d := &fakeDir{Dir: tenancy()}
		var connected []config.Config
		var logs bytes.Buffer
		h := &Handler{Log: slog.New(slog.NewJSONHandler(&logs, nil)), Redact: NewRedactor(nil),
			Connect: func(c config.Config, _ time.Time) (Directory, error) { connected = append(connected, c); return d, nil }}
		var out bytes.Buffer
		h.Serve(fdk.WithContext(context.Background(), fnContext{env: tc.env}), strings.NewReader(`{"dryrun": 1}`), &out)
		var rep report.Report
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Status != guard.StatusError || len(d.published) != tc.published || len(d.Deleted) != 0 || len(d.Calls) != 0 {
			t.Errorf("%s: status %s published %d deleted %d calls %v", name, rep.Status, len(d.published), len(d.Deleted), d.Calls)
		}
		if tc.published == 1 && (len(connected) != 1 || connected[0].NotificationTopicID != topic || connected[0].DryRun ||
			!strings.Contains(d.published[0], "ERROR (config)") || !strings.Contains(d.published[0], "ERROR (trigger)") || strings.Contains(d.published[0], "Ops,/x")) {
			t.Errorf("%s: connected %+v, message:\n%s", name, connected, d.published[0])
		}
	}
}

func TestConnectErrorNeverLeaksTheToken(t *testing.T) {
	err := errors.New(`failed to parse the token string "eyJSECRETTOKENxxxxxxxxxxxxxxxx": bad`)
	rep, _ := serve(t, nil, err, map[string]string{}, "")
	if rep.Status != guard.StatusError || rep.Errors[0].Stage != "auth" || !strings.Contains(rep.Errors[0].Message, "[REDACTED]") {
		t.Fatalf("report %+v", rep.Errors)
	}
}

func TestSecretsReadsInlineAndFileValues(t *testing.T) {
	pem := "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAx1234567890abcdefghij\n-----END RSA PRIVATE KEY-----\n"
	path := t.TempDir() + "/key.pem"
	if err := writeFile(path, pem); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"OCI_RESOURCE_PRINCIPAL_RPST": "aaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbb.cccccccccccccccccccc", "OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM": path}
	r := NewRedactor(secrets(func(k string) string { return env[k] }))
	got := r.String("token " + env["OCI_RESOURCE_PRINCIPAL_RPST"] + " sig cccccccccccccccccccc key MIIEpAIBAAKCAQEAx1234567890abcdefghij")
	if strings.Contains(got, "cccc") || strings.Contains(got, "MIIE") || strings.Contains(got, "aaaa") {
		t.Fatalf("not redacted: %s", got)
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o600) }

// The message counts the calls made up to publishing (the count used to be filled in after
// publishing, so every message said "API calls: 0"); the report also counts the publish.
func TestMessageCountsTheCallsMadeBeforeIt(t *testing.T) {
	d := &fakeDir{Dir: tenancy()}
	rep, _ := serve(t, d, nil, map[string]string{"NOTIFICATION_TOPIC_ID": topic}, "")
	if len(d.published) != 1 || d.callsAtPublish == 0 {
		t.Fatalf("published %d, calls before publishing %d", len(d.published), d.callsAtPublish)
	}
	if want := fmt.Sprintf("API calls so far: %d ", d.callsAtPublish); !strings.Contains(d.published[0], want) {
		t.Errorf("message lacks %q:\n%s", want, d.published[0])
	}
	if rep.APICalls.Total != d.callsAtPublish+1 || rep.APICalls.ByOperation["PublishMessage"] != 1 {
		t.Errorf("report counts %d calls %v, want %d and the publish", rep.APICalls.Total, rep.APICalls.ByOperation, d.callsAtPublish+1)
	}
}

// An unenforced policy-admin group and nothing else to do: the same finding every run. It is
// published only in the FINDING_REMINDER window of the invocation's start time (UTC); changes
// and failures are published whenever they happen.
func TestFindingIsRepeatedOnlyInItsReminderWindow(t *testing.T) {
	netAdmins := []policy.Policy{{Name: "net", Statements: []string{"Allow group NetworkAdmins to manage all-resources in tenancy"}}}
	clean := func() *fakeDir {
		d := fakedir.New()
		a := d.AddUser("Default", "alice", true, true)
		d.AddGroup("Default", "Administrators", a.OCID)
		d.AddGroup("Default", "NetworkAdmins")
		return &fakeDir{Dir: d, policies: netAdmins}
	}
	withKey := func() *fakeDir { return &fakeDir{Dir: tenancy(), policies: netAdmins} }
	for name, tc := range map[string]struct {
		now      string
		reminder string
		body     string
		dir      func() *fakeDir
		want     string // Notified
	}{
		"weekly default, Monday 00:30 UTC": {"2026-11-23T00:30:00Z", "", "", clean, "published"},
		"weekly, Monday 01:00 UTC":         {"2026-11-23T01:00:00Z", "weekly", "", clean, "suppressed"},
		"weekly, Tuesday 00:30 UTC":        {"2026-11-24T00:30:00Z", "", "", clean, "suppressed"},
		"daily, Tuesday 00:30 UTC":         {"2026-11-24T00:30:00Z", "daily", "", clean, "published"},
		"daily, Tuesday 12:00 UTC":         {"2026-11-24T12:00:00Z", "daily", "", clean, "suppressed"},
		"always, Tuesday 12:00 UTC":        {"2026-11-24T12:00:00Z", "always", "", clean, "published"},
		"failure, Tuesday 12:00 UTC":       {"2026-11-24T12:00:00Z", "weekly", `{"dryrun": true}`, clean, "published"},
		"change, Tuesday 12:00 UTC":        {"2026-11-24T12:00:00Z", "weekly", "", withKey, "published"},
	} {
		t.Run(name, func(t *testing.T) {
			d := tc.dir()
			now, _ := time.Parse(time.RFC3339, tc.now)
			env := map[string]string{"NOTIFICATION_TOPIC_ID": topic}
			if tc.reminder != "" {
				env["FINDING_REMINDER"] = tc.reminder
			}
			rep, logs := serveAt(t, func() time.Time { return now }, d, nil, env, tc.body)
			if rep.Notified != tc.want {
				t.Fatalf("notified %q, want %q (status %s, findings %+v)", rep.Notified, tc.want, rep.Status, rep.Policy)
			}
			if !rep.StartedAt.Equal(now) {
				t.Errorf("startedAt %v, want the injected %v", rep.StartedAt, now)
			}
			switch tc.want {
			case "published":
				if len(d.published) != 1 {
					t.Fatalf("published %d", len(d.published))
				}
				title := strings.Split(d.published[0], "|")[1]
				want := "admin-apikey-guard [ok]: finding: group 'NetworkAdmins' is granted manage all-resources in tenancy and is not enforced"
				switch {
				case tc.body != "":
					want = "admin-apikey-guard [error]: run failed (trigger), nothing changed"
				case d.Counts() > 0:
					want = "admin-apikey-guard [ok]: deleted 1 administrator API key(s); 1 policy-admin group(s) not enforced"
				}
				if title != want {
					t.Errorf("title %q, want %q", title, want)
				}
				if strings.Contains(title, "deleted 0") {
					t.Errorf("misleading title %q", title)
				}
			case "suppressed":
				if len(d.published) != 0 || !strings.Contains(logs, `"msg":"notification suppressed"`) {
					t.Errorf("published %d; log:\n%s", len(d.published), logs)
				}
			}
		})
	}
}

// TestModeIsSetOnce: the handler decides the mode in one place, from the configuration or the
// body (either may ask for a dry run; neither can undo the other's), and the guard runs in
// exactly that mode.
func TestModeIsSetOnce(t *testing.T) {
	for name, tc := range map[string]struct {
		env     map[string]string
		body    string
		mode    string
		deleted int
	}{
		"enforce by default":                  {nil, "", report.ModeEnforce, 1},
		"dry run by configuration":            {map[string]string{"DRY_RUN": "true"}, "", report.ModeDryRun, 0},
		"dry run by the body":                 {nil, `{"dryRun": true}`, report.ModeDryRun, 0},
		"body cannot undo the dry run":        {map[string]string{"DRY_RUN": "true"}, `{"dryRun": false}`, report.ModeDryRun, 0},
		"bad body: enforce mode, nothing run": {nil, `{"dryrun": true}`, report.ModeEnforce, 0},
	} {
		t.Run(name, func(t *testing.T) {
			d := &fakeDir{Dir: tenancy()}
			rep, _ := serve(t, d, nil, tc.env, tc.body)
			if rep.Mode != tc.mode || len(d.Deleted) != tc.deleted || rep.Counts.Deleted != tc.deleted {
				t.Errorf("mode %q deleted %d (reported %d), want %q %d", rep.Mode, len(d.Deleted), rep.Counts.Deleted, tc.mode, tc.deleted)
			}
		})
	}
}

// fdk-go gives the handler a context without a deadline when Fn-Deadline is absent or not RFC
// 3339 (fdk-go v0.0.63 fdk.go, ctxWithDeadline): the run must then get one of its own, so that
// nothing it calls can go on forever (issue 24, 2.6). With Fn's deadline, that one is used.
func TestARunWithoutFnDeadlineGetsItsOwn(t *testing.T) {
	for _, tc := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want time.Duration // the deadline the directory gets, from now, less the margin (budget)
	}{
		{"no Fn-Deadline", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }, budget.NoDeadlineTimeout},
		{"Fn-Deadline in 20 s", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 20*time.Second)
		}, 20 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got time.Time
			h := &Handler{Log: slog.New(slog.DiscardHandler), Redact: NewRedactor(nil),
				Connect: func(_ config.Config, deadline time.Time) (Directory, error) {
					got = deadline
					return &fakeDir{Dir: tenancy()}, nil
				}}
			ctx, cancel := tc.ctx()
			defer cancel()
			began := time.Now()
			var out bytes.Buffer
			h.Serve(fdk.WithContext(ctx, fnContext{env: map[string]string{"DRY_RUN": "true"}}), strings.NewReader(""), &out)
			if got.IsZero() {
				t.Fatal("the run had no deadline")
			}
			// budget takes at most a second off for the report (budget.Margin).
			if left := got.Sub(began); left > tc.want || left < tc.want-2*time.Second {
				t.Errorf("the run's deadline is %v away, want %v less at most a second", left.Round(time.Millisecond), tc.want)
			}
		})
	}
}

// What looks like a secret is redacted whatever its value: a JWT (or more dot-separated parts
// after one), a PEM block raw, JSON-escaped or cut short, a URL's credentials and a
// credential-named query parameter; what only resembles them is kept (issue 24, 2.3 and 2.5).
func TestRedactorRedactsSecretShapes(t *testing.T) {
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvY2lkMS5mbmZ1bmMifQ.c2lnbmF0dXJlLXBhcnQtb2YtdGhlLXRva2Vu"
	pemBody := "MIIEpAIBAAKCAQEAx1234567890abcdefghij"
	r := NewRedactor(nil)
	for _, tc := range []struct{ in, gone, kept string }{
		{`failed to parse the token string "` + jwt + `.eyJmb3VydGgifQ": bad`, "c2lnbmF0dXJl", "failed to parse the token string"},
		{"key -----BEGIN RSA PRIVATE KEY-----\n" + pemBody + "\n-----END RSA PRIVATE KEY----- end", pemBody, " end"},
		{`{"msg":"-----BEGIN PUBLIC KEY-----\n` + pemBody + `\n-----END PUBLIC KEY-----\n"}`, pemBody, `{"msg":"`},
		{"cut short: -----BEGIN PRIVATE KEY-----\n" + pemBody, pemBody, "cut short"},
		{`Get "https://guard:hunter2-pw@identity.example.com/20160918/users": EOF`, "hunter2-pw", "identity.example.com/20160918/users"},
		{`https://idcs-1.identity.oraclecloud.com/admin/v1/Users?access_token=tok-123-secret&count=5`, "tok-123-secret", "count=5"},
		{`"url":"https://h.example.com/?a=1\u0026sig=tok-123-secret"`, "tok-123-secret", "a=1"},
		{"ocid1.user.oc1..aaaaeyjexample fingerprint aa:bb:cc user@example.com page=abc", "", "ocid1.user.oc1..aaaaeyjexample fingerprint aa:bb:cc user@example.com page=abc"},
	} {
		got := r.String(tc.in)
		if tc.gone != "" && strings.Contains(got, tc.gone) || !strings.Contains(got, tc.kept) {
			t.Errorf("%q\n-> %q", tc.in, got)
		}
	}
}

// A reading Redactor reads its source again at each Refresh and keeps what it read before: a
// token rotated into the file while the process lives is redacted from the next invocation on,
// and the one it replaced stays redacted (issue 24, 2.3).
func TestRedactorRefreshReadsTheRotatedToken(t *testing.T) {
	path := t.TempDir() + "/rpst"
	first, second := "first-token-not-jwt-shaped-0001", "second-token-not-jwt-shaped-0002"
	if err := writeFile(path, first); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"OCI_RESOURCE_PRINCIPAL_RPST": path}
	r := NewReadingRedactor(func() []string { return secrets(func(k string) string { return env[k] }) })
	if err := writeFile(path, second); err != nil {
		t.Fatal(err)
	}
	if got := r.String(second); got != second {
		t.Fatalf("redacted %q before the refresh that read it; the test proves nothing", got)
	}
	r.Refresh()
	if got := r.String(first + " " + second); got != "[REDACTED] [REDACTED]" {
		t.Fatalf("after the refresh: %q", got)
	}
}
