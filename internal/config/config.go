package config

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
)

// Keys are the function configuration keys, with their defaults. The deploy files, README.md and
// docs/configuration.md are checked against this list.
var Keys = []struct{ Name, Default, Meaning string }{
	{"ADMIN_GROUPS", "Administrators", "comma list of administrator groups: Name (Default domain) or Domain/Name"},
	{"DRY_RUN", "false", "true: report what would be done, change nothing"},
	{"EXEMPT_USERS", "", "comma list (commas only) of user OCIDs or user names whose keys are kept (break-glass); each must name an administrator of the enforced groups, or the run stops with nothing changed"},
	{"DISABLE_API_KEY_CAPABILITY", "false", "also set canUseApiKeys=false on every non-exempt administrator"},
	{"ADMIN_CREDENTIALS", "api-keys", "comma list of credential kinds deleted from administrators: api-keys, auth-tokens, customer-secret-keys, smtp-credentials, oauth2-client-credentials, db-credentials, or all; must include api-keys"},
	{"DISABLE_CAPABILITIES", "", "comma list of the same kinds (or all) whose canUse… capability is set to false on non-exempt administrators"},
	{"INCLUDE_POLICY_ADMINS", "false", "also enforce groups that a policy grants manage all-resources in tenancy"},
	{"INCLUDE_ESCALATION_ADMINS", "false", "also enforce groups with an unconditional, documented escalation path (who can make themselves an administrator); reported either way"},
	{"NOTIFICATION_TOPIC_ID", "", "ONS topic OCID for a summary when something changed or failed"},
	{"IDENTITY_DOMAIN_URL", "", "Default identity domain URL; discovered with ListDomains when empty, checked against it when set"},
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

// Finding reminder periods (FINDING_REMINDER); see guard.NotifyDecision.
var findingReminders = guard.Reminders()

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

	// IncludeEscalationAdmins: INCLUDE_ESCALATION_ADMINS (guard.Options.IncludeEscalationAdmins).
	IncludeEscalationAdmins bool
}

// Load validates env (the fdk context's Config()). It reads the keys group by group, each
// group in its own method, and collects every problem rather than stopping at the first, so an
// operator fixes the whole configuration in one deploy. The order of the groups is the order
// of the joined error message.
func Load(env map[string]string) (Config, error) {
	l := &loader{env: env, errs: nearMisses(env)}
	c := Config{
		DryRun:              l.boolean("DRY_RUN"),
		DisableCapability:   l.boolean("DISABLE_API_KEY_CAPABILITY"),
		IncludePolicyAdmins: l.boolean("INCLUDE_POLICY_ADMINS"),
	}
	c.IncludeEscalationAdmins = l.boolean("INCLUDE_ESCALATION_ADMINS")
	c.Credentials = l.credentials()
	c.DisableKinds = l.kinds("DISABLE_CAPABILITIES", "")
	if c.DisableCapability && !slices.Contains(c.DisableKinds, guard.KindAPIKeys) {
		c.DisableKinds = append([]guard.Kind{guard.KindAPIKeys}, c.DisableKinds...)
	}
	c.AdminGroups = l.adminGroups()
	c.ExemptUsers = l.exemptUsers()
	c.NotificationTopicID = l.notificationTopic()
	c.IdentityDomainURL = l.endpoint("IDENTITY_DOMAIN_URL")
	c.IdentityEndpoint = l.endpoint("OCI_IDENTITY_ENDPOINT")
	c.NotificationEndpoint = l.endpoint("OCI_NOTIFICATION_ENDPOINT")
	c.Concurrency = l.concurrency()
	c.IdentityAPI = l.identityAPI(c.AdminGroups)
	c.FindingReminder = l.findingReminder()
	c.RateLimit = l.rateLimit()
	return c, errors.Join(l.errs...)
}

// NotificationOnly is the configuration for telling the topic about a run that a bad
// configuration stopped: NOTIFICATION_TOPIC_ID and OCI_NOTIFICATION_ENDPOINT read as Load reads
// them, every other key at its default (its value is not used, and no other key's value goes
// into the message). ok is false when there is no valid topic to tell.
func NotificationOnly(env map[string]string) (c Config, ok bool) {
	only := map[string]string{}
	for _, k := range []string{"NOTIFICATION_TOPIC_ID", "OCI_NOTIFICATION_ENDPOINT"} {
		if v, set := env[k]; set {
			only[k] = v
		}
	}
	c, err := Load(only)
	return c, err == nil && c.NotificationTopicID != ""
}

// loader reads env and collects every problem it finds in errs.
type loader struct {
	env  map[string]string
	errs []error
}

// get returns the trimmed value of k, or def when k is absent or blank: a key left blank is
// treated as unset, so it takes its default rather than an empty value.
func (l *loader) get(k, def string) string {
	if v, ok := l.env[k]; ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

func (l *loader) fail(err error) {
	l.errs = append(l.errs, err)
}

func (l *loader) boolean(k string) bool {
	v := l.get(k, "false")
	b, err := strconv.ParseBool(v)
	if err != nil {
		l.fail(fmt.Errorf("%s=%q: want true or false", k, v))
	}
	return b
}

func (l *loader) kinds(key, def string) []guard.Kind {
	ks, err := guard.ParseKinds(l.get(key, def))
	if err != nil {
		l.fail(fmt.Errorf("%s: %w", key, err))
	}
	return ks
}

// credentials reads ADMIN_CREDENTIALS. API keys are what the CIS benchmark asks for and what
// this function exists for: the other kinds come on top, never instead.
func (l *loader) credentials() []guard.Kind {
	ks := l.kinds("ADMIN_CREDENTIALS", string(guard.KindAPIKeys))
	if len(ks) == 0 || ks[0] != guard.KindAPIKeys {
		l.fail(fmt.Errorf("ADMIN_CREDENTIALS=%q: must include api-keys (other kinds are added to API keys, not instead of them)", l.get("ADMIN_CREDENTIALS", "")))
	}
	return ks
}

// adminGroups reads ADMIN_GROUPS, dropping repeats so a group is resolved once.
func (l *loader) adminGroups() []guard.GroupRef {
	var refs []guard.GroupRef
	seen := map[guard.GroupRef]bool{}
	for _, s := range strings.Split(l.get("ADMIN_GROUPS", "Administrators"), ",") {
		ref, err := guard.ParseGroupRef(s)
		if err != nil {
			l.fail(fmt.Errorf("ADMIN_GROUPS: %w", err))
			continue
		}
		if !seen[ref] {
			seen[ref] = true
			refs = append(refs, ref)
		}
	}
	return refs
}

// exemptUsers reads EXEMPT_USERS: user names, or OCIDs that must be user OCIDs (another OCID
// would exempt nobody, silently). Entries are separated by commas and nothing else: a list
// written with another separator ("admin0001;admin0002") or an entry with a space inside
// ("admin0001 admin0002") would be read as one name that matches nobody, and the users meant
// would lose their keys. User names and OCIDs have no spaces or semicolons.
func (l *loader) exemptUsers() []string {
	var users []string
	for _, s := range strings.Split(l.get("EXEMPT_USERS", ""), ",") {
		s = strings.TrimSpace(s)
		switch {
		case s == "":
		case strings.ContainsAny(s, ";|"):
			l.fail(fmt.Errorf("EXEMPT_USERS: entry %q contains %q; separate entries with commas only", s, s[strings.IndexAny(s, ";|")]))
		case strings.ContainsFunc(s, unicode.IsSpace):
			l.fail(fmt.Errorf("EXEMPT_USERS: entry %q has a space inside; separate entries with commas only (user names and OCIDs have no spaces)", s))
		case strings.HasPrefix(s, "ocid1.") && !strings.HasPrefix(s, "ocid1.user."):
			l.fail(fmt.Errorf("EXEMPT_USERS: %q is an OCID but not a user OCID", s))
		default:
			users = append(users, s)
		}
	}
	return users
}

func (l *loader) notificationTopic() string {
	t := l.get("NOTIFICATION_TOPIC_ID", "")
	if t != "" && !strings.HasPrefix(t, "ocid1.onstopic.") {
		l.fail(fmt.Errorf("NOTIFICATION_TOPIC_ID=%q: want an ONS topic OCID (ocid1.onstopic...)", t))
	}
	return t
}

func (l *loader) endpoint(key string) string {
	u, err := endpoint(key, l.get(key, ""))
	if err != nil {
		l.fail(err)
	}
	return u
}

func (l *loader) concurrency() int {
	n, err := strconv.Atoi(l.get("DELETE_CONCURRENCY", "8"))
	if err != nil || n < 1 || n > 32 {
		l.fail(fmt.Errorf("DELETE_CONCURRENCY=%q: want a whole number from 1 to 32", l.get("DELETE_CONCURRENCY", "8")))
	}
	return n
}

// identityAPI reads IDENTITY_API and checks that the chosen family can reach every group.
func (l *loader) identityAPI(groups []guard.GroupRef) string {
	switch api := strings.ToLower(l.get("IDENTITY_API", IdentityAPIAuto)); api {
	case IdentityAPIAuto, IdentityAPISCIM:
		return api
	case IdentityAPIIAM:
		// The IAM API reaches the Default domain only. The adapter looks a domain up by display
		// name case-insensitively, and the Default domain's display name is "Default".
		for _, g := range groups {
			if g.Domain != "" && !strings.EqualFold(g.Domain, "Default") {
				l.fail(fmt.Errorf("ADMIN_GROUPS: %s/%s is in a secondary identity domain, which IDENTITY_API=iam cannot reach; use IDENTITY_API=auto or scim, or remove it", g.Domain, g.Name))
			}
		}
		return api
	default:
		l.fail(fmt.Errorf("IDENTITY_API=%q: want auto, iam or scim", l.get("IDENTITY_API", "")))
		return ""
	}
}

func (l *loader) findingReminder() string {
	r := strings.ToLower(l.get("FINDING_REMINDER", "weekly"))
	if !slices.Contains(findingReminders, r) {
		l.fail(fmt.Errorf("FINDING_REMINDER=%q: want %s", l.get("FINDING_REMINDER", ""), strings.Join(findingReminders, ", ")))
	}
	return r
}

// rateLimit reads IDENTITY_RATE_LIMIT. OCI docs, "API Rate Limits" (Identity Domains): the
// Others group allows 150/min on a Free domain and at most 5000/min (Premium), 95/s at most
// per second; 100/s is above every type. 0 turns pacing off (an emulator, or a limit Oracle
// raised): then only 429s slow a run.
func (l *loader) rateLimit() float64 {
	r, err := strconv.ParseFloat(l.get("IDENTITY_RATE_LIMIT", "2.5"), 64)
	if err != nil || !(r >= 0 && r <= 100) {
		l.fail(fmt.Errorf("IDENTITY_RATE_LIMIT=%q: want requests per second from 0 (no pacing) to 100; 2.5 = 150/min, the Free domain type", l.get("IDENTITY_RATE_LIMIT", "2.5")))
	}
	return r
}

// endpoint accepts an https URL, or http on a loopback host (the emulator), and returns it in
// the form the SDK wants as client Host: scheme://host[:port], no path, no trailing slash. Its
// errors quote the value as shown gives it, never with its credentials or query.
func endpoint(key, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("%s=%q: want a URL such as https://idcs-1234.identity.oraclecloud.com", key, shown(v))
	}
	if u.User != nil { // the value holds credentials: not repeated in the report or a notification
		return "", fmt.Errorf("%s=%q: want scheme and host only; the URL holds credentials (user:password@), which are never sent this way", key, shown(v))
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return "", fmt.Errorf("%s=%q: plain http is only allowed for a loopback emulator; use https", key, shown(v))
	}
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%s=%q: want scheme and host only, no path, query or credentials", key, shown(v))
	}
	return u.Scheme + "://" + u.Host, nil
}

// shown is a URL from the configuration as an error may quote it: the credentials of its
// userinfo (user:password@, RFC 3986 section 3.2.1) and its query and fragment (where a signed
// URL keeps its token) replaced, the rest kept so that the operator recognises the value. It
// works on text url.Parse refuses too: that is the value an operator most needs to see.
func shown(v string) string {
	if i := strings.IndexAny(v, "?#"); i >= 0 {
		v = v[:i] + v[i:i+1] + redactedMark
	}
	start := 0
	if i := strings.Index(v, "://"); i >= 0 {
		start = i + len("://")
	}
	authority := v[start:]
	if i := strings.IndexAny(authority, "/?#"); i >= 0 {
		authority = authority[:i]
	}
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		v = v[:start] + redactedMark + v[start+at:]
	}
	return v
}

// redactedMark stands for what an error does not repeat (handler's Redactor uses the same).
const redactedMark = "[REDACTED]"

func loopback(host string) bool {
	return host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.")
}
