// Command ociemu runs the local OCI emulator so a person can point the function (or the
// OCI CLI's raw requests) at it. It prints the endpoints, writes a resource principal to
// -principal-dir and serves until interrupted.
//
//	go run ./cmd/ociemu -users 300 -admins 3 -seed 1 [-fixture f.json] [-latency 20ms] [-throttle free]
//	    [-listing-lag 5s -deleting-for 30s -conflict-while-deleting]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "ociemu:", err)
		os.Exit(1)
	}
}

type config struct {
	spec         ociemu.GenSpec
	fixture      string
	dump         string
	latency      time.Duration
	principalDir string
	ttl          time.Duration
	verbose      bool
	throttle     string
	consistency  ociemu.Consistency
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("ociemu", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Int64Var(&c.spec.Seed, "seed", 1, "generator seed")
	fs.IntVar(&c.spec.Users, "users", 300, "non-admin users in the Default domain")
	fs.IntVar(&c.spec.Admins, "admins", 3, "members of the Default domain's Administrators group")
	fs.IntVar(&c.spec.KeysPerAdmin, "keys-per-admin", 2, "API keys per admin")
	fs.Float64Var(&c.spec.OtherKeyFraction, "other-key-fraction", 0.1, "fraction of non-admins holding a key")
	fs.BoolVar(&c.spec.AdminsLast, "admins-last", false, "put admins on the last page of the user list")
	fs.BoolVar(&c.spec.Decoys, "decoys", true, "add decoy groups, domains and users")
	fs.StringVar(&c.fixture, "fixture", "", "load the tenancy from this JSON file instead of generating it")
	fs.StringVar(&c.dump, "dump", "", "write the tenancy JSON to this file (a starting point for a fixture)")
	fs.DurationVar(&c.latency, "latency", 0, "latency added to every request")
	fs.StringVar(&c.principalDir, "principal-dir", filepath.Join(os.TempDir(), "ociemu-principal"), "where to write rpst and private.pem")
	fs.DurationVar(&c.ttl, "ttl", 24*time.Hour, "lifetime of the minted resource principal token")
	fs.BoolVar(&c.verbose, "v", false, "log every request (never headers or bodies)")
	fs.StringVar(&c.throttle, "throttle", "none", "rate limits of an identity domain type: none, free, oracle-apps, oracle-apps-premium, premium, external-user")
	fs.DurationVar(&c.consistency.ListingLag, "listing-lag", 0, "API key listings show deletes this late (docs/emulator.md, Options.Consistency)")
	fs.DurationVar(&c.consistency.DeletingFor, "deleting-for", 0, "a deleted API key is listed DELETING (SCIM deleteInProgress) this long")
	fs.BoolVar(&c.consistency.ConflictWhileDeleting, "conflict-while-deleting", false, "answer 409 IncorrectState to a DELETE of a key being deleted")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if _, err := ociemu.ThrottlePreset(c.throttle); err != nil {
		return c, err
	}
	return c, nil
}

func run(args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ten, err := loadTenancy(c)
	if err != nil {
		return err
	}
	if c.dump != "" {
		b, err := json.MarshalIndent(ten, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(c.dump, b, 0o600); err != nil {
			return err
		}
	}
	level := slog.LevelInfo
	if c.verbose {
		level = slog.LevelDebug
	}
	th, _ := ociemu.ThrottlePreset(c.throttle) // checked by parseFlags
	srv, err := ociemu.New(ten, ociemu.Options{Latency: c.latency, Throttle: th, Consistency: c.consistency, Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))})
	if err != nil {
		return err
	}
	defer srv.Close()
	p, err := srv.MintPrincipal(c.ttl)
	if err != nil {
		return err
	}
	rpstPath, keyPath, err := writePrincipal(c.principalDir, p)
	if err != nil {
		return err
	}
	printSummary(stdout, srv, ten, rpstPath, keyPath)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	fmt.Fprintln(stdout, "ociemu: stopping")
	return nil
}

func loadTenancy(c config) (*ociemu.Tenancy, error) {
	if c.fixture == "" {
		return ociemu.Generate(c.spec), nil
	}
	f, err := os.Open(c.fixture)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := ociemu.LoadFixture(f)
	if err == nil && len(t.FunctionDynamicGroups) == 0 {
		// A fixture that says nothing about the function's grants gets all of them, so that a
		// hand-written tenancy works at once; one that lists functionDynamicGroups is taken
		// as written (a missing grant is then refused like OCI refuses it).
		fmt.Fprintln(os.Stderr, "ociemu: the fixture has no functionDynamicGroups; granting the function every permission it may need (ociemu.GrantFunction)")
		ociemu.GrantFunction(t)
	}
	return t, err
}

// writePrincipal writes the token without a trailing newline: the SDK reads the file
// verbatim and a newline would corrupt every request's keyId.
func writePrincipal(dir string, p ociemu.Principal) (rpstPath, keyPath string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", err
	}
	rpstPath, keyPath = filepath.Join(abs, "rpst"), filepath.Join(abs, "private.pem")
	if err := os.WriteFile(rpstPath, []byte(p.RPST), 0o600); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(keyPath, p.PrivateKeyPEM, 0o600); err != nil {
		return "", "", err
	}
	// WriteFile keeps the mode of an existing file; make sure old files are private too.
	for _, f := range []string{rpstPath, keyPath} {
		if err := os.Chmod(f, 0o600); err != nil {
			return "", "", err
		}
	}
	return rpstPath, keyPath, nil
}

func printSummary(w io.Writer, srv *ociemu.Server, ten *ociemu.Tenancy, rpstPath, keyPath string) {
	fmt.Fprintf(w, "tenancy          %s (%s)\n", ten.ID, ten.Region)
	fmt.Fprintf(w, "identity (IAM)   %s\n", srv.IdentityURL())
	fmt.Fprintf(w, "notifications    %s\n", srv.NotificationURL())
	for _, d := range ten.Domains {
		fmt.Fprintf(w, "domain %-9s %s  %s (%d users)\n", d.Type, srv.DomainURL(d.ID), d.DisplayName, len(d.Users))
	}
	for _, t := range ten.Topics {
		fmt.Fprintf(w, "topic            %s (%s)\n", t.ID, t.Name)
	}
	fmt.Fprintf(w, "\nexport OCI_RESOURCE_PRINCIPAL_VERSION=2.2\n")
	fmt.Fprintf(w, "export OCI_RESOURCE_PRINCIPAL_RPST=%s\n", rpstPath)
	fmt.Fprintf(w, "export OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM=%s\n", keyPath)
	fmt.Fprintf(w, "export OCI_RESOURCE_PRINCIPAL_REGION=%s\n", ten.Region)
	fmt.Fprintf(w, "export OCI_IDENTITY_ENDPOINT=%s\n", srv.IdentityURL())
	fmt.Fprintf(w, "export OCI_NOTIFICATION_ENDPOINT=%s\n", srv.NotificationURL())
	if len(ten.Topics) > 0 {
		fmt.Fprintf(w, "export NOTIFICATION_TOPIC_ID=%s\n", ten.Topics[0].ID)
	}
	fmt.Fprintf(w, "\nserving; press Ctrl-C to stop\n")
}
