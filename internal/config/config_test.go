package config

import (
	"slices"
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
)

func TestDefaults(t *testing.T) {
	c, err := Load(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.AdminGroups) != 1 || c.AdminGroups[0] != (guard.GroupRef{Name: "Administrators"}) {
		t.Errorf("groups %v", c.AdminGroups)
	}
	if c.DryRun || c.DisableCapability || c.IncludePolicyAdmins || c.Concurrency != 8 {
		t.Errorf("defaults %+v", c)
	}
}

func TestFullConfig(t *testing.T) {
	c, err := Load(map[string]string{
		"ADMIN_GROUPS":               " Administrators, Engineering/Administrators ,Administrators",
		"DRY_RUN":                    "TRUE",
		"EXEMPT_USERS":               "breakglass, ocid1.user.oc1..abc",
		"DISABLE_API_KEY_CAPABILITY": "true",
		"INCLUDE_POLICY_ADMINS":      "false",
		"NOTIFICATION_TOPIC_ID":      "ocid1.onstopic.oc1.iad.xyz",
		"IDENTITY_DOMAIN_URL":        "https://idcs-123.identity.oraclecloud.com:443/",
		"OCI_IDENTITY_ENDPOINT":      "http://127.0.0.1:4567",
		"DELETE_CONCURRENCY":         "4",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []guard.GroupRef{{Name: "Administrators"}, {Domain: "Engineering", Name: "Administrators"}}
	if len(c.AdminGroups) != 2 || c.AdminGroups[0] != want[0] || c.AdminGroups[1] != want[1] {
		t.Errorf("groups %v", c.AdminGroups)
	}
	if !c.DryRun || !c.DisableCapability || c.IdentityDomainURL != "https://idcs-123.identity.oraclecloud.com:443" ||
		c.IdentityEndpoint != "http://127.0.0.1:4567" || c.Concurrency != 4 || len(c.ExemptUsers) != 2 {
		t.Errorf("config %+v", c)
	}
}

func TestEveryProblemIsReportedAtOnce(t *testing.T) {
	_, err := Load(map[string]string{
		"ADMIN_GROUPS":          "Administrators,/x",
		"DRY_RUN":               "yes",
		"EXEMPT_USERS":          "ocid1.group.oc1..notauser",
		"NOTIFICATION_TOPIC_ID": "my-topic",
		"IDENTITY_DOMAIN_URL":   "http://idcs.example.com",
		"OCI_IDENTITY_ENDPOINT": "https://identity.example.com/20160918",
		"DELETE_CONCURRENCY":    "0",
	})
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"ADMIN_GROUPS", `DRY_RUN="yes"`, "EXEMPT_USERS", "NOTIFICATION_TOPIC_ID", "plain http", "no path", "DELETE_CONCURRENCY"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s:\n%v", want, err)
		}
	}
}

func TestKeysDocumentEveryKeyLoadReads(t *testing.T) {
	// Load with every documented key set to a bad value must complain about each boolean and
	// numeric key: a key Load reads but Keys does not list would go unnoticed here.
	names := map[string]bool{}
	for _, k := range Keys {
		names[k.Name] = true
	}
	for _, k := range []string{"ADMIN_GROUPS", "DRY_RUN", "EXEMPT_USERS", "DISABLE_API_KEY_CAPABILITY", "INCLUDE_POLICY_ADMINS", "NOTIFICATION_TOPIC_ID", "IDENTITY_DOMAIN_URL", "DELETE_CONCURRENCY", "IDENTITY_API", "FINDING_REMINDER"} {
		if !names[k] {
			t.Errorf("Keys lacks %s", k)
		}
	}
}

func FuzzLoad(f *testing.F) {
	f.Add("Administrators", "false", "", "https://idcs-1.identity.oraclecloud.com")
	f.Add("A/B,C", "true", "ocid1.user.oc1..x,bob", "http://127.0.0.1:1")
	f.Add("/", "maybe", "ocid1.group.x", "://")
	f.Fuzz(func(t *testing.T, groups, dry, exempt, url string) {
		c, err := Load(map[string]string{"ADMIN_GROUPS": groups, "DRY_RUN": dry, "EXEMPT_USERS": exempt, "IDENTITY_DOMAIN_URL": url})
		if err != nil {
			return
		}
		if len(c.AdminGroups) == 0 {
			t.Fatal("accepted a configuration with no administrator group")
		}
		for _, g := range c.AdminGroups {
			if g.Name == "" && g.OCID == "" {
				t.Fatalf("accepted an empty group %+v", g)
			}
		}
	})
}

func TestNearMissesOfKeysAreConfigurationErrors(t *testing.T) {
	for _, name := range []string{
		"DRYRUN", "Dry_Run", "dry_run", "DryRun", "DRY-RUN", "DRY_RUM", "DRY_RUNS", "DYR_RUN",
		"EXEMPT_USER", "exempt_users", "ADMIN_GROUP", "ADMINGROUPS", "INCLUDE_POLICY_ADMIN",
		"DISABLE_APIKEY_CAPABILITY", "NOTIFICATION_TOPIC", "IDENTITY_APIS", "Identity_Api",
		"IDENTITY_DOMAIN_URI", "DELETE_CONCURENCY", "FINDING_REMINDERS", "OCI_IDENTITY_ENDPIONT",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Load(map[string]string{name: "true"})
			if err == nil || !strings.Contains(err.Error(), name+" is not a configuration key") {
				t.Fatalf("%s accepted without a word: %v", name, err)
			}
			if strings.Contains(err.Error(), "true") {
				t.Errorf("the value is shown: %v", err)
			}
		})
	}
}

// Configuration arrives beside the platform's environment (fdk-go passes the whole
// environment as the config): none of these may stop a run.
func TestPlatformAndUnrelatedVariablesAreNotNearMisses(t *testing.T) {
	env := map[string]string{}
	for _, name := range []string{
		"PATH", "HOME", "HOSTNAME", "TMPDIR", "TERM", "LANG", "PWD", "USER", "SHLVL", "TZ", "_",
		"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "GODEBUG", "GOMAXPROCS", "GORACE", "GOCOVERDIR",
		"FN_APP_ID", "FN_FN_ID", "FN_APP_NAME", "FN_FN_NAME", "FN_FORMAT", "FN_LISTENER", "FN_MEMORY",
		"FN_TYPE", "FN_CPUS", "FN_TMPSIZE", "FN_DRY_RUN",
		"OCI_RESOURCE_PRINCIPAL_VERSION", "OCI_RESOURCE_PRINCIPAL_RPST", "OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM",
		"OCI_RESOURCE_PRINCIPAL_REGION", "OCI_REGION_METADATA", "OCI_SDK_DEFAULT_RETRY_ENABLED",
		"OCI_SDK_DEFAULT_CIRCUITBREAKER_ENABLED", "OCI_GO_SDK_DEBUG", "OCI_SDK_APPEND_USER_AGENT", "OCI_DEFAULT_REALM",
		"DRY", "IDENTITY_DOMAIN", "NOTIFY", "ADMIN", "LOG_LEVEL", "DEBUG",
	} {
		env[name] = "x"
	}
	env["DRY_RUN"] = "true"
	c, err := Load(env)
	if err != nil {
		t.Fatal(err)
	}
	if !c.DryRun {
		t.Error("DRY_RUN=true was not read")
	}
}

func TestNearMiss(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		ok         bool
	}{
		{"dry_run", "DRY_RUN", true},
		{"DRYRUN", "DRY_RUN", true},
		{"DRY_RNU", "DRY_RUN", true}, // a transposition is two edits
		{"DRY_RUNNER", "", false},    // three letters more
		{"EXEMPT_USR", "EXEMPT_USERS", true},
		{"EXEMPT", "", false},
		{"TZ", "", false},
		{"RUN", "", false},
	} {
		got, ok := nearMiss(tc.name, []string{"DRY_RUN", "EXEMPT_USERS"})
		if got != tc.want || ok != tc.ok {
			t.Errorf("nearMiss(%q) = %q %v, want %q %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestIdentityAPI(t *testing.T) {
	for _, tc := range []struct {
		api, groups, want, wantErr string
	}{
		{"", "", "auto", ""},
		{"auto", "Administrators,Engineering/Administrators", "auto", ""},
		{"SCIM", "Engineering/Administrators", "scim", ""},
		{"iam", "Administrators,Default/NetworkAdmins,ocid1.group.oc1..x", "iam", ""},
		{"iam", "Administrators,Engineering/Administrators", "", "Engineering/Administrators is in a secondary identity domain"},
		{"both", "", "", `IDENTITY_API="both"`},
	} {
		env := map[string]string{"IDENTITY_API": tc.api, "ADMIN_GROUPS": tc.groups}
		c, err := Load(env)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%v: %v", env, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%v: error %v, want %q", env, err, tc.wantErr)
		case tc.wantErr == "" && c.IdentityAPI != tc.want:
			t.Errorf("%v: IdentityAPI %q, want %q", env, c.IdentityAPI, tc.want)
		}
	}
}

func TestFindingReminder(t *testing.T) {
	for v, want := range map[string]string{"": "weekly", "Daily": "daily", "always": "always", "weekly": "weekly", "hourly": ""} {
		c, err := Load(map[string]string{"FINDING_REMINDER": v})
		if want == "" {
			if err == nil || !strings.Contains(err.Error(), "FINDING_REMINDER") {
				t.Errorf("%q accepted: %v", v, err)
			}
			continue
		}
		if err != nil || c.FindingReminder != want {
			t.Errorf("%q: %q %v, want %q", v, c.FindingReminder, err, want)
		}
	}
}

func TestCredentialKinds(t *testing.T) {
	c, err := Load(map[string]string{})
	if err != nil || !slices.Equal(c.Credentials, []guard.Kind{guard.KindAPIKeys}) || len(c.DisableKinds) != 0 {
		t.Fatalf("defaults: %v %v %v", c.Credentials, c.DisableKinds, err)
	}
	c, err = Load(map[string]string{"ADMIN_CREDENTIALS": "all", "DISABLE_CAPABILITIES": "auth-tokens", "DISABLE_API_KEY_CAPABILITY": "true"})
	if err != nil || !slices.Equal(c.Credentials, guard.Kinds()) || !slices.Equal(c.DisableKinds, []guard.Kind{guard.KindAPIKeys, guard.KindAuthTokens}) {
		t.Fatalf("all: %v %v %v", c.Credentials, c.DisableKinds, err)
	}
	for _, env := range []map[string]string{
		{"ADMIN_CREDENTIALS": "auth-tokens"},     // API keys cannot be left out
		{"ADMIN_CREDENTIALS": "api-keys,tokens"}, // unknown kind
		{"DISABLE_CAPABILITIES": "console"},      // unknown kind
	} {
		if _, err := Load(env); err == nil {
			t.Errorf("%v accepted", env)
		}
	}
}

// EXEMPT_USERS is a comma list and nothing else: another separator, or a space inside an entry,
// would make one entry that names nobody (and the users meant would lose their keys).
func TestExemptUsersAreSeparatedByCommasOnly(t *testing.T) {
	for _, bad := range []string{"admin0001;admin0002", "admin0001 ; admin0002", "admin0001|admin0002", "admin0001 admin0002",
		"admin0001,break glass", "admin0001,\tadmin0002\tx"} {
		_, err := Load(map[string]string{"EXEMPT_USERS": bad})
		if err == nil || !strings.Contains(err.Error(), "EXEMPT_USERS") || !strings.Contains(err.Error(), "commas only") {
			t.Errorf("EXEMPT_USERS=%q: %v", bad, err)
		}
	}
	c, err := Load(map[string]string{"EXEMPT_USERS": " admin0001 ,ocid1.user.oc1..abc,, first.last@example.com "})
	if err != nil || !slices.Equal(c.ExemptUsers, []string{"admin0001", "ocid1.user.oc1..abc", "first.last@example.com"}) {
		t.Errorf("%q, %v", c.ExemptUsers, err)
	}
}

// A URL with credentials is refused without repeating them.
func TestEndpointCredentialsAreNeverRepeated(t *testing.T) {
	_, err := Load(map[string]string{"OCI_IDENTITY_ENDPOINT": "https://user:s3cret-pass@identity.example.com"})
	if err == nil || strings.Contains(err.Error(), "s3cret-pass") {
		t.Errorf("%v", err)
	}
}

// A broken configuration still names a topic to tell when NOTIFICATION_TOPIC_ID (and the
// notification endpoint, if overridden) is valid; every other key takes its default.
func TestNotificationOnly(t *testing.T) {
	topic := "ocid1.onstopic.oc1.iad.xyz"
	for name, tc := range map[string]struct {
		env map[string]string
		ok  bool
	}{
		"typo elsewhere":         {map[string]string{"NOTIFICATION_TOPIC_ID": topic, "DRYRUN": "true", "DELETE_CONCURRENCY": "0"}, true},
		"with endpoint override": {map[string]string{"NOTIFICATION_TOPIC_ID": topic, "OCI_NOTIFICATION_ENDPOINT": "http://127.0.0.1:9"}, true},
		"bad topic":              {map[string]string{"NOTIFICATION_TOPIC_ID": "my-topic", "DRYRUN": "true"}, false},
		"bad endpoint":           {map[string]string{"NOTIFICATION_TOPIC_ID": topic, "OCI_NOTIFICATION_ENDPOINT": "http://ons.example.com"}, false},
		"no topic":               {map[string]string{"DRYRUN": "true"}, false},
	} {
		c, ok := NotificationOnly(tc.env)
		if ok != tc.ok || ok && (c.NotificationTopicID != topic || c.NotificationEndpoint != tc.env["OCI_NOTIFICATION_ENDPOINT"] || c.DryRun) {
			t.Errorf("%s: %+v %v", name, c, ok)
		}
	}
}

// Every endpoint error quotes the value without its credentials or its query, whichever check
// refuses it, and still names the host (issue 24, 2.5).
func TestEndpointErrorsNeverQuoteCredentialsOrQuery(t *testing.T) {
	for _, v := range []string{
		"http://guard:pw-secret-1@identity.example.com",        // plain http, not loopback
		"ftp://guard:pw-secret-1@identity.example.com",         // another scheme
		"https://guard:pw-secret-1@identity.example.com",       // https with credentials
		"https://guard@identity.example.com/?sig=pw-secret-1",  // a signed URL's query
		"https://identity.example.com/path#pw-secret-1",        // a fragment
		"guard:pw-secret-1@identity.example.com",               // no scheme at all
		"https://guard:pw-secret-1@identity.example.com:99999", // a port url.Parse refuses
	} {
		_, err := Load(map[string]string{"OCI_IDENTITY_ENDPOINT": v})
		if err == nil || strings.Contains(err.Error(), "pw-secret-1") || !strings.Contains(err.Error(), "identity.example.com") {
			t.Errorf("%s: %v", v, err)
		}
	}
	if got := shown("https://u:p@h.example.com:443/x?token=t#f"); got != "https://[REDACTED]@h.example.com:443/x?[REDACTED]" {
		t.Errorf("shown = %s", got)
	}
}
