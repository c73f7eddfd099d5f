// Command echofn is a minimal fdk function for the fnagent tests. It answers
// with what it received and what it can see of its environment. Secrets are
// never echoed: an inline principal value is reported only as a SHA-256.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/fnagent/testdata/echofn/wire"
	fdk "github.com/fnproject/fdk-go"
)

func main() {
	if code := os.Getenv("ECHOFN_EXIT"); code != "" {
		fmt.Fprintln(os.Stderr, "echofn: exiting on request")
		os.Exit(3)
	}
	if os.Getenv("ECHOFN_IGNORE_TERM") != "" {
		signal.Ignore(syscall.SIGTERM)
	}
	fmt.Fprintln(os.Stdout, "echofn: starting")
	fdk.Handle(fdk.HandlerFunc(handle))
}

func handle(ctx context.Context, in io.Reader, out io.Writer) {
	body, _ := io.ReadAll(in)
	fctx := fdk.GetContext(ctx)
	if string(body) == "wait" {
		<-ctx.Done() // lets a test observe the deadline the agent sent
	}
	r := wire.Reply{
		Body:        string(body),
		CallID:      fctx.CallID(),
		ContentType: fctx.ContentType(),
		Config:      fctx.Config()["ECHO_CONFIG"],
		Principal:   map[string]string{},
		Header:      map[string]string{"X-Extra": fctx.Header().Get("X-Extra")},
	}
	if d, ok := ctx.Deadline(); ok {
		r.Deadline = d.UTC().Format(time.RFC3339Nano)
	}
	if err := ctx.Err(); err != nil {
		r.CtxErr = err.Error()
	}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		r.EnvKeys = append(r.EnvKeys, k)
		if strings.HasPrefix(k, "OCI_RESOURCE_PRINCIPAL_") {
			r.Principal[k] = describe(k, v)
		}
	}
	sort.Strings(r.EnvKeys)
	r.Cwd, _ = os.Getwd()
	fmt.Fprintf(os.Stderr, "echofn: handled call %s\n", r.CallID)
	fdk.SetHeader(out, "X-Echo", "yes")
	json.NewEncoder(out).Encode(r)
}

// describe reveals paths (to check them) but only digests of inline secrets.
func describe(key, v string) string {
	switch {
	case key == "OCI_RESOURCE_PRINCIPAL_VERSION" || key == "OCI_RESOURCE_PRINCIPAL_REGION":
		return v
	case strings.HasPrefix(v, "/"):
		return "path:" + v
	default:
		sum := sha256.Sum256([]byte(v))
		return "sha256:" + hex.EncodeToString(sum[:])
	}
}
