// Package harness wires the real function binary (through fnagent, as the Fn agent runs it)
// to the OCI emulator. End-to-end tests, the demo and the benchmarks all start here, so they
// exercise exactly what a deployment runs: the fdk socket, the resource principal from the
// environment, and the SDK signing real requests.
package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/fnagent"
	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/report"
)

// Options configure one function process against one emulated tenancy.
type Options struct {
	Binary  string            // built function (gobuild.Build)
	Config  map[string]string // function configuration (ADMIN_GROUPS, DRY_RUN, ...)
	Emu     *ociemu.Server    // the tenancy
	Inline  bool              // resource principal inline in env instead of files
	Stderr  io.Writer         // optional copy of the function's log
	NoRPEnv bool              // start without a resource principal (tests of that failure)
	// Public wires the function as in production: no endpoint override at all; the SDK builds
	// the real hostnames and reaches them through the emulator's HTTPS proxy (HTTPS_PROXY, and
	// SSL_CERT_FILE with the emulator's CA). Emu must serve ociemu.Options.PublicEndpoints.
	Public bool
	// CheckReport, when set, is given every response body before it is decoded; an error fails
	// the Invoke (the e2e tests validate each report against docs/report.schema.json).
	CheckReport func(body []byte) error
}

// Function is a started function process bound to an emulator.
type Function struct {
	Agent     *fnagent.Agent
	Emu       *ociemu.Server
	Principal ociemu.Principal
	caDir     string // the CA file's directory (Public), removed by Stop

	checkReport func(body []byte) error
}

// Start mints a resource principal from the emulator and starts the function with the
// endpoints pointed at the emulator.
func Start(ctx context.Context, o Options) (*Function, error) {
	p, err := o.Emu.MintPrincipal(time.Hour)
	if err != nil {
		return nil, fmt.Errorf("mint principal: %w", err)
	}
	env := map[string]string{
		"OCI_IDENTITY_ENDPOINT":     o.Emu.IdentityURL(),
		"OCI_NOTIFICATION_ENDPOINT": o.Emu.NotificationURL(),
		// The emulator does not throttle unless told to; tests of throttling set the rate.
		"IDENTITY_RATE_LIMIT": "0",
	}
	caDir := ""
	if o.Public {
		if caDir, err = publicWiring(o.Emu, env); err != nil {
			return nil, err
		}
	}
	maps.Copy(env, o.Config)
	ao := fnagent.Options{Binary: o.Binary, Env: env, RPST: p.RPST, PrivateKeyPEM: p.PrivateKeyPEM, Region: p.Region,
		InlinePrincipal: o.Inline, Stderr: o.Stderr}
	if o.NoRPEnv {
		ao.RPST, ao.PrivateKeyPEM = "", nil
	}
	a, err := fnagent.Start(ctx, ao)
	if err != nil {
		_ = removeDir(caDir)
		return nil, err
	}
	return &Function{Agent: a, Emu: o.Emu, Principal: p, caDir: caDir, checkReport: o.CheckReport}, nil
}

// publicWiring replaces the endpoint overrides in env with the proxy and the CA file (written
// to a new directory, returned).
func publicWiring(emu *ociemu.Server, env map[string]string) (string, error) {
	if emu.ProxyURL() == "" {
		return "", errors.New("harness: Options.Public needs an emulator started with ociemu.Options.PublicEndpoints")
	}
	dir, err := os.MkdirTemp("", "ociemu-ca-")
	if err != nil {
		return "", err
	}
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, emu.CACertPEM(), 0o600); err != nil {
		_ = removeDir(dir)
		return "", err
	}
	delete(env, "OCI_IDENTITY_ENDPOINT")
	delete(env, "OCI_NOTIFICATION_ENDPOINT")
	env["HTTPS_PROXY"] = emu.ProxyURL()
	env["SSL_CERT_FILE"] = ca
	return dir, nil
}

func removeDir(dir string) error {
	if dir == "" {
		return nil
	}
	return os.RemoveAll(dir)
}

// Invoke sends one call and decodes the report.
func (f *Function) Invoke(ctx context.Context, body string, io fnagent.InvokeOptions) (*report.Report, *fnagent.Result, error) {
	res, err := f.Agent.Invoke(ctx, []byte(body), io)
	if err != nil {
		return nil, nil, err
	}
	var rep report.Report
	if err := json.Unmarshal(res.Body, &rep); err != nil {
		return nil, res, fmt.Errorf("report is not JSON (%w): %.300s", err, res.Body)
	}
	if f.checkReport != nil {
		if err := f.checkReport(res.Body); err != nil {
			return &rep, res, err
		}
	}
	return &rep, res, nil
}

// Stop ends the function process.
func (f *Function) Stop() error { return errors.Join(f.Agent.Stop(), removeDir(f.caDir)) }
