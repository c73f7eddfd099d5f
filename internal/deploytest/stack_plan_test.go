package deploytest

import (
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// Resources every deployment has, whatever the mode and features.
var alwaysPlanned = []string{
	"oci_functions_application.this",
	"oci_functions_function.this",
	"oci_identity_dynamic_group.fn",
	"oci_identity_policy.fn",
	"oci_logging_log.invoke",
	"oci_logging_log_group.this",
}

var triggerPlanned = map[string][]string{
	"instance_start_event": {
		"oci_events_rule.instance_started[0]",
		"oci_identity_policy.events_invoke[0]",
		"oci_identity_policy.instance_schedules[0]",
		"oci_resource_scheduler_schedule.instance_start[0]",
		"oci_resource_scheduler_schedule.instance_stop[0]",
	},
	"direct_schedule": {
		"oci_identity_policy.function_schedule[0]",
		"oci_resource_scheduler_schedule.function[0]",
	},
	"none": nil,
}

// featureCase is one feature setting: the variables and the resources they
// add. Extend the table, not the test.
type featureCase struct {
	name string
	vars map[string]cty.Value
	adds []string
}

const secondaryDomainID = "ocid1.domain.oc1..engineering"

var featureCases = []featureCase{
	{name: "defaults"},
	{name: "existing topic", vars: map[string]cty.Value{"notification_topic_id": cty.StringVal("ocid1.onstopic.oc1..x")}},
	{name: "created topic", vars: map[string]cty.Value{"create_notification_topic": cty.True},
		adds: []string{"oci_ons_notification_topic.this[0]"}},
	{name: "created topic with e-mail", vars: map[string]cty.Value{
		"create_notification_topic": cty.True, "notification_email": cty.StringVal("sec@example.com")},
		adds: []string{"oci_ons_notification_topic.this[0]", "oci_ons_subscription.email[0]"}},
	{name: "disable capability", vars: map[string]cty.Value{"disable_api_key_capability": cty.True}},
	{name: "identity_api scim without the role", vars: map[string]cty.Value{"identity_api": cty.StringVal("scim")}},
	{name: "domain role in the Default domain", vars: map[string]cty.Value{
		"identity_api": cty.StringVal("scim"), "grant_domain_role": cty.True},
		adds: []string{`oci_identity_domains_grant.domain_role["` + stubDefaultDomainID + `"]`}},
	{name: "domain role in Default and a secondary domain", vars: map[string]cty.Value{
		"admin_groups":      cty.StringVal("Administrators,Engineering/Administrators"),
		"grant_domain_role": cty.True,
		"domain_role_domain_ids": cty.ListVal([]cty.Value{
			cty.StringVal(stubDefaultDomainID), cty.StringVal(secondaryDomainID)}),
	}, adds: []string{
		`oci_identity_domains_dynamic_resource_group.fn["` + secondaryDomainID + `"]`,
		`oci_identity_domains_grant.domain_role["` + stubDefaultDomainID + `"]`,
		`oci_identity_domains_grant.domain_role["` + secondaryDomainID + `"]`,
	}},
	// Never a grant the configuration does not need (issue 20 item 3).
	{name: "domain role asked for with identity_api iam", vars: map[string]cty.Value{
		"identity_api": cty.StringVal("iam"), "grant_domain_role": cty.True}},
	{name: "domain role asked for with auto and Default-domain groups only", vars: map[string]cty.Value{
		"grant_domain_role": cty.True}},
	{name: "key event types", vars: map[string]cty.Value{
		"key_event_types": cty.ListVal([]cty.Value{cty.StringVal("com.oraclecloud.identitycontrolplane.uploadapikey")})},
		adds: []string{"oci_events_rule.credential_created[0]", "oci_identity_policy.events_invoke[0]"}},
	{name: "domain role in a secondary domain only", vars: map[string]cty.Value{
		"admin_groups":           cty.StringVal("Engineering/Administrators"),
		"grant_domain_role":      cty.True,
		"domain_role_domain_ids": cty.ListVal([]cty.Value{cty.StringVal(secondaryDomainID)}),
	}, adds: []string{
		`oci_identity_domains_dynamic_resource_group.fn["` + secondaryDomainID + `"]`,
		`oci_identity_domains_grant.domain_role["` + secondaryDomainID + `"]`,
	}},
}

// TestStackPlanPerMode evaluates count/for_each for every trigger_mode ×
// feature case (see hcleval_test.go: the HCL is evaluated here, not by
// terraform plan) and compares the managed resources with the intended set.
func TestStackPlanPerMode(t *testing.T) {
	s := loadStack(t)
	for mode, trig := range triggerPlanned {
		for _, fc := range featureCases {
			t.Run(mode+"/"+fc.name, func(t *testing.T) {
				vars := map[string]cty.Value{
					"trigger_mode":        cty.StringVal(mode),
					"trigger_instance_id": cty.StringVal("ocid1.instance.oc1..trigger"),
				}
				for k, v := range fc.vars {
					vars[k] = v
				}
				p := s.plan(t, withVars(vars))
				if len(p.errs) > 0 {
					t.Fatalf("stack does not evaluate:\n%s", strings.Join(p.errs, "\n"))
				}
				want := slices.Concat(alwaysPlanned, trig, fc.adds)
				slices.Sort(want)
				want = slices.Compact(want) // the Events grant serves both rules
				if got := p.resourceAddrs(); !slices.Equal(got, want) {
					t.Errorf("planned resources\n got: %q\nwant: %q", got, want)
				}
			})
		}
	}
}

// The grant's shape, evaluated: grantee type, mechanism, the app and the role.
func TestStackDomainRoleGrant(t *testing.T) {
	s := loadStack(t)
	p := s.plan(t, withVars(map[string]cty.Value{
		// A secondary-domain group makes identity_api auto use SCIM, so the
		// role is needed (without one, no grant is created).
		"admin_groups":      cty.StringVal("Administrators,Engineering/Administrators"),
		"grant_domain_role": cty.True,
		"domain_role_domain_ids": cty.ListVal([]cty.Value{
			cty.StringVal(stubDefaultDomainID), cty.StringVal(secondaryDomainID)}),
	}))
	if len(p.errs) > 0 {
		t.Fatal(strings.Join(p.errs, "\n"))
	}
	grants := p.ctx.Parent().Variables["oci_identity_domains_grant"].GetAttr("domain_role").AsValueMap()
	if len(grants) != 2 {
		t.Fatalf("%d grants, want 2", len(grants))
	}
	g := s.resource(t, "oci_identity_domains_grant", "domain_role")
	domains := p.ctx.Variables["local"].GetAttr("domain_role_domains").AsValueMap()
	for id, wantGrantee := range map[string]string{
		stubDefaultDomainID: "stub-scim-id-of-default-dynamic-group",
		secondaryDomainID:   stubID("oci_identity_domains_dynamic_resource_group", "fn") + "[" + secondaryDomainID + "]",
	} {
		url := stubDefaultDomainURL
		if id != stubDefaultDomainID {
			url = stubDomainURL(id)
		}
		ctx := p.ctx.NewChild()
		ctx.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{
			"key": cty.StringVal(id), "value": domains[id]})}
		if got := evalAttr(t, ctx, g.Body, "idcs_endpoint").AsString(); got != url {
			t.Errorf("grant endpoint %q, want %q", got, url)
		}
		if got := evalAttr(t, ctx, g.Body, "grant_mechanism").AsString(); got != "ADMINISTRATOR_TO_DYNAMIC_RESOURCE_GROUP" {
			t.Errorf("grant_mechanism %q", got)
		}
		grantee := nestedBlock(t, g, "grantee")
		if got := evalAttr(t, ctx, grantee.Body, "type").AsString(); got != "DynamicResourceGroup" {
			t.Errorf("grantee type %q, want DynamicResourceGroup", got)
		}
		if got := evalAttr(t, ctx, grantee.Body, "value").AsString(); got != wantGrantee {
			t.Errorf("%s: grantee %q, want %q", url, got, wantGrantee)
		}
		if got := evalAttr(t, ctx, nestedBlock(t, g, "app").Body, "value").AsString(); got != "IDCSAppId" {
			t.Errorf("app %q, want the OCI IAM application IDCSAppId", got)
		}
		ent := nestedBlock(t, g, "entitlement")
		if got := evalAttr(t, ctx, ent.Body, "attribute_name").AsString(); got != "appRoles" {
			t.Errorf("entitlement attribute_name %q, want appRoles", got)
		}
		if got := evalAttr(t, ctx, ent.Body, "attribute_value").AsString(); got != "stub-app-role-id" {
			t.Errorf("entitlement attribute_value %q, want the looked-up app role", got)
		}
	}
	// The role lookup filters the OCI IAM application's roles by the role name.
	roles := s.data["oci_identity_domains_app_roles"]["domain_role"]
	ctx := p.ctx.NewChild()
	ctx.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(secondaryDomainID), "value": domains[secondaryDomainID]})}
	if got, want := evalAttr(t, ctx, roles.Body, "app_role_filter").AsString(), `displayName eq "Identity Domain Administrator" and app.value eq "IDCSAppId"`; got != want {
		t.Errorf("app_role_filter %q, want %q", got, want)
	}
	drg := s.data["oci_identity_domains_dynamic_resource_groups"]["fn"]
	if got, want := evalAttr(t, p.ctx, drg.Body, "dynamic_resource_group_filter").AsString(), `displayName eq "admin-apikey-guard-fn"`; got != want {
		t.Errorf("dynamic group lookup %q, want %q", got, want)
	}
}
