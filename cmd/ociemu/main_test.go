package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/common/auth"
	"github.com/oracle/oci-go-sdk/v65/identity"
)

// TestPrincipalFilesWorkWithSDK proves the files written for a person are usable as-is
// by the SDK's file-based resource principal (absolute paths in the env variables).
func TestPrincipalFilesWorkWithSDK(t *testing.T) {
	ten := ociemu.Generate(ociemu.GenSpec{Seed: 1, Users: 3, Admins: 1})
	srv := emutest.New(t, ten, ociemu.Options{})
	p, err := srv.MintPrincipal(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "principal")
	rpst, key, err := writePrincipal(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{rpst, key} {
		st, err := os.Stat(f)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: mode %v, %v", f, st.Mode(), err)
		}
	}
	if b, _ := os.ReadFile(rpst); bytes.HasSuffix(b, []byte("\n")) {
		t.Fatal("rpst file ends with a newline")
	}
	t.Setenv("OCI_RESOURCE_PRINCIPAL_VERSION", "2.2")
	t.Setenv("OCI_RESOURCE_PRINCIPAL_RPST", rpst)
	t.Setenv("OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM", key)
	t.Setenv("OCI_RESOURCE_PRINCIPAL_REGION", ten.Region)
	cp, err := auth.ResourcePrincipalConfigurationProvider()
	if err != nil {
		t.Fatal(err)
	}
	c, err := identity.NewIdentityClientWithConfigurationProvider(cp)
	if err != nil {
		t.Fatal(err)
	}
	c.Host = srv.IdentityURL()
	resp, err := c.ListUsers(context.Background(), identity.ListUsersRequest{CompartmentId: common.String(ten.ID)})
	if err != nil || len(resp.Items) != 4 {
		t.Fatalf("ListUsers with file-based principal: %d users, %v", len(resp.Items), err)
	}
}

func TestFlags(t *testing.T) {
	c, err := parseFlags([]string{"-users", "7", "-admins", "2", "-seed", "9", "-latency", "20ms"}, &bytes.Buffer{})
	if err != nil || c.spec.Users != 7 || c.spec.Admins != 2 || c.spec.Seed != 9 || c.latency != 20*time.Millisecond {
		t.Fatalf("parseFlags = %+v, %v", c, err)
	}
	var stderr bytes.Buffer
	if _, err := parseFlags([]string{"-users", "x"}, &stderr); err == nil || !strings.Contains(stderr.String(), "users") {
		t.Fatalf("bad flag accepted: %v", err)
	}
	if _, err := parseFlags([]string{"extra"}, &stderr); err == nil {
		t.Fatal("positional argument accepted")
	}
}

func TestThrottleFlag(t *testing.T) {
	c, err := parseFlags([]string{"-throttle", "free"}, &bytes.Buffer{})
	if err != nil || c.throttle != "free" {
		t.Fatalf("parseFlags = %+v, %v", c, err)
	}
	if c, err := parseFlags(nil, &bytes.Buffer{}); err != nil || c.throttle != "none" {
		t.Fatalf("default throttle = %q, %v", c.throttle, err)
	}
	if _, err := parseFlags([]string{"-throttle", "gold"}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "oracle-apps") {
		t.Fatalf("unknown preset: %v", err)
	}
}
