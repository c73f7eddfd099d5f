package deploytest

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"go.yaml.in/yaml/v3"
)

// rmSchema is the part of a Resource Manager schema document this test reads
// ("Extending Console Pages Using Schema Documents", meta schema 1.1.0).
type rmSchema struct {
	Title          string                `yaml:"title"`
	SchemaVersion  string                `yaml:"schemaVersion"`
	VariableGroups []rmGroup             `yaml:"variableGroups"`
	Variables      map[string]rmVariable `yaml:"variables"`
}

type rmGroup struct {
	Title     string    `yaml:"title"`
	Variables []string  `yaml:"variables"`
	Visible   yaml.Node `yaml:"visible"`
}

type rmVariable struct {
	Type      string         `yaml:"type"`
	Title     string         `yaml:"title"`
	Required  bool           `yaml:"required"`
	Default   any            `yaml:"default"`
	Enum      []string       `yaml:"enum"`
	Pattern   string         `yaml:"pattern"`
	Visible   yaml.Node      `yaml:"visible"`
	Items     map[string]any `yaml:"items"`
	DependsOn map[string]any `yaml:"dependsOn"`
}

func loadRMSchema(t *testing.T) *rmSchema {
	t.Helper()
	var s rmSchema
	if err := yaml.Unmarshal([]byte(readRepoFile(t, filepath.Join("deploy", "terraform", "schema.yaml"))), &s); err != nil {
		t.Fatalf("schema.yaml: %v", err)
	}
	return &s
}

// tfType is a variable's declared type as written ("string", "list(string)", ...).
func (s *tfStack) tfType(b *hclsyntax.Block) string {
	a := b.Body.Attributes["type"]
	if a == nil {
		return "string"
	}
	r := a.Expr.Range()
	return strings.Join(strings.Fields(string(s.sources[r.Filename][r.Start.Byte:r.End.Byte])), "")
}

// Which Resource Manager types can carry which Terraform type (RM passes the
// value; the types must agree, per Oracle's schema document requirements).
func rmTypeFits(tf, rm string, v rmVariable) bool {
	switch tf {
	case "string":
		return rm == "string" || rm == "enum" || rm == "text" || rm == "password" || strings.HasPrefix(rm, "oci:")
	case "number":
		return rm == "integer" || rm == "number" || rm == "enum"
	case "bool":
		return rm == "boolean"
	case "list(string)":
		return rm == "array"
	}
	return false // map(string) has no control: such a variable is left out of the form
}

// formOmitted are the Terraform variables schema.yaml leaves out of the form
// (listed only in a hidden group, never under variables:), with the reason.
var formOmitted = map[string]string{
	"freeform_tags": "a map(string): no Resource Manager control carries it, so Terraform's default applies",
}

// formDefaultRefs are form defaults that name another variable (${...}) where
// variables.tf has "" with the same meaning; TestSchemaYAMLMatchesVariables
// checks that meaning by evaluating the local the stack uses.
var formDefaultRefs = map[string]struct{ ref, local string }{
	"trigger_instance_compartment_ocid": {"compartment_ocid", "instance_compartment_id"},
}

// varRef is the variable name of an operand written ${name}, or "".
func varRef(s string) string {
	if strings.HasPrefix(s, "${") && strings.HasSuffix(s, "}") {
		return s[2 : len(s)-1]
	}
	return ""
}

func tfDefault(t *testing.T, b *hclsyntax.Block) (string, bool) {
	t.Helper()
	a := b.Body.Attributes["default"]
	if a == nil {
		return "", false
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if !v.Type().IsPrimitiveType() {
		if v.LengthInt() == 0 {
			return "", true
		}
		return v.GoString(), true
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil {
		t.Fatal(err)
	}
	return s.AsString(), true
}

func TestSchemaYAMLMatchesVariables(t *testing.T) {
	s := loadStack(t)
	rm := loadRMSchema(t)
	if rm.SchemaVersion != "1.1.0" && rm.SchemaVersion != "1.0.0" {
		t.Errorf("schemaVersion %q: Resource Manager accepts 1.0.0 or 1.1.0", rm.SchemaVersion)
	}
	tfNames := slices.DeleteFunc(slices.Sorted(maps.Keys(s.variables)), func(n string) bool { return formOmitted[n] != "" })
	rmNames := slices.Sorted(maps.Keys(rm.Variables))
	if !slices.Equal(tfNames, rmNames) {
		t.Errorf("schema.yaml variables differ from variables.tf\nvariables.tf: %q\nschema.yaml:  %q", tfNames, rmNames)
	}
	groupOf := map[string]string{}
	for _, g := range rm.VariableGroups {
		if g.Title == "" {
			t.Error("a variable group has no title")
		}
		for _, v := range g.Variables {
			if prev, dup := groupOf[v]; dup {
				t.Errorf("variable %s is in groups %q and %q", v, prev, g.Title)
			}
			groupOf[v] = g.Title
			if _, ok := rm.Variables[v]; !ok {
				hidden := g.Visible.Kind == yaml.ScalarNode && g.Visible.Value == "false"
				if formOmitted[v] == "" || !hidden {
					t.Errorf("group %q lists %s, which schema.yaml does not declare (only a formOmitted variable, in a hidden group, may be undeclared)", g.Title, v)
				}
			}
		}
	}
	for _, name := range rmNames {
		v := rm.Variables[name]
		if strings.TrimSpace(v.Title) == "" {
			t.Errorf("schema.yaml variable %s has no title", name)
		}
		if groupOf[name] == "" {
			t.Errorf("schema.yaml variable %s is in no variable group", name)
		}
		b := s.variables[name]
		if b == nil {
			continue
		}
		if typ := s.tfType(b); !rmTypeFits(typ, v.Type, v) {
			t.Errorf("%s: schema.yaml type %s cannot carry the Terraform type %s", name, v.Type, typ)
		}
		def, hasDef := tfDefault(t, b)
		if !hasDef && !v.Required {
			t.Errorf("%s has no default in variables.tf, so schema.yaml must mark it required", name)
		}
		if hasDef && v.Required {
			t.Errorf("%s has a default in variables.tf but schema.yaml marks it required", name)
		}
		if ref := varRef(fmt.Sprint(v.Default)); ref != "" {
			want, ok := formDefaultRefs[name]
			switch {
			case !ok || want.ref != ref:
				t.Errorf("%s: schema.yaml default ${%s} is not a documented reference (formDefaultRefs)", name, ref)
			case def != "":
				t.Errorf("%s: schema.yaml default ${%s}, but variables.tf's default is %q, not empty", name, ref, def)
			default:
				// Empty in Terraform must mean the same variable.
				ctx := s.evalContext(t, requiredVars())
				got := ctx.Variables["local"].GetAttr(want.local).AsString()
				if wantVal := requiredVars()[ref].AsString(); got != wantVal {
					t.Errorf("%s empty: local.%s = %q, want var.%s (%q) as the form's default says", name, want.local, got, ref, wantVal)
				}
			}
		} else if v.Default != nil && fmt.Sprint(v.Default) != def {
			t.Errorf("%s: schema.yaml default %v, variables.tf default %q", name, v.Default, def)
		}
		if v.Default == nil && def != "" {
			t.Errorf("%s: variables.tf default %q is not shown in schema.yaml", name, def)
		}
		if v.Type == "enum" {
			allowed := validationValues(b)
			for _, e := range v.Enum {
				if allowed != nil && !slices.Contains(allowed, e) {
					t.Errorf("%s: schema.yaml offers %q, which the variable's validation rejects (%q)", name, e, allowed)
				}
			}
			if !slices.Contains(v.Enum, def) {
				t.Errorf("%s: default %q is not among the schema.yaml choices %q", name, def, v.Enum)
			}
		}
		for _, dep := range []map[string]any{v.DependsOn, dependsOnOf(v.Items)} {
			for k, ref := range dep {
				if r, ok := ref.(string); ok && rm.Variables[r].Type == "" {
					t.Errorf("%s: dependsOn %s refers to %q, which is not a variable", name, k, r)
				}
			}
		}
	}
	if rm.Variables["dry_run"].Default != true {
		t.Error("the form must deploy in dry run (dry_run default true)")
	}
}

func dependsOnOf(items map[string]any) map[string]any {
	d, _ := items["dependsOn"].(map[string]any)
	return d
}

// validationValues are the values a contains([...], var.x) validation allows
// (as strings), or nil without such a validation.
func validationValues(b *hclsyntax.Block) []string {
	for _, val := range b.Body.Blocks {
		cond := val.Body.Attributes["condition"]
		if cond == nil {
			continue
		}
		call, ok := cond.Expr.(*hclsyntax.FunctionCallExpr)
		if !ok || call.Name != "contains" {
			continue
		}
		v, diags := call.Args[0].Value(nil)
		if diags.HasErrors() {
			continue
		}
		var out []string
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			s, _ := convert.Convert(e, cty.String)
			out = append(out, s.AsString())
		}
		return out
	}
	return nil
}

// visible evaluates a Resource Manager visibility statement (a boolean, a
// variable name, eq / not / and / or) against form values.
func visible(t *testing.T, n yaml.Node, values map[string]any) bool {
	t.Helper()
	switch n.Kind {
	case 0:
		return true // no rule
	case yaml.ScalarNode:
		switch n.Value {
		case "true":
			return true
		case "false":
			return false
		}
		name := n.Value // a whole "visible: variable" may name it bare (documented)
		if ref := varRef(n.Value); ref != "" {
			name = ref
		}
		b, ok := values[name].(bool)
		if !ok {
			t.Fatalf("visibility refers to %q, which has no boolean value in the test", n.Value)
		}
		return b
	case yaml.MappingNode:
		op, args := n.Content[0].Value, n.Content[1].Content
		switch op {
		case "eq":
			return fmt.Sprint(operand(t, args[0], values)) == fmt.Sprint(operand(t, args[1], values))
		case "not":
			return !visible(t, *args[0], values)
		case "and":
			return visible(t, *args[0], values) && visible(t, *args[1], values)
		case "or":
			return visible(t, *args[0], values) || visible(t, *args[1], values)
		}
	}
	t.Fatalf("unsupported visibility statement at line %d", n.Line)
	return false
}

// operand is the value of an eq operand: ${variable} is the variable's value,
// anything else a literal, which is how a bare name may be read (Oracle
// documents only the ${variable} form for operands, "Extend Console Pages
// Using Schema Documents"): then the field would never show, which
// TestSchemaYAMLVisibility catches; TestSchemaYAMLOperandsAreReferences names
// the operand.
func operand(t *testing.T, n *yaml.Node, values map[string]any) any {
	t.Helper()
	if ref := varRef(n.Value); ref != "" {
		v, ok := values[ref]
		if !ok {
			t.Fatalf("line %d: operand %s refers to a variable the test gives no value", n.Line, n.Value)
		}
		return v
	}
	return n.Value
}

// visibilityNodes are every visible: statement of the form, groups and variables.
func (rm *rmSchema) visibilityNodes() []yaml.Node {
	var out []yaml.Node
	for _, g := range rm.VariableGroups {
		out = append(out, g.Visible)
	}
	for _, name := range slices.Sorted(maps.Keys(rm.Variables)) {
		out = append(out, rm.Variables[name].Visible)
	}
	return out
}

// Every operand of eq / not / and / or that names a variable is written
// ${variable}; only a whole "visible: variable" may be bare (both as in
// Oracle's page). A bare operand could be read as a literal string.
func TestSchemaYAMLOperandsAreReferences(t *testing.T) {
	rm := loadRMSchema(t)
	var walk func(n *yaml.Node, isOperand bool)
	walk = func(n *yaml.Node, isOperand bool) {
		switch n.Kind {
		case yaml.ScalarNode:
			if ref := varRef(n.Value); ref != "" {
				if _, isVar := rm.Variables[ref]; !isVar {
					t.Errorf("schema.yaml line %d: %s refers to no variable", n.Line, n.Value)
				}
				return
			}
			if _, isVar := rm.Variables[n.Value]; isVar && isOperand {
				t.Errorf("schema.yaml line %d: operand %q is a bare variable name; write ${%s}", n.Line, n.Value, n.Value)
			}
		case yaml.MappingNode:
			for i := 1; i < len(n.Content); i += 2 {
				for _, arg := range n.Content[i].Content {
					walk(arg, true)
				}
				if n.Content[i].Kind != yaml.SequenceNode {
					walk(n.Content[i], true)
				}
			}
		}
	}
	for _, v := range rm.visibilityNodes() {
		walk(&v, false)
	}
}

// formVisible is whether the form shows variable name for values (its
// group's rule and its own).
func formVisible(t *testing.T, rm *rmSchema, name string, values map[string]any) bool {
	t.Helper()
	for _, g := range rm.VariableGroups {
		if slices.Contains(g.Variables, name) && !visible(t, g.Visible, values) {
			return false
		}
	}
	return visible(t, rm.Variables[name].Visible, values)
}

func TestSchemaYAMLVisibility(t *testing.T) {
	rm := loadRMSchema(t)
	instanceFields := []string{"trigger_instance_compartment_ocid", "trigger_instance_id", "instance_start_cron", "instance_stop_cron"}
	createdTopicFields := []string{"notification_topic_name", "notification_email"}
	existingTopicFields := []string{"notification_topic_id", "notification_topic_compartment_ocid"}
	roleFields := []string{"domain_role_name", "domain_role_domain_ids"}
	for _, mode := range []string{"direct_schedule", "instance_start_event", "none"} {
		for _, api := range []string{"auto", "iam", "scim"} {
			for _, grant := range []bool{false, true} {
				for _, create := range []bool{false, true} {
					values := map[string]any{"trigger_mode": mode, "identity_api": api, "grant_domain_role": grant, "create_notification_topic": create}
					check := func(fields []string, want bool, why string) {
						for _, f := range fields {
							if got := formVisible(t, rm, f, values); got != want {
								t.Errorf("%v: %s visible = %v, want %v (%s)", values, f, got, want, why)
							}
						}
					}
					check(instanceFields, mode == "instance_start_event", "instance fields only for instance_start_event")
					check([]string{"schedule_cron"}, mode == "direct_schedule", "the cron of the direct schedule")
					check(createdTopicFields, create, "the created topic's fields only when it is created")
					check(existingTopicFields, !create, "an existing topic only when none is created")
					check([]string{"grant_domain_role"}, api != "iam", "the domain role is never needed with identity_api = iam")
					check(roleFields, api != "iam" && grant, "role fields only when the grant is asked for")
					check([]string{"function_image", "subnet_ids", "dry_run", "trigger_mode"}, true, "always asked")
				}
			}
		}
	}
}
