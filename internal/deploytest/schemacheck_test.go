package deploytest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/oracle/oci-go-sdk/v65/events"
	"github.com/oracle/oci-go-sdk/v65/functions"
	"github.com/oracle/oci-go-sdk/v65/identity"
	"github.com/oracle/oci-go-sdk/v65/identitydomains"
	"github.com/oracle/oci-go-sdk/v65/logging"
	"github.com/oracle/oci-go-sdk/v65/resourcescheduler"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// The OCI provider's own schema (`terraform providers schema -json`, provider
// 8.28.0, cut to the types a stack for this function may use). It is not part
// of the project: tests read it from ../shared and skip, saying so, without it.
const providerSchemaRel = "../shared/oci-provider-schema/oracle-oci-8.28.0.json"

type providerSchema struct {
	ProviderVersion string                 `json:"provider_version"`
	Provider        schemaEntry            `json:"provider_schema"`
	Resources       map[string]schemaEntry `json:"resource_schemas"`
	DataSources     map[string]schemaEntry `json:"data_source_schemas"`
}

type schemaEntry struct {
	Block schemaBlock `json:"block"`
}

type schemaBlock struct {
	Attributes map[string]schemaAttr      `json:"attributes"`
	BlockTypes map[string]schemaBlockType `json:"block_types"`
	Deprecated bool                       `json:"deprecated"`
}

type schemaAttr struct {
	Type       json.RawMessage `json:"type"`
	Required   bool            `json:"required"`
	Optional   bool            `json:"optional"`
	Computed   bool            `json:"computed"`
	Deprecated bool            `json:"deprecated"`
}

type schemaBlockType struct {
	NestingMode string      `json:"nesting_mode"`
	Block       schemaBlock `json:"block"`
	MinItems    int         `json:"min_items"`
	MaxItems    int         `json:"max_items"`
}

func loadProviderSchema(t *testing.T) *providerSchema {
	t.Helper()
	path := filepath.Join(repoRoot(t), filepath.FromSlash(providerSchemaRel))
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("provider schema check NOT RUN: %s is absent (a clone without ../shared); the .tf files were not checked against the OCI provider schema", providerSchemaRel)
	}
	if err != nil {
		t.Fatal(err)
	}
	var s providerSchema
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", providerSchemaRel, err)
	}
	if len(s.Resources) == 0 || len(s.DataSources) == 0 {
		t.Fatalf("%s holds no resource or data source schemas", providerSchemaRel)
	}
	return &s
}

// enumValues are the values the provider documents for enum-like attributes,
// by "<type>.<attribute path>". The provider passes them to the OCI API as
// they are, so the SDK's enums are the source where it has one (exact case:
// the SDK's own GetMapping* functions compare case-insensitively).
var enumValues = map[string][]string{
	// Resource Scheduler: resourcescheduler/schedule.go, parameter.go.
	"oci_resource_scheduler_schedule.action":                              resourcescheduler.GetScheduleActionEnumStringValues(),
	"oci_resource_scheduler_schedule.recurrence_type":                     resourcescheduler.GetScheduleRecurrenceTypeEnumStringValues(),
	"oci_resource_scheduler_schedule.resources.parameters.parameter_type": resourcescheduler.GetParameterParameterTypeEnumStringValues(),
	"oci_events_rule.actions.action.action_type":                          events.GetActionDetailsActionTypeEnumStringValues(),
	"oci_functions_application.shape":                                     functions.GetApplicationShapeEnumStringValues(),
	"oci_identity_domains_grant.grant_mechanism":                          identitydomains.GetGrantGrantMechanismEnumStringValues(),
	"oci_identity_domains_grant.grantee.type":                             identitydomains.GetGrantGranteeTypeEnumStringValues(),
	"data.oci_identity_domains.type":                                      identity.GetDomainTypeEnumStringValues(),
	// Logging: logging/create_log_details.go, source.go.
	"oci_logging_log.log_type":                         logging.GetCreateLogDetailsLogTypeEnumStringValues(),
	"oci_logging_log.configuration.source.source_type": logging.GetSourceSourceTypeEnumStringValues(),
	// The SDK types the ONS protocol as a plain string; the provider docs for
	// oci_ons_subscription list: CUSTOM_HTTPS, EMAIL, HTTPS, ORACLE_FUNCTIONS,
	// PAGERDUTY, SLACK, SMS.
	"oci_ons_subscription.protocol": {"CUSTOM_HTTPS", "EMAIL", "HTTPS", "ORACLE_FUNCTIONS", "PAGERDUTY", "SLACK", "SMS"},
}

// Meta-arguments Terraform handles itself, allowed in every resource / data block.
var metaAttributes = []string{"count", "for_each", "depends_on", "provider"}
var metaBlocks = []string{"lifecycle", "provisioner", "connection"}

type schemaChecker struct {
	schema    *providerSchema
	variables map[string]*hclsyntax.Block
	findings  []string
}

func (c *schemaChecker) addf(r hcl.Range, format string, args ...any) {
	c.findings = append(c.findings, fmt.Sprintf("%s:%d: ", r.Filename, r.Start.Line)+fmt.Sprintf(format, args...))
}

// checkStackDir checks every .tf file of dir against the provider schema and
// returns the findings as "file:line: message", sorted.
func checkStackDir(t *testing.T, dir string, schema *providerSchema) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no .tf files in %s (%v)", dir, err)
	}
	c := &schemaChecker{schema: schema, variables: map[string]*hclsyntax.Block{}}
	parser := hclparse.NewParser()
	var bodies []*hclsyntax.Body
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, diags := parser.ParseHCL(src, filepath.Base(p))
		if diags.HasErrors() {
			c.findings = append(c.findings, diags.Error())
			continue
		}
		body := f.Body.(*hclsyntax.Body)
		bodies = append(bodies, body)
		for _, b := range body.Blocks {
			if b.Type == "variable" && len(b.Labels) == 1 {
				c.variables[b.Labels[0]] = b
			}
		}
	}
	for _, body := range bodies {
		for _, b := range body.Blocks {
			switch b.Type {
			case "resource", "data":
				kinds, what := schema.Resources, "resource type"
				prefix := ""
				if b.Type == "data" {
					kinds, what, prefix = schema.DataSources, "data source", "data."
				}
				entry, ok := kinds[b.Labels[0]]
				if !ok {
					c.addf(b.DefRange(), "%s %s is not in the provider schema (%s)", what, b.Labels[0], schema.ProviderVersion)
					continue
				}
				c.checkBody(b.Body, entry.Block, prefix+b.Labels[0], true)
			case "provider":
				if b.Labels[0] == "oci" {
					// alias is Terraform's own meta-argument of a provider block.
					body := *b.Body
					body.Attributes = maps.Clone(b.Body.Attributes)
					delete(body.Attributes, "alias")
					c.checkBody(&body, schema.Provider.Block, "provider.oci", false)
				}
			}
		}
	}
	sort.Strings(c.findings)
	return c.findings
}

func (c *schemaChecker) checkBody(body *hclsyntax.Body, sb schemaBlock, path string, top bool) {
	for name, a := range body.Attributes {
		if top && slices.Contains(metaAttributes, name) {
			continue
		}
		if sa, ok := sb.Attributes[name]; ok {
			switch {
			case sa.Deprecated:
				c.addf(a.SrcRange, "%s.%s is deprecated in the provider schema", path, name)
			case sa.Computed && !sa.Optional && !sa.Required:
				c.addf(a.SrcRange, "%s.%s is computed by the provider and cannot be set", path, name)
			}
			c.checkEnum(a, path+"."+name)
			continue
		}
		if _, ok := sb.BlockTypes[name]; ok {
			c.addf(a.SrcRange, "%s.%s is a nested block in the provider schema, not an attribute (wrong nesting)", path, name)
			continue
		}
		c.addf(a.SrcRange, "%s has no attribute %s in the provider schema", path, name)
	}
	for name, sa := range sb.Attributes {
		if _, set := body.Attributes[name]; sa.Required && !set {
			c.addf(body.SrcRange, "%s: required attribute %s is not set", path, name)
		}
	}
	counts := map[string]int{}
	dynamic := map[string]bool{}
	for _, b := range body.Blocks {
		typ := b.Type
		content := b.Body
		if top && slices.Contains(metaBlocks, typ) {
			continue
		}
		if typ == "dynamic" && len(b.Labels) == 1 {
			typ, dynamic[b.Labels[0]] = b.Labels[0], true
			for _, inner := range b.Body.Blocks {
				if inner.Type == "content" {
					content = inner.Body
				}
			}
		}
		bt, ok := sb.BlockTypes[typ]
		if !ok {
			if _, isAttr := sb.Attributes[typ]; isAttr {
				c.addf(b.DefRange(), "%s.%s is an attribute in the provider schema, not a block (wrong nesting): write %s = ...", path, typ, typ)
			} else {
				c.addf(b.DefRange(), "%s has no block %s in the provider schema", path, typ)
			}
			continue
		}
		counts[typ]++
		if bt.Block.Deprecated {
			c.addf(b.DefRange(), "block %s.%s is deprecated in the provider schema", path, typ)
		}
		c.checkBody(content, bt.Block, path+"."+typ, false)
	}
	for name, bt := range sb.BlockTypes {
		n := counts[name]
		if dynamic[name] {
			continue // how many a dynamic block makes is known only at plan time
		}
		maxItems := bt.MaxItems
		if bt.NestingMode == "single" || bt.NestingMode == "group" {
			maxItems = 1
		}
		if n < bt.MinItems {
			c.addf(body.SrcRange, "%s: block %s appears %d time(s), the provider requires at least %d", path, name, n, bt.MinItems)
		}
		if maxItems > 0 && n > maxItems {
			c.addf(body.SrcRange, "%s: block %s appears %d times, the provider allows at most %d (max_items)", path, name, n, maxItems)
		}
	}
}

// checkEnum checks the values an enum-like attribute can take: a literal, or
// a variable's default and the values its contains([...], var.x) validation
// allows.
func (c *schemaChecker) checkEnum(a *hclsyntax.Attribute, path string) {
	allowed, ok := enumValues[path]
	if !ok {
		return
	}
	for _, v := range c.candidateValues(a.Expr) {
		if !slices.Contains(allowed, v) {
			c.addf(a.SrcRange, "%s = %q is not a value the provider documents (%s)", path, v, strings.Join(allowed, ", "))
		}
	}
}

func (c *schemaChecker) candidateValues(e hclsyntax.Expression) []string {
	if v, diags := e.Value(nil); !diags.HasErrors() {
		if s, err := convert.Convert(v, cty.String); err == nil && s.IsKnown() && !s.IsNull() {
			return []string{s.AsString()}
		}
	}
	st, ok := e.(*hclsyntax.ScopeTraversalExpr)
	if !ok || st.Traversal.RootName() != "var" {
		return nil // computed elsewhere: checked where it is written
	}
	vb := c.variables[attrName(st.Traversal, 1)]
	if vb == nil {
		return nil
	}
	var out []string
	if def, ok := vb.Body.Attributes["default"]; ok {
		out = append(out, c.candidateValues(def.Expr)...)
	}
	for _, val := range vb.Body.Blocks {
		cond, ok := val.Body.Attributes["condition"]
		if !ok {
			continue
		}
		call, ok := cond.Expr.(*hclsyntax.FunctionCallExpr)
		if !ok || call.Name != "contains" || len(call.Args) != 2 {
			continue
		}
		if list, ok := call.Args[0].(*hclsyntax.TupleConsExpr); ok {
			for _, item := range list.Exprs {
				out = append(out, c.candidateValues(item)...)
			}
		}
	}
	return out
}

func TestStackMatchesProviderSchema(t *testing.T) {
	schema := loadProviderSchema(t)
	dir := filepath.Join(repoRoot(t), "deploy", "terraform")
	for _, f := range checkStackDir(t, dir, schema) {
		t.Errorf("deploy/terraform/%s", f)
	}
}

// TestSchemaCheckBites proves the check fails on a deliberately broken copy
// of the stack, naming the file and line of each fault.
func TestSchemaCheckBites(t *testing.T) {
	schema := loadProviderSchema(t)
	src := filepath.Join(repoRoot(t), "deploy", "terraform")
	breakages := []struct {
		name, file, old, new string
		want                 string // substring of a finding, after "file:line: "
	}{
		{"unknown attribute", "main.tf",
			"  memory_in_mbs      = var.function_memory_mb\n",
			"  memory_in_mbs      = var.function_memory_mb\n  memory_limit       = 256\n",
			"oci_functions_function has no attribute memory_limit"},
		{"missing required attribute", "trigger.tf",
			"  recurrence_type    = \"CRON\"\n  recurrence_details = var.schedule_cron\n",
			"  recurrence_details = var.schedule_cron\n",
			"oci_resource_scheduler_schedule: required attribute recurrence_type is not set"},
		{"block written as an attribute", "domain_role.tf",
			"  app {\n    value = \"IDCSAppId\"\n  }\n",
			"  app = { value = \"IDCSAppId\" }\n",
			"oci_identity_domains_grant.app is a nested block in the provider schema, not an attribute (wrong nesting)"},
		{"max_items exceeded", "domain_role.tf",
			"  app {\n    value = \"IDCSAppId\"\n  }\n",
			"  app {\n    value = \"IDCSAppId\"\n  }\n  app {\n    value = \"IDCSAppId\"\n  }\n",
			"oci_identity_domains_grant: block app appears 2 times, the provider allows at most 1 (max_items)"},
		{"deprecated block", "trigger.tf",
			"  actions {\n    action {\n",
			"  actions {\n    actions {\n",
			"block oci_events_rule.actions.actions is deprecated in the provider schema"},
		{"undocumented enum value", "notifications.tf",
			"  protocol       = \"EMAIL\"\n",
			"  protocol       = \"E-MAIL\"\n",
			"oci_ons_subscription.protocol = \"E-MAIL\" is not a value the provider documents"},
		{"enum through a variable", "variables.tf",
			"contains([\"GENERIC_X86\", \"GENERIC_ARM\", \"GENERIC_X86_ARM\"], var.application_shape)",
			"contains([\"GENERIC_X86\", \"GENERIC_ARM\", \"GENERIC_X86_ARM\", \"GENERIC_RISCV\"], var.application_shape)",
			// reported where the variable is used (main.tf), not where it is declared
			"main.tf|oci_functions_application.shape = \"GENERIC_RISCV\" is not a value the provider documents"},
		{"unknown provider argument next to alias", "home_region.tf",
			"  region = local.home_region\n",
			"  regoin = local.home_region\n",
			"provider.oci has no attribute regoin"},
		{"unknown resource type", "trigger.tf",
			"resource \"oci_events_rule\" \"instance_started\" {",
			"resource \"oci_events_rules\" \"instance_started\" {",
			"resource type oci_events_rules is not in the provider schema"},
	}
	for _, b := range breakages {
		t.Run(b.name, func(t *testing.T) {
			dir := t.TempDir()
			copyTF(t, src, dir)
			path := filepath.Join(dir, b.file)
			orig, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(orig), b.old) {
				t.Fatalf("%s no longer contains the text this breakage replaces: %q", b.file, b.old)
			}
			broken := strings.Replace(string(orig), b.old, b.new, 1)
			if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
				t.Fatal(err)
			}
			findings := checkStackDir(t, dir, schema)
			wantFile, want := b.file, b.want
			line := lineOf(broken, b.old, b.new)
			if f, w, ok := strings.Cut(b.want, "|"); ok {
				wantFile, want, line = f, w, 0
			}
			for _, f := range findings {
				if strings.HasPrefix(f, wantFile+":") && strings.Contains(f, want) {
					// Attribute-level faults are reported on their own line;
					// a missing attribute or a block count on the block's.
					if line > 0 && !strings.Contains(f, "required") && !strings.Contains(f, "max_items") &&
						!strings.HasPrefix(f, fmt.Sprintf("%s:%d: ", wantFile, line)) {
						t.Errorf("finding %q: want line %d", f, line)
					}
					return
				}
			}
			t.Errorf("broken copy passed the schema check; want a finding in %s containing %q; got %q", wantFile, want, findings)
		})
	}
	t.Run("missing required block", func(t *testing.T) {
		dir := t.TempDir()
		copyTF(t, src, dir)
		path := filepath.Join(dir, "trigger.tf")
		orig, _ := os.ReadFile(path)
		s := string(orig)
		start := strings.Index(s, "  # actions.action, not the deprecated")
		end := strings.Index(s[start:], "\n  }\n") + start + len("\n  }\n")
		if start < 0 || end < start {
			t.Fatal("trigger.tf: events rule actions block not found")
		}
		if err := os.WriteFile(path, []byte(s[:start]+s[end:]), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, f := range checkStackDir(t, dir, schema) {
			if strings.HasPrefix(f, "trigger.tf:") && strings.Contains(f, "oci_events_rule: block actions appears 0 time(s), the provider requires at least 1") {
				return
			}
		}
		t.Error("removing the events rule's required actions block passed the schema check")
	})
}

// lineOf is the 1-based line where new starts in s (0 when the replacement
// removed text).
func lineOf(s, old, new string) int {
	if len(new) < len(old) && strings.HasPrefix(old, new) {
		return 0
	}
	i := strings.Index(s, new)
	if i < 0 {
		return 0
	}
	// The finding is on the first line that differs from old.
	j := 0
	for j < len(old) && j < len(new) && old[j] == new[j] {
		j++
	}
	return strings.Count(s[:i+j], "\n") + 1
}

func copyTF(t *testing.T, from, to string) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(from, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, filepath.Base(p)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
