package config

import (
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
	for _, k := range []string{"ADMIN_GROUPS", "DRY_RUN", "EXEMPT_USERS", "DISABLE_API_KEY_CAPABILITY", "INCLUDE_POLICY_ADMINS", "NOTIFICATION_TOPIC_ID", "IDENTITY_DOMAIN_URL", "DELETE_CONCURRENCY"} {
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
