package main

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/common/auth"

	"github.com/apikeyguard/admin-apikey-guard/internal/handler"
)

// Authentication methods, named as the OCI CLI names them (--auth, or OCI_CLI_AUTH; oracle/oci-cli,
// src/oci_cli/cli_util.py, create_config_and_signer_based_on_click_context and
// get_instance_principal_signer), so that a Cloud Shell or a laptop set up for the CLI works as is.
const (
	authAPIKey            = "api_key"            // a user's API key from a config file profile
	authSecurityToken     = "security_token"     // a session token from `oci session authenticate`
	authInstancePrincipal = "instance_principal" // the instance this runs on
	authDelegationToken   = "instance_obo_user"  // Cloud Shell: instance principal acting for the signed-in user
)

var authMethods = []string{authAPIKey, authSecurityToken, authInstancePrincipal, authDelegationToken}

// authSettings say how to sign: the method and where its material is.
type authSettings struct {
	method          string
	configFile      string // OCI config file (~/.oci/config)
	profile         string // its profile
	region          string // overrides the profile's region (and the instance's)
	delegationToken string // file holding Cloud Shell's delegation token
}

// defaultAuth reads the defaults the OCI CLI reads, from getenv: OCI_CLI_AUTH (Cloud Shell sets
// instance_obo_user), OCI_CLI_CONFIG_FILE or the SDK's OCI_CONFIG_FILE (common/client.go,
// configFilePathEnvVarName), OCI_CLI_PROFILE, OCI_CLI_REGION, and OCI_DELEGATION_TOKEN_FILE (the
// delegation token Cloud Shell keeps for the signed-in user).
func defaultAuth(getenv func(string) string) authSettings {
	a := authSettings{method: authAPIKey, configFile: "~/.oci/config", profile: "DEFAULT",
		region: getenv("OCI_CLI_REGION"), delegationToken: getenv("OCI_DELEGATION_TOKEN_FILE")}
	if m := getenv("OCI_CLI_AUTH"); m != "" {
		a.method = m
	}
	for _, k := range []string{"OCI_CONFIG_FILE", "OCI_CLI_CONFIG_FILE"} {
		if f := getenv(k); f != "" {
			a.configFile = f
		}
	}
	if p := getenv("OCI_CLI_PROFILE"); p != "" {
		a.profile = p
	}
	return a
}

// provider is the SDK configuration provider for a, and the secrets it holds (for the redactor).
func (a authSettings) provider() (common.ConfigurationProvider, []string, error) {
	switch a.method {
	case authAPIKey:
		return a.apiKey()
	case authSecurityToken:
		p, err := common.ConfigurationProviderForSessionTokenWithProfile(expand(a.configFile), a.profile, "")
		if err != nil {
			return nil, nil, fmt.Errorf("session token profile %q in %s: %w", a.profile, a.configFile, err)
		}
		return a.withRegion(p), secretsOf(p), nil
	case authInstancePrincipal:
		p, err := a.instancePrincipal()
		return p, nil, err
	case authDelegationToken:
		return a.delegation()
	}
	return nil, nil, fmt.Errorf("--auth %q: want one of %s", a.method, strings.Join(authMethods, ", "))
}

func (a authSettings) apiKey() (common.ConfigurationProvider, []string, error) {
	p, err := common.ConfigurationProviderFromFileWithProfile(expand(a.configFile), a.profile, "")
	if err != nil {
		return nil, nil, fmt.Errorf("config file %s: %w", a.configFile, err)
	}
	// Read everything now, so that a missing field or an unreadable key is one clear error
	// before any request (the SDK would otherwise fail on the first call).
	if _, err := p.KeyID(); err != nil {
		return nil, nil, fmt.Errorf("profile %q in %s: %w", a.profile, a.configFile, err)
	}
	return a.withRegion(p), secretsOf(p), nil
}

func (a authSettings) instancePrincipal() (common.ConfigurationProvider, error) {
	var p common.ConfigurationProvider
	var err error
	if a.region != "" {
		p, err = auth.InstancePrincipalConfigurationProviderForRegion(common.StringToRegion(a.region))
	} else {
		p, err = auth.InstancePrincipalConfigurationProvider()
	}
	if err != nil {
		return nil, fmt.Errorf("instance principal (only on an OCI compute instance in a dynamic group): %w", err)
	}
	return p, nil
}

// delegation is Cloud Shell's way (auth.InstancePrincipalDelegationTokenConfigurationProvider,
// common/auth/instance_principal_delegation_token_provider.go): Cloud Shell's instance principal
// signs, and the delegation token in the opc-obo-token header (common/client.go, signOboToken)
// makes the request the signed-in user's. The token is in OCI_DELEGATION_TOKEN_FILE (or
// --delegation-token-file); the region is --region, else the profile's (Cloud Shell's config
// file has one), else the instance's.
func (a authSettings) delegation() (common.ConfigurationProvider, []string, error) {
	if a.delegationToken == "" {
		return nil, nil, errors.New("--auth instance_obo_user needs the delegation token: OCI_DELEGATION_TOKEN_FILE (set in Cloud Shell) or --delegation-token-file")
	}
	b, err := os.ReadFile(expand(a.delegationToken))
	if err != nil {
		return nil, nil, fmt.Errorf("delegation token: %w", err)
	}
	token := strings.TrimSpace(string(b))
	region := a.region
	if region == "" {
		if p, err := common.ConfigurationProviderFromFileWithProfile(expand(a.configFile), a.profile, ""); err == nil {
			region, _ = p.Region()
		}
	}
	var p common.ConfigurationProvider
	if region != "" {
		p, err = auth.InstancePrincipalDelegationTokenConfigurationProviderForRegion(&token, common.StringToRegion(region))
	} else {
		p, err = auth.InstancePrincipalDelegationTokenConfigurationProvider(&token)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("delegation token (Cloud Shell): %w", err)
	}
	return p, handler.SecretParts(token), nil
}

// withRegion makes --region win over the profile's region.
func (a authSettings) withRegion(p common.ConfigurationProvider) common.ConfigurationProvider {
	if a.region == "" {
		return p
	}
	return regionOverride{ConfigurationProvider: p, region: a.region}
}

type regionOverride struct {
	common.ConfigurationProvider
	region string
}

func (r regionOverride) Region() (string, error) { return r.region, nil }

// secretsOf is what a provider signs with that must never be printed: its private key, in the
// two PEM encodings a key file may use.
func secretsOf(p common.ConfigurationProvider) []string {
	key, err := p.PrivateRSAKey()
	if err != nil {
		return nil
	}
	var out []string
	if der, err := x509.MarshalPKCS8PrivateKey(key); err == nil {
		out = append(out, handler.SecretParts(string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})))...)
	}
	return append(out, handler.SecretParts(string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})))...)
}

// expand resolves a leading ~ as the OCI CLI and SDK do.
func expand(path string) string {
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return path
}
