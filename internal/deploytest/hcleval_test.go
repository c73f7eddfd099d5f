package deploytest

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// This file evaluates the stack the way `terraform plan` would decide which
// resources exist, without Terraform or the OCI provider (neither is on a
// clean CI machine; the provider binary is not available at all): variables
// (defaults overridden by the test) -> locals -> count / for_each of every
// resource and data source. Resource attributes the provider would compute
// are stubs ("stub:<type>.<name>" ids); data sources return the stub objects
// the test supplies (dataStubs). Only the Terraform functions the stack uses
// are provided; an unknown function fails the evaluation. Like terraform plan,
// it refuses variable values their validation blocks reject and reports a
// precondition or postcondition whose condition is false, with its message.

func convertFunc(ty cty.Type) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "v", Type: cty.DynamicPseudoType, AllowNull: true}},
		Type:   function.StaticReturnType(ty),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return convert.Convert(args[0], ty)
		},
	})
}

// oneFunc is Terraform's one(): null for an empty collection, its element for
// one, an error for more.
var oneFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type:   function.StaticReturnType(cty.DynamicPseudoType),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		if !v.IsKnown() {
			return cty.DynamicVal, nil
		}
		switch n := v.LengthInt(); n {
		case 0:
			return cty.NullVal(cty.DynamicPseudoType), nil
		case 1:
			it := v.ElementIterator()
			it.Next()
			_, e := it.Element()
			return e, nil
		default:
			return cty.NilVal, fmt.Errorf("must be a list, set, or tuple value with either zero or one elements, not %d", n)
		}
	},
})

// alltrueFunc is Terraform's alltrue(): true when every element is true.
var alltrueFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
	Type:   function.StaticReturnType(cty.Bool),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		result := cty.True
		for it := args[0].ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.IsNull() {
				return cty.False, nil
			}
			result = result.And(e)
		}
		return result, nil
	},
})

// lengthFunc is Terraform's length(): characters of a string, elements of a
// collection (cty's stdlib length takes collections only).
var lengthFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowUnknown: true}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if args[0].Type() == cty.String {
			return stdlib.Strlen(args[0])
		}
		return stdlib.Length(args[0])
	},
})

var tfFunctions = map[string]function.Function{
	"alltrue":    alltrueFunc,
	"can":        tryfunc.CanFunc,
	"flatten":    stdlib.FlattenFunc,
	"merge":      stdlib.MergeFunc,
	"one":        oneFunc,
	"regex":      stdlib.RegexFunc,
	"concat":     stdlib.ConcatFunc,
	"contains":   stdlib.ContainsFunc,
	"join":       stdlib.JoinFunc,
	"jsonencode": stdlib.JSONEncodeFunc,
	"keys":       stdlib.KeysFunc,
	"length":     lengthFunc,
	"lower":      stdlib.LowerFunc,
	"regexall":   stdlib.RegexAllFunc,
	"split":      stdlib.SplitFunc,
	"tostring":   convertFunc(cty.String),
	"toset":      convertFunc(cty.Set(cty.String)),
	"trimspace":  stdlib.TrimSpaceFunc,
	"trimsuffix": stdlib.TrimSuffixFunc,
	"values":     stdlib.ValuesFunc,
}

// dataStubs are the values data sources return in evaluation, by
// "type.name", as a function of the instance key ("" without for_each).
func dataStubs() map[string]func(key string) cty.Value {
	obj := func(attrs map[string]cty.Value) func(string) cty.Value {
		return func(string) cty.Value { return cty.ObjectVal(attrs) }
	}
	list := func(attrs map[string]cty.Value) cty.Value { return cty.TupleVal([]cty.Value{cty.ObjectVal(attrs)}) }
	return map[string]func(string) cty.Value{
		"oci_identity_region_subscriptions.this": obj(map[string]cty.Value{"region_subscriptions": cty.TupleVal([]cty.Value{
			regionSubscription("eu-frankfurt-1", false), regionSubscription(stubHomeRegion, true),
		})}),
		"oci_identity_domains.default": obj(map[string]cty.Value{"domains": list(map[string]cty.Value{
			"id": cty.StringVal(stubDefaultDomainID), "url": cty.StringVal(stubDefaultDomainURL + "/"), "type": cty.StringVal("DEFAULT"),
		})}),
		"oci_identity_domain.role": func(id string) cty.Value {
			if id == stubDefaultDomainID {
				return cty.ObjectVal(map[string]cty.Value{"url": cty.StringVal(stubDefaultDomainURL), "type": cty.StringVal("DEFAULT")})
			}
			return cty.ObjectVal(map[string]cty.Value{"url": cty.StringVal(stubDomainURL(id)), "type": cty.StringVal("SECONDARY")})
		},
		"oci_identity_domains_dynamic_resource_groups.fn": obj(map[string]cty.Value{"dynamic_resource_groups": list(map[string]cty.Value{
			"id": cty.StringVal("stub-scim-id-of-default-dynamic-group"),
		})}),
		"oci_identity_domains_app_roles.domain_role": obj(map[string]cty.Value{"app_roles": list(map[string]cty.Value{
			"id": cty.StringVal("stub-app-role-id"),
		})}),
	}
}

const stubDefaultDomainID = "ocid1.domain.oc1..default"

// stubHomeRegion is the tenancy's home region in evaluation; the stack's
// region variable is another one (requiredVars), as in a stack applied
// outside the home region.
const stubHomeRegion = "us-phoenix-1"

func regionSubscription(name string, home bool) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"region_name": cty.StringVal(name), "is_home_region": cty.BoolVal(home)})
}

func stubDomainURL(id string) string {
	return "https://idcs-" + strings.TrimPrefix(id, "ocid1.domain.oc1..") + ".identity.oraclecloud.com"
}

const stubDefaultDomainURL = "https://idcs-default.identity.oraclecloud.com"

// block is a resource or data source of the stack.
type block struct {
	data      bool
	typ, name string
	b         *hclsyntax.Block
}

func (k block) addr() string {
	if k.data {
		return "data." + k.typ + "." + k.name
	}
	return k.typ + "." + k.name
}

func (s *tfStack) blocks() []block {
	var out []block
	for typ, byName := range s.resources {
		for name, b := range byName {
			out = append(out, block{false, typ, name, b})
		}
	}
	for typ, byName := range s.data {
		for name, b := range byName {
			out = append(out, block{true, typ, name, b})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].addr() < out[j].addr() })
	return out
}

// instanceKeys is how many instances a block has: nil for a block without
// count/for_each, "0".."n-1" for count, the keys for for_each.
func instanceKeys(b *hclsyntax.Block, ctx *hcl.EvalContext) (keys []string, single bool, err error) {
	if a, ok := b.Body.Attributes["count"]; ok {
		v, diags := a.Expr.Value(ctx)
		if diags.HasErrors() {
			return nil, false, diags
		}
		if !v.IsWhollyKnown() || v.IsNull() {
			return nil, false, fmt.Errorf("%s: count is not known at plan time", a.SrcRange)
		}
		n, _ := v.AsBigFloat().Int64()
		for i := range n {
			keys = append(keys, fmt.Sprint(i))
		}
		return keys, false, nil
	}
	if a, ok := b.Body.Attributes["for_each"]; ok {
		v, diags := a.Expr.Value(ctx)
		if diags.HasErrors() {
			return nil, false, diags
		}
		if !v.IsWhollyKnown() || v.IsNull() {
			return nil, false, fmt.Errorf("%s: for_each keys are not known at plan time", a.SrcRange)
		}
		if v.Type().IsSetType() {
			for it := v.ElementIterator(); it.Next(); {
				_, e := it.Element()
				keys = append(keys, e.AsString())
			}
		} else {
			keys = slices.Sorted(maps.Keys(v.AsValueMap()))
		}
		return keys, false, nil
	}
	return nil, true, nil
}

// eachValue is each.value of a for_each instance.
func eachValue(b *hclsyntax.Block, ctx *hcl.EvalContext, key string) cty.Value {
	v, _ := b.Body.Attributes["for_each"].Expr.Value(ctx)
	if v.Type().IsSetType() {
		return cty.StringVal(key)
	}
	return v.AsValueMap()[key]
}

// planOptions change what the evaluation assumes.
type planOptions struct {
	// unknownIDs: resource ids are unknown, as they are in terraform plan
	// before the resources exist (by default they are "stub:..." strings,
	// which tests compare). Data source results stay the stubs.
	unknownIDs bool
	// stubs replace dataStubs() entries, by "type.name".
	stubs map[string]func(key string) cty.Value
}

// stubObject is one instance: its known top-level attributes, a stub id and,
// for a data source, the test's stub result.
func stubObject(k block, ctx *hcl.EvalContext, id cty.Value, stub cty.Value) cty.Value {
	attrs := map[string]cty.Value{}
	for name, a := range k.b.Body.Attributes {
		if name == "count" || name == "for_each" || name == "depends_on" || name == "provider" {
			continue
		}
		if v, diags := a.Expr.Value(ctx); !diags.HasErrors() {
			attrs[name] = v
		}
	}
	if stub != cty.NilVal {
		maps.Copy(attrs, stub.AsValueMap())
	}
	attrs["id"] = id
	return cty.ObjectVal(attrs)
}

// plan is the evaluated stack for one set of variables.
type plan struct {
	ctx       *hcl.EvalContext // locals, with var/resources/data in its parent
	instances map[string]bool  // "type.name", "type.name[key]", "data.type.name[...]"
	errs      []string
}

// resourceAddrs are the managed resources that would be created, sorted.
func (p *plan) resourceAddrs() []string {
	var out []string
	for a := range p.instances {
		if !strings.HasPrefix(a, "data.") {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

func (s *tfStack) plan(t *testing.T, vars map[string]cty.Value) *plan {
	t.Helper()
	return s.planWith(t, vars, planOptions{})
}

func (s *tfStack) planWith(t *testing.T, vars map[string]cty.Value, opts planOptions) *plan {
	t.Helper()
	varVals := map[string]cty.Value{}
	for name, b := range s.variables {
		if v, ok := vars[name]; ok {
			varVals[name] = v
			continue
		}
		def, ok := b.Body.Attributes["default"]
		if !ok {
			t.Fatalf("variable %s has no default and the test gave no value", name)
		}
		v, diags := def.Expr.Value(nil)
		if diags.HasErrors() {
			t.Fatalf("variable %s default: %s", name, diags.Error())
		}
		varVals[name] = v
	}
	for name := range vars {
		if _, ok := s.variables[name]; !ok {
			t.Fatalf("test sets undeclared variable %s", name)
		}
	}
	var validationErrs []string
	for _, name := range slices.Sorted(maps.Keys(varVals)) {
		validationErrs = append(validationErrs, s.validate(name, varVals[name])...)
	}
	stubs := dataStubs()
	maps.Copy(stubs, opts.stubs)
	idOf := func(id string) cty.Value {
		if opts.unknownIDs {
			return cty.UnknownVal(cty.String)
		}
		return cty.StringVal(id)
	}
	blocks := s.blocks()
	objs := map[string]cty.Value{} // addr -> value as expressions see it
	for _, k := range blocks {
		objs[k.addr()] = cty.DynamicVal
	}
	var p *plan
	type instance struct {
		k    block
		ctx  *hcl.EvalContext
		self cty.Value
	}
	var insts []instance
	prev := ""
	for iter := 0; iter < 8; iter++ {
		root := map[string]cty.Value{
			"var":  cty.ObjectVal(varVals),
			"path": cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal(".")}),
		}
		byType := map[string]map[string]cty.Value{}
		dataByType := map[string]map[string]cty.Value{}
		for _, k := range blocks {
			m := byType
			if k.data {
				m = dataByType
			}
			if m[k.typ] == nil {
				m[k.typ] = map[string]cty.Value{}
			}
			m[k.typ][k.name] = objs[k.addr()]
		}
		for typ, v := range byType {
			root[typ] = cty.ObjectVal(v)
		}
		data := map[string]cty.Value{}
		for typ, v := range dataByType {
			data[typ] = cty.ObjectVal(v)
		}
		root["data"] = cty.ObjectVal(data)
		ctx := &hcl.EvalContext{Variables: root, Functions: tfFunctions}

		// Locals may depend on each other: evaluate until nothing more resolves.
		known := map[string]cty.Value{}
		localErrs := map[string]string{}
		for progress := true; progress; {
			progress = false
			for name, a := range s.locals {
				if _, ok := known[name]; ok {
					continue
				}
				child := ctx.NewChild()
				child.Variables = map[string]cty.Value{"local": cty.ObjectVal(known)}
				v, diags := a.Expr.Value(child)
				if diags.HasErrors() {
					localErrs[name] = diags.Error()
					continue
				}
				delete(localErrs, name)
				known[name] = v
				progress = true
			}
		}
		lctx := ctx.NewChild()
		lctx.Variables = map[string]cty.Value{"local": cty.ObjectVal(known)}
		p = &plan{ctx: lctx, instances: map[string]bool{}, errs: slices.Clone(validationErrs)}
		insts = insts[:0]
		for name, e := range localErrs {
			p.errs = append(p.errs, "local."+name+": "+e)
		}

		for _, k := range blocks {
			keys, single, err := instanceKeys(k.b, lctx)
			if err != nil {
				p.errs = append(p.errs, k.addr()+": "+err.Error())
				objs[k.addr()] = cty.DynamicVal
				continue
			}
			stub := func(string) cty.Value { return cty.NilVal }
			if k.data {
				if stub = stubs[k.typ+"."+k.name]; stub == nil {
					t.Fatalf("no stub result for data source %s", k.addr())
				}
			}
			if single {
				p.instances[k.addr()] = true
				objs[k.addr()] = stubObject(k, lctx, idOf(stubID(k.typ, k.name)), stub(""))
				insts = append(insts, instance{k, lctx, objs[k.addr()]})
				continue
			}
			_, counted := k.b.Body.Attributes["count"]
			var tuple []cty.Value
			m := map[string]cty.Value{}
			for i, key := range keys {
				ictx := lctx.NewChild()
				id := stubID(k.typ, k.name)
				if counted {
					ictx.Variables = map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(int64(i))})}
					p.instances[k.addr()+"["+key+"]"] = true
				} else {
					ictx.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{
						"key": cty.StringVal(key), "value": eachValue(k.b, lctx, key),
					})}
					id += "[" + key + "]"
					p.instances[k.addr()+"["+fmt.Sprintf("%q", key)+"]"] = true
				}
				o := stubObject(k, ictx, idOf(id), stub(key))
				insts = append(insts, instance{k, ictx, o})
				tuple = append(tuple, o)
				m[key] = o
			}
			switch {
			case counted && len(tuple) == 0:
				objs[k.addr()] = cty.EmptyTupleVal
			case counted:
				objs[k.addr()] = cty.TupleVal(tuple)
			default:
				objs[k.addr()] = cty.ObjectVal(m)
			}
		}
		state := fmt.Sprint(slices.Sorted(maps.Keys(p.instances)), len(p.errs), len(known))
		if state == prev && iter > 1 {
			break
		}
		prev = state
	}
	// Every argument of every planned instance must evaluate (a reference to
	// an instance that does not exist, a bad index, a wrong type...), as it
	// must for terraform plan.
	for _, in := range insts {
		p.errs = append(p.errs, evalBody(in.k.addr(), in.k.b.Body, in.ctx, in.self)...)
	}
	return p
}

// evalBody evaluates every argument of a block and checks its conditions:
// a precondition or postcondition (self is the instance) whose condition is
// false is reported as "<addr>: <kind> failed: <error_message>". A condition
// not known at plan is left to apply, as Terraform does.
func evalBody(where string, body *hclsyntax.Body, ctx *hcl.EvalContext, self cty.Value) []string {
	var errs []string
	for name, a := range body.Attributes {
		if name == "provider" || name == "depends_on" {
			continue // references to configurations and objects, not values
		}
		if _, diags := a.Expr.Value(ctx); diags.HasErrors() {
			errs = append(errs, where+"."+name+": "+diags.Error())
		}
	}
	for _, b := range body.Blocks {
		if b.Type == "lifecycle" {
			for _, pc := range b.Body.Blocks {
				cctx := ctx
				if pc.Type == "postcondition" {
					cctx = ctx.NewChild()
					cctx.Variables = map[string]cty.Value{"self": self}
				}
				errs = append(errs, checkCondition(where+": "+pc.Type, pc.Body, cctx)...)
			}
			continue
		}
		errs = append(errs, evalBody(where+"."+b.Type, b.Body, ctx, self)...)
	}
	return errs
}

// checkCondition evaluates a condition block (precondition, postcondition,
// validation): an evaluation error, or "<where> failed: <error_message>".
func checkCondition(where string, body *hclsyntax.Body, ctx *hcl.EvalContext) []string {
	cond, diags := body.Attributes["condition"].Expr.Value(ctx)
	if diags.HasErrors() {
		return []string{where + " condition: " + diags.Error()}
	}
	msg, diags := body.Attributes["error_message"].Expr.Value(ctx)
	if diags.HasErrors() {
		return []string{where + " error_message: " + diags.Error()}
	}
	if !cond.IsKnown() || cond.True() {
		return nil
	}
	return []string{where + " failed: " + msg.AsString()}
}

// validate checks value against the validation blocks of variable name, as
// terraform plan does before anything else.
func (s *tfStack) validate(name string, value cty.Value) []string {
	v, ok := s.variables[name]
	if !ok {
		return []string{"var." + name + " is not declared"}
	}
	var errs []string
	for _, b := range v.Body.Blocks {
		if b.Type != "validation" {
			continue
		}
		ctx := &hcl.EvalContext{
			Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{name: value})},
			Functions: tfFunctions,
		}
		errs = append(errs, checkCondition("var."+name+": validation", b.Body, ctx)...)
	}
	return errs
}

// evalContext is the planned stack's evaluation context (see plan); the
// test fails if the plan could not be computed.
func (s *tfStack) evalContext(t *testing.T, vars map[string]cty.Value) *hcl.EvalContext {
	t.Helper()
	p := s.plan(t, vars)
	if len(p.errs) > 0 {
		t.Fatalf("stack does not evaluate:\n%s", strings.Join(p.errs, "\n"))
	}
	return p.ctx
}
