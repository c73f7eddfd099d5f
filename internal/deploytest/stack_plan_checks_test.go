package deploytest

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// What terraform plan and apply would show of the stack (issue 20), evaluated
// from the HCL as in stack_plan_test.go: the home-region provider, the
// invoke log, the preconditions, what is known at plan, validations and the
// optional credential-event rule.

// providerOf is the provider configuration a block uses: "oci" or "oci.<alias>".
func providerOf(t *testing.T, b *hclsyntax.Block) string {
	t.Helper()
	a, ok := b.Body.Attributes["provider"]
	if !ok {
		return "oci"
	}
	st, ok := a.Expr.(*hclsyntax.ScopeTraversalExpr)
	if !ok || len(st.Traversal) != 2 {
		t.Fatalf("%s: provider is not a provider reference", strings.Join(b.Labels, "."))
	}
	return st.Traversal.RootName() + "." + attrName(st.Traversal, 1)
}

// Item 1: every IAM and identity-domain object goes through the home region;
// everything else stays in var.region.
func TestStackIdentityThroughHomeRegion(t *testing.T) {
	s := loadStack(t)
	home, ok := s.providers["home"]
	if !ok {
		t.Fatal(`no provider "oci" with alias "home": IAM writes outside the home region are refused (403 NotAllowed)`)
	}
	p := s.plan(t, requiredVars()) // region eu-frankfurt-1, home region us-phoenix-1 (dataStubs)
	if len(p.errs) > 0 {
		t.Fatal(strings.Join(p.errs, "\n"))
	}
	if got := evalAttr(t, p.ctx, home.Body, "region").AsString(); got != stubHomeRegion {
		t.Errorf("oci.home region = %q, want the subscription with is_home_region (%q)", got, stubHomeRegion)
	}
	if got := evalAttr(t, p.ctx, s.providers[""].Body, "region").AsString(); got != "eu-frankfurt-1" {
		t.Errorf("default provider region = %q, want var.region", got)
	}
	if got := evalAttr(t, p.ctx, s.outputs["home_region"].Body, "value").AsString(); got != stubHomeRegion {
		t.Errorf("output home_region = %q", got)
	}
	for _, k := range s.blocks() {
		identity := strings.HasPrefix(k.typ, "oci_identity_")
		want := "oci"
		switch {
		case k.typ == "oci_identity_region_subscriptions":
			// The lookup that configures oci.home cannot use it (a cycle);
			// reading subscriptions works from any region.
		case identity:
			want = "oci.home"
		}
		if got := providerOf(t, k.b); got != want {
			t.Errorf("%s uses provider %s, want %s", k.addr(), got, want)
		}
	}

	// No single home region: the lookup's postcondition says so at plan.
	for name, subs := range map[string]cty.Value{
		"none":       cty.TupleVal([]cty.Value{regionSubscription("eu-frankfurt-1", false)}),
		"two":        cty.TupleVal([]cty.Value{regionSubscription("eu-frankfurt-1", true), regionSubscription(stubHomeRegion, true)}),
		"no regions": cty.EmptyTupleVal,
	} {
		p := s.planWith(t, requiredVars(), planOptions{stubs: map[string]func(string) cty.Value{
			"oci_identity_region_subscriptions.this": func(string) cty.Value {
				return cty.ObjectVal(map[string]cty.Value{"region_subscriptions": subs})
			},
		}})
		if !slices.ContainsFunc(p.errs, func(e string) bool {
			return strings.Contains(e, "postcondition failed") && strings.Contains(e, "no single home region")
		}) {
			t.Errorf("%s home region: want the lookup's postcondition to fail; errors: %q", name, p.errs)
		}
	}
}

// Item 2: the application's invoke log, its OCID and the search for the
// summary lines.
func TestStackInvokeLog(t *testing.T) {
	s := loadStack(t)
	ctx := s.evalContext(t, requiredVars())
	log := s.resource(t, "oci_logging_log", "invoke")
	for attr, want := range map[string]string{
		"log_type":     "SERVICE",
		"log_group_id": stubID("oci_logging_log_group", "this"),
	} {
		if got := evalAttr(t, ctx, log.Body, attr).AsString(); got != want {
			t.Errorf("log %s = %q, want %q", attr, got, want)
		}
	}
	src := nestedBlock(t, log, "configuration", "source")
	// Oracle, Logging "Details for Functions": resource applications, category invoke.
	for attr, want := range map[string]string{
		"source_type": "OCISERVICE",
		"service":     "functions",
		"resource":    stubID("oci_functions_application", "this"),
		"category":    "invoke",
	} {
		if got := evalAttr(t, ctx, src.Body, attr).AsString(); got != want {
			t.Errorf("log source %s = %q, want %q", attr, got, want)
		}
	}
	if got := evalAttr(t, ctx, s.outputs["invoke_log_id"].Body, "value").AsString(); got != stubID("oci_logging_log", "invoke") {
		t.Errorf("output invoke_log_id = %q", got)
	}
	search := evalAttr(t, ctx, s.outputs["log_search"].Body, "value").AsString()
	scope := `search "ocid1.compartment.oc1..app/` + stubID("oci_logging_log_group", "this") + "/" + stubID("oci_logging_log", "invoke") + `"`
	if !strings.HasPrefix(search, scope+" | ") {
		t.Errorf("log_search %q does not search the invoke log (%s)", search, scope)
	}
	// The needle is what the function writes: slog's JSON handler renders the
	// message as "msg":"summary", which the handler's own test asserts on the
	// real handler's output.
	const needle = `"msg":"summary"`
	if !strings.Contains(search, "data.message = '*"+needle+"*'") {
		t.Errorf("log_search %q does not match data.message against %s", search, needle)
	}
	if !strings.Contains(readRepoFile(t, filepath.Join("internal", "handler", "handler_test.go")), "`"+needle+"`") {
		t.Errorf("internal/handler's test no longer asserts the %s line the log search looks for", needle)
	}
}

// Item 3: an empty (or ambiguous) Default-domain dynamic-group lookup stops
// the grant with a message that says what to do, not with "Invalid index".
// On the stack before issue 20 the same plan fails with "Invalid index".
func TestStackDefaultDomainLookupPrecondition(t *testing.T) {
	s := loadStack(t)
	vars := withVars(map[string]cty.Value{"identity_api": cty.StringVal("scim"), "grant_domain_role": cty.True})
	group := func(id string) cty.Value { return cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal(id)}) }
	for name, found := range map[string]cty.Value{
		"not yet visible": cty.EmptyTupleVal,
		"two":             cty.TupleVal([]cty.Value{group("a"), group("b")}),
	} {
		t.Run(name, func(t *testing.T) {
			p := s.planWith(t, vars, planOptions{stubs: map[string]func(string) cty.Value{
				"oci_identity_domains_dynamic_resource_groups.fn": func(string) cty.Value {
					return cty.ObjectVal(map[string]cty.Value{"dynamic_resource_groups": found})
				},
			}})
			var precondition bool
			for _, e := range p.errs {
				if strings.Contains(e, "Invalid index") {
					t.Errorf("the lookup result is indexed without a guard: %s", e)
				}
				if strings.HasPrefix(e, `oci_identity_domains_grant.domain_role: precondition failed`) &&
					strings.Contains(e, "run apply again in a few minutes") && strings.Contains(e, "dynamic_group_name") {
					precondition = true
				}
			}
			if !precondition {
				t.Errorf("want the grant's precondition to say what to do; errors: %q", p.errs)
			}
		})
	}
}

// Item 3: with a created topic, every config value but the topic's OCID is
// known at plan, DRY_RUN included. On the stack before issue 20 the whole
// config is unknown.
func TestStackConfigKnownAtPlan(t *testing.T) {
	s := loadStack(t)
	p := s.planWith(t, withVars(map[string]cty.Value{"create_notification_topic": cty.True}), planOptions{unknownIDs: true})
	if len(p.errs) > 0 {
		t.Fatal(strings.Join(p.errs, "\n"))
	}
	cfg := evalAttr(t, p.ctx, s.resource(t, "oci_functions_function", "this").Body, "config")
	if !cfg.IsKnown() {
		t.Fatal("the function config is unknown at plan: a reviewer cannot see DRY_RUN")
	}
	m := cfg.AsValueMap()
	if v := m["DRY_RUN"]; v == cty.NilVal || !v.IsKnown() || v.AsString() != "true" {
		t.Errorf("DRY_RUN at plan = %#v, want a known \"true\"", v)
	}
	for k, v := range m {
		switch {
		case k == "NOTIFICATION_TOPIC_ID" && v.IsKnown():
			t.Errorf("NOTIFICATION_TOPIC_ID is known at plan (%#v): the evaluation did not make the created topic's OCID unknown", v)
		case k != "NOTIFICATION_TOPIC_ID" && !v.IsKnown():
			t.Errorf("config %s is unknown at plan", k)
		}
	}
	if _, ok := m["NOTIFICATION_TOPIC_ID"]; !ok {
		t.Error("NOTIFICATION_TOPIC_ID missing with a created topic")
	}
}

// Item 3: grant_domain_role creates a grant only where the configuration
// makes SCIM calls. On the stack before issue 20, identity_api = "iam" still
// granted Identity Domain Administrator.
func TestStackDomainRoleOnlyWhenNeeded(t *testing.T) {
	s := loadStack(t)
	for _, tc := range []struct {
		name   string
		vars   map[string]cty.Value
		grants int
		note   string
	}{
		{"iam", map[string]cty.Value{"identity_api": cty.StringVal("iam")}, 0, "no role was granted"},
		{"iam with a secondary-domain group", map[string]cty.Value{
			"identity_api": cty.StringVal("iam"), "admin_groups": cty.StringVal("Engineering/Administrators")}, 0, "no role was granted"},
		{"auto, Default-domain groups", nil, 0, "no role was granted"},
		{"auto, a secondary-domain group", map[string]cty.Value{"admin_groups": cty.StringVal("Engineering/Administrators")}, 1, ""},
		{"auto, policy admins", map[string]cty.Value{"include_policy_admins": cty.True}, 1, ""},
		{"scim", map[string]cty.Value{"identity_api": cty.StringVal("scim")}, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vars := withVars(map[string]cty.Value{"grant_domain_role": cty.True})
			for k, v := range tc.vars {
				vars[k] = v
			}
			p := s.plan(t, vars)
			if len(p.errs) > 0 {
				t.Fatal(strings.Join(p.errs, "\n"))
			}
			var grants, lookups int
			for a := range p.instances {
				if strings.HasPrefix(a, "oci_identity_domains_grant.") {
					grants++
				}
				if strings.HasPrefix(a, "data.oci_identity_domains") {
					lookups++
				}
			}
			if grants != tc.grants {
				t.Errorf("%d grants, want %d", grants, tc.grants)
			}
			if tc.grants == 0 && lookups > 0 {
				t.Errorf("%d identity-domain lookups for a grant that is not made", lookups)
			}
			out := evalAttr(t, p.ctx, s.outputs["domain_role"].Body, "value")
			if tc.grants == 0 && out.GetAttr("role").AsString() != "" {
				t.Errorf("output domain_role.role = %q, want empty: nothing granted", out.GetAttr("role").AsString())
			}
			if note := out.GetAttr("note").AsString(); !strings.Contains(note, tc.note) || (tc.note == "" && note != "") {
				t.Errorf("output domain_role.note = %q, want it to say %q", note, tc.note)
			}
		})
	}
}

// Item 3: variables.tf refuses what the form refuses, and what Resource
// Scheduler would refuse at apply. Each refused value was accepted by the
// stack before issue 20.
func TestStackVariableValidations(t *testing.T) {
	s := loadStack(t)
	str := cty.StringVal
	for _, tc := range []struct {
		variable string
		value    cty.Value
		ok       bool
	}{
		{"notification_topic_id", str(""), true},
		{"notification_topic_id", str("ocid1.onstopic.oc1.eu-frankfurt-1.aaaa"), true},
		{"notification_topic_id", str("ocid1.topic.oc1..aaaa"), false},
		{"notification_topic_id", str("my-topic"), false},
		{"schedule_cron", str("0 0 * * *"), true},
		{"schedule_cron", str("*/30 2-4 1,15 JAN-JUN MON-FRI"), true},
		{"schedule_cron", str("0 0 0 * * ?"), false}, // Quartz: seconds field and ?
		{"schedule_cron", str("daily"), false},
		{"schedule_cron", str(""), false},
		{"instance_start_cron", str("0 0 * *"), false},
		{"instance_stop_cron", str("10 0 * * * 2027"), false},
		{"notification_email", str(""), true},
		{"notification_email", str("security@example.com"), true},
		{"notification_email", str("security"), false},
		{"notification_email", str("a@example.com,b@example.com"), false},
		{"function_image", str("fra.ocir.io/ns/admin-apikey-guard:0.1.0"), true},
		{"function_image", str("eu-frankfurt-1.ocir.io/ns/admin-apikey-guard:0.1.0"), true},
		{"function_image", str("artifacts.eu-frankfurt-1.oci.oraclecloud.com/ns/admin-apikey-guard:0.1.0"), true},
		{"function_image", str("docker.io/library/admin-apikey-guard:0.1.0"), false},
		{"function_image", str("fra.ocir.io/ns/admin-apikey-guard"), false},
		{"key_event_types", cty.ListVal([]cty.Value{str("com.oraclecloud.identitycontrolplane.uploadapikey")}), true},
		{"key_event_types", cty.ListVal([]cty.Value{str("uploadapikey")}), false},
	} {
		errs := s.validate(tc.variable, tc.value)
		if got := len(errs) == 0; got != tc.ok {
			t.Errorf("%s = %#v: accepted %v, want %v (%q)", tc.variable, tc.value, got, tc.ok, errs)
		}
	}
}

// Item 3: an e-mail address without a created topic is refused at plan, not
// ignored (before issue 20 the stack planned no subscription and said nothing).
func TestStackEmailWithoutTopicRefused(t *testing.T) {
	s := loadStack(t)
	for _, topic := range []map[string]cty.Value{
		{},
		{"notification_topic_id": cty.StringVal("ocid1.onstopic.oc1..existing")},
	} {
		vars := withVars(map[string]cty.Value{"notification_email": cty.StringVal("security@example.com")})
		for k, v := range topic {
			vars[k] = v
		}
		p := s.plan(t, vars)
		if !slices.ContainsFunc(p.errs, func(e string) bool {
			return strings.Contains(e, "precondition failed") && strings.Contains(e, "set create_notification_topic = true")
		}) {
			t.Errorf("%v: notification_email without a created topic was not refused; errors: %q", topic, p.errs)
		}
	}
	p := s.plan(t, withVars(map[string]cty.Value{
		"notification_email": cty.StringVal("security@example.com"), "create_notification_topic": cty.True}))
	if len(p.errs) > 0 {
		t.Errorf("e-mail with a created topic refused: %q", p.errs)
	}
}

// Item 4: the form's patterns are the variables' validations: the same
// sample values pass or fail both.
func TestSchemaYAMLPatternsMatchValidations(t *testing.T) {
	s := loadStack(t)
	rm := loadRMSchema(t)
	samples := map[string][]string{
		"function_image": {"fra.ocir.io/ns/a:1", "us-ashburn-1.ocir.io/ns/a/b:1", "artifacts.us-ashburn-1.oci.oraclecloud.com/ns/a:1",
			"docker.io/a:1", "fra.ocir.io/ns/a", "FRA.ocir.io/ns/a:1"},
		"notification_topic_id": {"", "ocid1.onstopic.oc1..x", "ocid1.topic.oc1..x"},
		"notification_email":    {"", "a@example.com", "a", "a@b"},
		"schedule_cron":         {"0 0 * * *", "0 0 * * * *", "0 0 ? * *", "@daily"},
		"instance_start_cron":   {"0 0 * * *", "0 0 * *"},
		"instance_stop_cron":    {"10 0 * * *", "10 0 * * * *"},
	}
	for name, values := range samples {
		pattern := rm.Variables[name].Pattern
		if pattern == "" {
			t.Errorf("schema.yaml %s has no pattern", name)
			continue
		}
		re := regexp.MustCompile(pattern)
		for _, v := range values {
			form := re.MatchString(v)
			tf := len(s.validate(name, cty.StringVal(v))) == 0
			if form != tf {
				t.Errorf("%s = %q: the form accepts it %v, variables.tf %v", name, v, form, tf)
			}
		}
	}
}

// Item 5: the optional rule on credential events: none by default; with
// event types, a rule in the tenancy that invokes the function, and the
// Events service's grant.
func TestStackKeyEventRule(t *testing.T) {
	s := loadStack(t)
	p := s.plan(t, requiredVars())
	if p.instances["oci_events_rule.credential_created[0]"] {
		t.Error("a credential-event rule is created by default")
	}
	types := []string{"com.oraclecloud.identitycontrolplane.uploadapikey", "com.oraclecloud.identitycontrolplane.createauthtoken"}
	var list []cty.Value
	for _, ty := range types {
		list = append(list, cty.StringVal(ty))
	}
	ctx := s.evalContext(t, withVars(map[string]cty.Value{"trigger_mode": cty.StringVal("none"), "key_event_types": cty.ListVal(list)}))
	rule := s.resource(t, "oci_events_rule", "credential_created")
	var cond struct {
		EventType []string `json:"eventType"`
	}
	if err := json.Unmarshal([]byte(evalAttr(t, ctx, rule.Body, "condition").AsString()), &cond); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cond.EventType, types) {
		t.Errorf("rule event types %q, want %q", cond.EventType, types)
	}
	if got := evalAttr(t, ctx, rule.Body, "compartment_id").AsString(); got != "ocid1.tenancy.oc1..test" {
		t.Errorf("rule compartment %q, want the tenancy (IAM users live in the root compartment)", got)
	}
	action := nestedBlock(t, rule, "actions", "action")
	if got := evalAttr(t, ctx, action.Body, "action_type").AsString(); got != "FAAS" {
		t.Errorf("action_type %q", got)
	}
	if got := evalAttr(t, ctx, action.Body, "function_id").AsString(); got != stubID("oci_functions_function", "this") {
		t.Errorf("rule invokes %q, want the function", got)
	}
	events := stringList(t, evalAttr(t, ctx, s.resource(t, "oci_identity_policy", "events_invoke").Body, "statements"))
	if want := []string{"Allow service cloudEvents to use functions-family in compartment id ocid1.compartment.oc1..app"}; !slices.Equal(events, want) {
		t.Errorf("events grant %q, want %q", events, want)
	}
}
