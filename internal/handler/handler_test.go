package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	fdk "github.com/fnproject/fdk-go"

	"github.com/apikeyguard/admin-apikey-guard/internal/config"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard/fakedir"
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
}

func (f *fakeDir) CallCount() (int, map[string]int) { return 0, nil }
func (f *fakeDir) Publish(_ context.Context, topic, title, body string) error {
	if f.publishErr != nil {
		return f.publishErr
	}
	f.published = append(f.published, topic+"|"+title+"|"+body)
	return nil
}

func tenancy() *fakedir.Dir {
	d := fakedir.New()
	a := d.AddUser("Default", "alice", true, true)
	b := d.AddUser("Default", "bob", true, true)
	d.AddGroup("Default", "Administrators", a.OCID)
	d.AddKey(a.OCID)
	d.AddKey(b.OCID)
	return d
}

func serve(t *testing.T, dir Directory, connectErr error, env map[string]string, body string) (guard.Report, string) {
	t.Helper()
	var logs bytes.Buffer
	r := newRedactor([]string{"eyJSECRETTOKENxxxxxxxxxxxxxxxx"})
	h := &Handler{Log: slog.New(slog.NewJSONHandler(r.Writer(&logs), nil)), Redact: r,
		Connect: func(config.Config, time.Time) (Directory, error) { return dir, connectErr }}
	var out bytes.Buffer
	h.Serve(fdk.WithContext(context.Background(), fnContext{env: env}), strings.NewReader(body), &out)
	if strings.Contains(out.String()+logs.String(), "eyJSECRETTOKEN") {
		t.Fatalf("secret leaked:\n%s\n%s", out.String(), logs.String())
	}
	var rep guard.Report
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
	r := newRedactor(secrets(func(k string) string { return env[k] }))
	got := r.String("token " + env["OCI_RESOURCE_PRINCIPAL_RPST"] + " sig cccccccccccccccccccc key MIIEpAIBAAKCAQEAx1234567890abcdefghij")
	if strings.Contains(got, "cccc") || strings.Contains(got, "MIIE") || strings.Contains(got, "aaaa") {
		t.Fatalf("not redacted: %s", got)
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o600) }
