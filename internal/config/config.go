// Package config turns the function's configuration (Fn passes it as environment variables)
// into a validated Config. Every problem is reported at once, and an invalid configuration
// stops the run before anything is changed.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
)

// Keys are the function configuration keys, with their defaults. The deploy files and README
// are checked against this list.
var Keys = []struct{ Name, Default, Meaning string }{
	{"ADMIN_GROUPS", "Administrators", "comma list of administrator groups: Name (Default domain) or Domain/Name"},
	{"DRY_RUN", "false", "true: report what would be done, change nothing"},
	{"EXEMPT_USERS", "", "comma list of user OCIDs or user names whose keys are kept (break-glass)"},
	{"DISABLE_API_KEY_CAPABILITY", "false", "also set canUseApiKeys=false on every non-exempt administrator"},
	{"ADMIN_CREDENTIALS", "api-keys", "comma list of credential kinds deleted from administrators: api-keys, auth-tokens, customer-secret-keys, smtp-credentials, oauth2-client-credentials, db-credentials, or all; must include api-keys"},
	{"DISABLE_CAPABILITIES", "", "comma list of the same kinds (or all) whose canUse… capability is set to false on non-exempt administrators"},
	{"INCLUDE_POLICY_ADMINS", "false", "also enforce groups that a policy grants manage all-resources in tenancy"},
	{"NOTIFICATION_TOPIC_ID", "", "ONS topic OCID for a summary when something changed or failed"},
	{"IDENTITY_DOMAIN_URL", "", "Default identity domain URL; discovered with ListDomains when empty"},
	{"DELETE_CONCURRENCY", "8", "parallel writes to the Identity API (1-32)"},
	{"IDENTITY_API", "auto", "auto: Default-domain groups through the IAM API, secondary domains through SCIM (needs a domain role); scim: everything through SCIM (needs the domain role); iam: Default domain only"},
	{"FINDING_REMINDER", "weekly", "how often a run whose only news is an unchanged finding notifies: weekly, daily or always"},
	{"IDENTITY_RATE_LIMIT", "2.5", "requests per second per identity domain (and to IAM), 0-100; 2.5 = 150/min, the Free domain type's limit; 0 = no pacing"},
}

// Identity API families (IDENTITY_API): the values internal/permissions grants for.
const (
	IdentityAPIAuto = permissions.APIAuto
	IdentityAPIIAM  = permissions.APIIAM
	IdentityAPISCIM = permissions.APISCIM
)

// Finding reminder periods (FINDING_REMINDER); see report.Decide.
var findingReminders = []string{"weekly", "daily", "always"}

// Config is the validated configuration.
type Config struct {
	AdminGroups          []guard.GroupRef
	DryRun               bool
	ExemptUsers          []string
	DisableCapability    bool
	Credentials          []guard.Kind // ADMIN_CREDENTIALS, api-keys always among them
	DisableKinds         []guard.Kind // DISABLE_CAPABILITIES, plus api-keys for DISABLE_API_KEY_CAPABILITY
	IncludePolicyAdmins  bool
	NotificationTopicID  string
	IdentityDomainURL    string
	IdentityEndpoint     string // OCI_IDENTITY_ENDPOINT override (private endpoint, emulator)
	NotificationEndpoint string // OCI_NOTIFICATION_ENDPOINT override
	Concurrency          int
	IdentityAPI          string  // IdentityAPIAuto, IdentityAPIIAM or IdentityAPISCIM
	FindingReminder      string  // weekly, daily or always
	RateLimit            float64 // IDENTITY_RATE_LIMIT, requests per second per host
}

// Load validates env (the fdk context's Config()).
func Load(env map[string]string) (Config, error) {
	errs := nearMisses(env)
	get := func(k, def string) string {
		if v, ok := env[k]; ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
		return def
	}
	boolean := func(k string) bool {
		v := get(k, "false")
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: want true or false", k, v))
		}
		return b
	}
	c := Config{
		DryRun:              boolean("DRY_RUN"),
		DisableCapability:   boolean("DISABLE_API_KEY_CAPABILITY"),
		IncludePolicyAdmins: boolean("INCLUDE_POLICY_ADMINS"),
	}
	kinds := func(key, def string) []guard.Kind {
		ks, err := guard.ParseKinds(get(key, def))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", key, err))
		}
		return ks
	}
	c.Credentials = kinds("ADMIN_CREDENTIALS", string(guard.KindAPIKeys))
	if len(c.Credentials) == 0 || c.Credentials[0] != guard.KindAPIKeys {
		// API keys are what the CIS benchmark asks for and what this function exists for: the
		// other kinds come on top, never instead.
		errs = append(errs, fmt.Errorf("ADMIN_CREDENTIALS=%q: must include api-keys (other kinds are added to API keys, not instead of them)", get("ADMIN_CREDENTIALS", "")))
	}
	c.DisableKinds = kinds("DISABLE_CAPABILITIES", "")
	if c.DisableCapability && !slices.Contains(c.DisableKinds, guard.KindAPIKeys) {
		c.DisableKinds = append([]guard.Kind{guard.KindAPIKeys}, c.DisableKinds...)
	}
	seen := map[guard.GroupRef]bool{}
	for _, s := range strings.Split(get("ADMIN_GROUPS", "Administrators"), ",") {
		ref, err := guard.ParseGroupRef(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("ADMIN_GROUPS: %w", err))
			continue
		}
		if !seen[ref] {
			seen[ref] = true
			c.AdminGroups = append(c.AdminGroups, ref)
		}
	}
	for _, s := range strings.Split(get("EXEMPT_USERS", ""), ",") {
		s = strings.TrimSpace(s)
		switch {
		case s == "":
		case strings.HasPrefix(s, "ocid1.") && !strings.HasPrefix(s, "ocid1.user."):
			errs = append(errs, fmt.Errorf("EXEMPT_USERS: %q is an OCID but not a user OCID", s))
		default:
			c.ExemptUsers = append(c.ExemptUsers, s)
		}
	}
	if t := get("NOTIFICATION_TOPIC_ID", ""); t != "" {
		if !strings.HasPrefix(t, "ocid1.onstopic.") {
			errs = append(errs, fmt.Errorf("NOTIFICATION_TOPIC_ID=%q: want an ONS topic OCID (ocid1.onstopic...)", t))
		}
		c.NotificationTopicID = t
	}
	var err error
	if c.IdentityDomainURL, err = endpoint("IDENTITY_DOMAIN_URL", get("IDENTITY_DOMAIN_URL", "")); err != nil {
		errs = append(errs, err)
	}
	if c.IdentityEndpoint, err = endpoint("OCI_IDENTITY_ENDPOINT", get("OCI_IDENTITY_ENDPOINT", "")); err != nil {
		errs = append(errs, err)
	}
	if c.NotificationEndpoint, err = endpoint("OCI_NOTIFICATION_ENDPOINT", get("OCI_NOTIFICATION_ENDPOINT", "")); err != nil {
		errs = append(errs, err)
	}
	n, err := strconv.Atoi(get("DELETE_CONCURRENCY", "8"))
	if err != nil || n < 1 || n > 32 {
		errs = append(errs, fmt.Errorf("DELETE_CONCURRENCY=%q: want a whole number from 1 to 32", get("DELETE_CONCURRENCY", "8")))
	}
	c.Concurrency = n
	switch api := strings.ToLower(get("IDENTITY_API", IdentityAPIAuto)); api {
	case IdentityAPIAuto, IdentityAPISCIM:
		c.IdentityAPI = api
	case IdentityAPIIAM:
		c.IdentityAPI = api
		// The IAM API reaches the Default domain only. The adapter looks a domain up by display
		// name case-insensitively, and the Default domain's display name is "Default".
		for _, g := range c.AdminGroups {
			if g.Domain != "" && !strings.EqualFold(g.Domain, "Default") {
				errs = append(errs, fmt.Errorf("ADMIN_GROUPS: %s/%s is in a secondary identity domain, which IDENTITY_API=iam cannot reach; use IDENTITY_API=auto or scim, or remove it", g.Domain, g.Name))
			}
		}
	default:
		errs = append(errs, fmt.Errorf("IDENTITY_API=%q: want auto, iam or scim", get("IDENTITY_API", "")))
	}
	c.FindingReminder = strings.ToLower(get("FINDING_REMINDER", "weekly"))
	if !slices.Contains(findingReminders, c.FindingReminder) {
		errs = append(errs, fmt.Errorf("FINDING_REMINDER=%q: want %s", get("FINDING_REMINDER", ""), strings.Join(findingReminders, ", ")))
	}
	// OCI docs, "API Rate Limits" (Identity Domains): the Others group allows 150/min on a Free
	// domain and at most 5000/min (Premium), 95/s at most per second; 100/s is above every type.
	// 0 turns pacing off (an emulator, or a limit Oracle raised): then only 429s slow a run.
	r, err := strconv.ParseFloat(get("IDENTITY_RATE_LIMIT", "2.5"), 64)
	if err != nil || !(r >= 0 && r <= 100) {
		errs = append(errs, fmt.Errorf("IDENTITY_RATE_LIMIT=%q: want requests per second from 0 (no pacing) to 100; 2.5 = 150/min, the Free domain type", get("IDENTITY_RATE_LIMIT", "2.5")))
	}
	c.RateLimit = r
	return c, errors.Join(errs...)
}

// endpoint accepts an https URL, or http on a loopback host (the emulator), and returns it in
// the form the SDK wants as client Host: scheme://host[:port], no path, no trailing slash.
func endpoint(key, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("%s=%q: want a URL such as https://idcs-1234.identity.oraclecloud.com", key, v)
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return "", fmt.Errorf("%s=%q: plain http is only allowed for a loopback emulator; use https", key, v)
	}
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("%s=%q: want scheme and host only, no path, query or credentials", key, v)
	}
	return u.Scheme + "://" + u.Host, nil
}

func loopback(host string) bool {
	return host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.")
}
