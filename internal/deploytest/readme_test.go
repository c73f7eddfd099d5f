package deploytest

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
)

var update = flag.Bool("update", false, "rewrite the generated policy sections of docs/authorization.md and README.md")

const (
	policyBegin = "<!-- BEGIN GENERATED POLICY (go test ./internal/deploytest -run TestPolicyTables -update) -->"
	policyEnd   = "<!-- END GENERATED POLICY -->"

	// authorizationDoc holds every grant, when and why it is needed, and the statements per
	// deployment shape; README.md holds only the default configuration's statements.
	authorizationDoc = "docs/authorization.md"
	// safetyDoc lists the guard's safety rules by the names of their decision-table rows.
	safetyDoc = "docs/architecture.md"
)

// readmeVars are the placeholders a reader replaces by hand.
var readmeVars = permissions.Vars{
	DynamicGroup:     "<dynamic-group>",
	TopicCompartment: "<topic-compartment-ocid>",
	TopicID:          "<topic-ocid>",
}

// defaultPolicySection is the policy of the default configuration (IDENTITY_API=auto, the
// Default domain's Administrators, API keys only, no notification), ready to paste.
func defaultPolicySection() string {
	var b strings.Builder
	b.WriteString("```\n")
	for _, line := range permissions.Render(permissions.Required(permissions.Features{}), readmeVars) {
		b.WriteString(line + "\n")
	}
	b.WriteString("```\n")
	return b.String()
}

// policySection renders internal/permissions for people: a table with when and why each
// grant is needed, then the statements ready to paste, per deployment shape.
func policySection() string {
	var b strings.Builder
	b.WriteString("| Needed when | Grant | Why | Operations | Oracle source |\n|---|---|---|---|---|\n")
	all := permissions.All()
	rendered := permissions.Render(all, readmeVars)
	for i, s := range all {
		b.WriteString("| " + featureLabel(s.Feature) + " | `" + cell(rendered[i]) + "` | " + cell(s.Why) + " | " + opsCell(s.Operations) + " | " + cell(s.Source) + " |\n")
	}
	r := permissions.DomainRole
	b.WriteString("| " + domainRoleLabel + " | domain role **" + r.Name + "** for the dynamic group, in each identity domain the SCIM family serves | " +
		cell(r.Why) + " | " + opsCell(r.Operations) + " | " + cell(r.Source) + " |\n")
	for _, f := range []struct {
		title string
		f     permissions.Features
	}{
		{"Default domain only, `IDENTITY_API=auto` (the default) or `iam`:", permissions.Features{}},
		{"`IDENTITY_API=auto` with secondary-domain groups or `INCLUDE_POLICY_ADMINS` or `INCLUDE_ESCALATION_ADMINS=true` (plus the domain role in those domains):", permissions.Features{SecondaryDomains: true}},
		{"`IDENTITY_API=scim`, Default domain only (plus the domain role in the Default domain):", permissions.Features{IdentityAPI: permissions.APISCIM}},
	} {
		b.WriteString("\n" + f.title + "\n\n```\n")
		for _, line := range permissions.Render(permissions.Required(f.f), readmeVars) {
			b.WriteString(line + "\n")
		}
		b.WriteString("```\n")
	}
	for _, f := range []struct {
		title string
		stmts []permissions.Statement
	}{
		{"Add for `DISABLE_API_KEY_CAPABILITY=true` or any `DISABLE_CAPABILITIES` (IAM family; the SCIM family uses the domain role):", onlyFeature(permissions.FeatureDisableCapability)},
		{"Add for each kind in `ADMIN_CREDENTIALS` beyond `api-keys` (IAM family; the SCIM family uses the domain role):", credentialStatements()},
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

func opsCell(ops []string) string {
	out := make([]string, len(ops))
	for j, op := range ops {
		out[j] = "`" + op + "`"
	}
	return strings.Join(out, ", ")
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

const domainRoleLabel = "`IDENTITY_API=scim`, or `auto` with secondary-domain groups or `INCLUDE_POLICY_ADMINS` or `INCLUDE_ESCALATION_ADMINS=true`"

func featureLabel(f permissions.Feature) string {
	switch f {
	case permissions.FeatureIAM:
		return "`IDENTITY_API=auto` (default) or `iam`"
	case permissions.FeatureDomains:
		return "`IDENTITY_API=scim`, secondary-domain groups, or `INCLUDE_POLICY_ADMINS` or `INCLUDE_ESCALATION_ADMINS=true`"
	case permissions.FeatureSubCompartments:
		return "secondary-domain groups, or `INCLUDE_POLICY_ADMINS` or `INCLUDE_ESCALATION_ADMINS=true`"
	case permissions.FeatureDisableCapability:
		return "`DISABLE_API_KEY_CAPABILITY=true` or `DISABLE_CAPABILITIES`, IAM family"
	case permissions.FeatureNotifications:
		return "`NOTIFICATION_TOPIC_ID` set"
	}
	if c, ok := permissions.CredentialOpsFor(string(f)); ok {
		return "`ADMIN_CREDENTIALS` includes `" + c.Kind + "`, IAM family"
	}
	return "always"
}

// credentialStatements are the statements of every credential kind, in All() order.
func credentialStatements() []permissions.Statement {
	var out []permissions.Statement
	for _, c := range permissions.CredentialKinds {
		out = append(out, onlyFeature(c.Feature)...)
	}
	return out
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// TestPolicyTables: the generated grants in docs/authorization.md (every grant, when and why)
// and README.md (the default configuration's statements) are exactly what internal/permissions
// renders, so the documents cannot drift from the list the hints and the stack use.
func TestPolicyTables(t *testing.T) {
	for _, c := range []struct {
		file string
		want string
	}{
		{authorizationDoc, policySection()},
		{"README.md", defaultPolicySection()},
	} {
		t.Run(c.file, func(t *testing.T) { checkGenerated(t, c.file, c.want) })
	}
}

// checkGenerated compares the text between the policy markers of file with want, and with
// -update rewrites it.
func checkGenerated(t *testing.T, file, want string) {
	t.Helper()
	path := filepath.Join(repoRoot(t), file)
	doc := readRepoFile(t, file)
	start := strings.Index(doc, policyBegin)
	end := strings.Index(doc, policyEnd)
	if start < 0 || end < start {
		t.Fatalf("%s lacks the %q ... %q markers", file, policyBegin, policyEnd)
	}
	got := doc[start+len(policyBegin)+1 : end]
	if got == want {
		return
	}
	if *update {
		fresh := doc[:start+len(policyBegin)+1] + want + doc[end:]
		if err := os.WriteFile(path, []byte(fresh), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the policy section of %s is stale; run: go test ./internal/deploytest -run TestPolicyTables -update\n got:\n%s\nwant:\n%s", file, got, want)
}

// TestSafetyRulesHaveDecisionRows: every rule docs/architecture.md's "Safety rules" names (a `kebab-name` at
// the start of a bullet, or after a semicolon or comma in one) is a row of the guard's decision
// tables, so the list and the specification cannot drift apart.
func TestSafetyRulesHaveDecisionRows(t *testing.T) {
	readme := readRepoFile(t, safetyDoc)
	start := strings.Index(readme, "## Safety rules")
	if start < 0 {
		t.Fatalf(`%s has no "## Safety rules" section`, safetyDoc)
	}
	end := strings.Index(readme[start:], "Guarantees outside the guard's decisions")
	if end < 0 {
		t.Fatalf(`%s's "## Safety rules" does not end in "Guarantees outside the guard's decisions"`, safetyDoc)
	}
	rules := regexp.MustCompile("`([a-z0-9]+(?:-[a-z0-9]+){2,})`").FindAllStringSubmatch(readme[start:start+end], -1)
	if len(rules) < 15 {
		t.Fatalf("found %d rule names in %s's Safety rules, want every rule named", len(rules), safetyDoc)
	}
	tables := readRepoFile(t, "internal/guard/decide_test.go")
	named := map[string]bool{}
	for _, r := range rules {
		named[r[1]] = true
		if !strings.Contains(tables, `{"`+r[1]+`",`) {
			t.Errorf("%s's safety rule %q has no row in internal/guard/decide_test.go", safetyDoc, r[1])
		}
	}
	for _, row := range regexp.MustCompile(`\{"([a-z0-9-]+)",`).FindAllStringSubmatch(tables, -1) {
		if !named[row[1]] {
			t.Errorf("decision table row %q is not a rule in %s's Safety rules", row[1], safetyDoc)
		}
	}
}
