package deploytest

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
)

var update = flag.Bool("update", false, "rewrite the generated policy section of README.md")

const (
	policyBegin = "<!-- BEGIN GENERATED POLICY (go test ./internal/deploytest -run TestReadmePolicyTable -update) -->"
	policyEnd   = "<!-- END GENERATED POLICY -->"
)

// readmeVars are the placeholders a reader replaces by hand.
var readmeVars = permissions.Vars{
	DynamicGroup:     "<dynamic-group>",
	TopicCompartment: "<topic-compartment-ocid>",
	TopicID:          "<topic-ocid>",
}

// policySection renders internal/permissions for people: a table with the
// reason for each statement, then the statements ready to paste.
func policySection() string {
	var b strings.Builder
	b.WriteString("| Needed for | Statement | Why | Operations |\n|---|---|---|---|\n")
	all := permissions.All()
	rendered := permissions.Render(all, readmeVars)
	for i, s := range all {
		ops := make([]string, len(s.Operations))
		for j, op := range s.Operations {
			ops[j] = "`" + op + "`"
		}
		b.WriteString("| " + featureLabel(s.Feature) + " | `" + cell(rendered[i]) + "` | " + cell(s.Why) + " | " + strings.Join(ops, ", ") + " |\n")
	}
	for _, f := range []struct {
		title string
		stmts []permissions.Statement
	}{
		{"Core statements (always):", permissions.Required(permissions.Features{})},
		{"Add for `DISABLE_API_KEY_CAPABILITY=true`:", onlyFeature(permissions.FeatureDisableCapability)},
		{"Add for `NOTIFICATION_TOPIC_ID`:", onlyFeature(permissions.FeatureNotifications)},
	} {
		b.WriteString("\n" + f.title + "\n\n```\n")
		for _, line := range permissions.Render(f.stmts, readmeVars) {
			b.WriteString(line + "\n")
		}
		b.WriteString("```\n")
	}
	return b.String()
}

func onlyFeature(f permissions.Feature) []permissions.Statement {
	var out []permissions.Statement
	for _, s := range permissions.All() {
		if s.Feature == f {
			out = append(out, s)
		}
	}
	return out
}

func featureLabel(f permissions.Feature) string {
	switch f {
	case permissions.FeatureDisableCapability:
		return "`DISABLE_API_KEY_CAPABILITY=true`"
	case permissions.FeatureNotifications:
		return "`NOTIFICATION_TOPIC_ID` set"
	default:
		return "always"
	}
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func TestReadmePolicyTable(t *testing.T) {
	path := filepath.Join(repoRoot(t), "README.md")
	readme := readRepoFile(t, "README.md")
	start := strings.Index(readme, policyBegin)
	end := strings.Index(readme, policyEnd)
	if start < 0 || end < start {
		t.Fatalf("README.md lacks the %q ... %q markers", policyBegin, policyEnd)
	}
	want := policySection()
	got := readme[start+len(policyBegin)+1 : end]
	if got == want {
		return
	}
	if *update {
		fresh := readme[:start+len(policyBegin)+1] + want + readme[end:]
		if err := os.WriteFile(path, []byte(fresh), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the policy section of README.md is stale; run: go test ./internal/deploytest -run TestReadmePolicyTable -update\n got:\n%s\nwant:\n%s", got, want)
}
