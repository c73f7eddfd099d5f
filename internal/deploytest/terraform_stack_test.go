package deploytest

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// tfStack is deploy/terraform parsed with HCL, without Terraform itself: enough
// to check references and to evaluate the expressions this repository cares
// about (policy statements, function config, trigger wiring).
type tfStack struct {
	bodies    map[string]*hclsyntax.Body // by file name
	sources   map[string][]byte          // by file name
	variables map[string]*hclsyntax.Block
	locals    map[string]*hclsyntax.Attribute
	resources map[string]map[string]*hclsyntax.Block // type -> name -> block
	data      map[string]map[string]*hclsyntax.Block // data source type -> name -> block
	outputs   map[string]*hclsyntax.Block
	providers map[string]*hclsyntax.Block // provider "oci" blocks by alias ("" = the default one)
}

func loadStack(t *testing.T) *tfStack {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "deploy", "terraform")
	paths, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no .tf files in %s (%v)", dir, err)
	}
	s := &tfStack{
		bodies:    map[string]*hclsyntax.Body{},
		sources:   map[string][]byte{},
		variables: map[string]*hclsyntax.Block{},
		locals:    map[string]*hclsyntax.Attribute{},
		resources: map[string]map[string]*hclsyntax.Block{},
		data:      map[string]map[string]*hclsyntax.Block{},
		outputs:   map[string]*hclsyntax.Block{},
		providers: map[string]*hclsyntax.Block{},
	}
	parser := hclparse.NewParser()
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, diags := parser.ParseHCL(src, filepath.Base(p))
		if diags.HasErrors() {
			t.Fatalf("%s: %s", filepath.Base(p), diags.Error())
		}
		body := f.Body.(*hclsyntax.Body)
		s.bodies[filepath.Base(p)] = body
		s.sources[filepath.Base(p)] = src
		for _, b := range body.Blocks {
			switch b.Type {
			case "variable":
				s.addUnique(t, s.variables, b.Labels[0], b, "variable")
			case "output":
				s.addUnique(t, s.outputs, b.Labels[0], b, "output")
			case "resource":
				if s.resources[b.Labels[0]] == nil {
					s.resources[b.Labels[0]] = map[string]*hclsyntax.Block{}
				}
				s.addUnique(t, s.resources[b.Labels[0]], b.Labels[1], b, b.Labels[0])
			case "data":
				if s.data[b.Labels[0]] == nil {
					s.data[b.Labels[0]] = map[string]*hclsyntax.Block{}
				}
				s.addUnique(t, s.data[b.Labels[0]], b.Labels[1], b, "data."+b.Labels[0])
			case "provider":
				alias := ""
				if a, ok := b.Body.Attributes["alias"]; ok {
					v, diags := a.Expr.Value(nil)
					if diags.HasErrors() {
						t.Fatalf("provider alias: %s", diags.Error())
					}
					alias = v.AsString()
				}
				s.addUnique(t, s.providers, alias, b, "provider "+b.Labels[0])
			case "locals":
				for name, a := range b.Body.Attributes {
					if _, dup := s.locals[name]; dup {
						t.Errorf("local %s declared twice", name)
					}
					s.locals[name] = a
				}
			}
		}
	}
	return s
}

func (s *tfStack) addUnique(t *testing.T, m map[string]*hclsyntax.Block, name string, b *hclsyntax.Block, kind string) {
	t.Helper()
	if _, dup := m[name]; dup {
		t.Errorf("%s %q declared twice", kind, name)
	}
	m[name] = b
}

// traversals returns every variable reference in the stack.
func (s *tfStack) traversals() []hcl.Traversal {
	var out []hcl.Traversal
	for _, body := range s.bodies {
		hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
			if e, ok := n.(*hclsyntax.ScopeTraversalExpr); ok {
				out = append(out, e.Traversal)
			}
			return nil
		})
	}
	return out
}

func attrName(tr hcl.Traversal, i int) string {
	if len(tr) <= i {
		return ""
	}
	if a, ok := tr[i].(hcl.TraverseAttr); ok {
		return a.Name
	}
	return ""
}

// stubID is the id a resource gets in evaluation: recognisable in failures.
func stubID(typ, name string) string { return "stub:" + typ + "." + name }

func evalAttr(t *testing.T, ctx *hcl.EvalContext, body *hclsyntax.Body, name string) cty.Value {
	t.Helper()
	a, ok := body.Attributes[name]
	if !ok {
		t.Fatalf("attribute %s missing", name)
	}
	v, diags := a.Expr.Value(ctx)
	if diags.HasErrors() {
		t.Fatalf("attribute %s: %s", name, diags.Error())
	}
	return v
}

func stringList(t *testing.T, v cty.Value) []string {
	t.Helper()
	if v.IsNull() || !v.CanIterateElements() {
		t.Fatalf("want a list of strings, got %#v", v)
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		s, err := convert.Convert(e, cty.String)
		if err != nil {
			t.Fatalf("element %#v: %v", e, err)
		}
		out = append(out, s.AsString())
	}
	return out
}

func objectKeys(v cty.Value) []string {
	var keys []string
	for k := range v.AsValueMap() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// requiredVars are test values for the variables that have no default.
func requiredVars() map[string]cty.Value {
	return map[string]cty.Value{
		"tenancy_ocid":     cty.StringVal("ocid1.tenancy.oc1..test"),
		"region":           cty.StringVal("eu-frankfurt-1"),
		"compartment_ocid": cty.StringVal("ocid1.compartment.oc1..app"),
		"subnet_ids":       cty.ListVal([]cty.Value{cty.StringVal("ocid1.subnet.oc1..test")}),
		"function_image":   cty.StringVal("fra.ocir.io/ns/admin-apikey-guard:0.1.0"),
	}
}

func withVars(extra map[string]cty.Value) map[string]cty.Value {
	v := requiredVars()
	for k, x := range extra {
		v[k] = x
	}
	return v
}

func (s *tfStack) resource(t *testing.T, typ, name string) *hclsyntax.Block {
	t.Helper()
	b, ok := s.resources[typ][name]
	if !ok {
		t.Fatalf("resource %s.%s not declared", typ, name)
	}
	return b
}

func nestedBlock(t *testing.T, b *hclsyntax.Block, path ...string) *hclsyntax.Block {
	t.Helper()
	for _, typ := range path {
		var found *hclsyntax.Block
		for _, c := range b.Body.Blocks {
			if c.Type == typ {
				found = c
				break
			}
		}
		if found == nil {
			t.Fatalf("block %s has no nested %s", strings.Join(b.Labels, "."), typ)
		}
		b = found
	}
	return b
}
