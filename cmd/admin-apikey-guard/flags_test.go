package main

import (
	"io"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/config"
	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
)

// TestEveryConfigurationKeyIsAFlag: the command takes every key of the function's
// configuration as a flag, except DRY_RUN (the command decides the mode), and a flag wins over
// the environment.
func TestEveryConfigurationKeyIsAFlag(t *testing.T) {
	var args []string
	for _, k := range config.Keys {
		if k.Name != "DRY_RUN" {
			args = append(args, "--"+keyFlag(k.Name), "from-flag-"+k.Name)
		}
	}
	o, err := parseFlags(args, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	env, err := o.configEnv([]string{"EXEMPT_USERS=from-env", "HOME=/home/x"})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range config.Keys {
		if k.Name != "DRY_RUN" && env[k.Name] != "from-flag-"+k.Name {
			t.Errorf("%s = %q, want the flag's value", k.Name, env[k.Name])
		}
	}
	if env["HOME"] != "/home/x" {
		t.Error("the environment is not passed on (config.Load needs it for near-miss names)")
	}
	if _, err := parseFlags([]string{"--dry-run", "true"}, func(string) string { return "" }, io.Discard); err == nil {
		t.Error("--dry-run is accepted: the mode is --enforce's alone")
	}
}

// TestAuthDefaultsAreTheCLIs: an environment set up for the OCI CLI (Cloud Shell sets
// OCI_CLI_AUTH=instance_obo_user and the delegation token file) selects the same signer.
func TestAuthDefaultsAreTheCLIs(t *testing.T) {
	env := map[string]string{"OCI_CLI_AUTH": "instance_obo_user", "OCI_CONFIG_FILE": "/etc/oci/config",
		"OCI_CLI_PROFILE": "P", "OCI_DELEGATION_TOKEN_FILE": "/etc/oci/delegation_token", "OCI_CLI_REGION": "eu-frankfurt-1"}
	a := defaultAuth(func(k string) string { return env[k] })
	want := authSettings{method: authDelegationToken, configFile: "/etc/oci/config", profile: "P",
		region: "eu-frankfurt-1", delegationToken: "/etc/oci/delegation_token"}
	if a != want {
		t.Errorf("%+v, want %+v", a, want)
	}
	if a := defaultAuth(func(string) string { return "" }); a.method != authAPIKey || a.configFile != "~/.oci/config" || a.profile != "DEFAULT" {
		t.Errorf("laptop defaults %+v", a)
	}
	if _, _, err := (authSettings{method: "password"}).provider(); err == nil {
		t.Error("an unknown --auth is accepted")
	}
	if _, _, err := (authSettings{method: authDelegationToken}).provider(); err == nil {
		t.Error("instance_obo_user without a delegation token file is accepted")
	}
}

func TestPhrase(t *testing.T) {
	if got := phrase(guard.Counts{WouldDelete: 8}); got != "delete 8 keys" {
		t.Error(got)
	}
	if got := phrase(guard.Counts{WouldDelete: 3, WouldDisable: 2}); got != "delete 3 keys and disable 2" {
		t.Error(got)
	}
}
