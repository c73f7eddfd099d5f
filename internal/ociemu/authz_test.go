package ociemu

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/identity"
	"github.com/oracle/oci-go-sdk/v65/identitydomains"
	"github.com/oracle/oci-go-sdk/v65/ons"
)

// authzFixture is newFixtureFor with SDK clients that neither retry nor break circuits:
// the SDK's default policy retries 404s for minutes after an IAM write (eventual
// consistency) and its circuit breaker opens after repeated refusals.
func authzFixture(t *testing.T, ten *Tenancy, opts Options) *fixture {
	f := newFixtureFor(t, ten, opts)
	none := common.NoRetryPolicy()
	for _, c := range []*common.BaseClient{&f.iam.BaseClient, &f.scim.BaseClient, &f.ons.BaseClient} {
		c.SetCustomClientConfiguration(common.CustomClientConfiguration{RetryPolicy: &none})
	}
	return f
}

// iamCall performs one IAM/Notifications operation with the real SDK on f's tenancy.
func iamCall(f *fixture, op string) error {
	ctx := context.Background()
	ten := common.String(f.p.TenancyID)
	admin := f.def.Users[adminIndex(f.def)]
	var err error
	switch op {
	case OpListDomains:
		_, err = f.iam.ListDomains(ctx, identity.ListDomainsRequest{CompartmentId: ten})
	case OpListCompartments:
		_, err = f.iam.ListCompartments(ctx, identity.ListCompartmentsRequest{CompartmentId: ten})
	case OpListPolicies:
		_, err = f.iam.ListPolicies(ctx, identity.ListPoliciesRequest{CompartmentId: ten})
	case OpListGroups:
		_, err = f.iam.ListGroups(ctx, identity.ListGroupsRequest{CompartmentId: ten})
	case OpGetGroup:
		_, err = f.iam.GetGroup(ctx, identity.GetGroupRequest{GroupId: common.String(f.def.Groups[0].OCID)})
	case OpListUsers:
		_, err = f.iam.ListUsers(ctx, identity.ListUsersRequest{CompartmentId: ten})
	case OpGetUser:
		_, err = f.iam.GetUser(ctx, identity.GetUserRequest{UserId: common.String(admin.OCID)})
	case OpListUserGroupMemberships:
		_, err = f.iam.ListUserGroupMemberships(ctx, identity.ListUserGroupMembershipsRequest{CompartmentId: ten, GroupId: common.String(f.def.Groups[0].OCID)})
	case OpListApiKeys:
		_, err = f.iam.ListApiKeys(ctx, identity.ListApiKeysRequest{UserId: common.String(admin.OCID)})
	case OpListRegionSubscriptions:
		_, err = f.iam.ListRegionSubscriptions(ctx, identity.ListRegionSubscriptionsRequest{TenancyId: ten})
	case OpDeleteApiKey:
		_, err = f.iam.DeleteApiKey(ctx, identity.DeleteApiKeyRequest{UserId: common.String(admin.OCID), Fingerprint: common.String(admin.APIKeys[0].Fingerprint)})
	case OpUpdateUserCapabilities:
		_, err = f.iam.UpdateUserCapabilities(ctx, identity.UpdateUserCapabilitiesRequest{UserId: common.String(admin.OCID),
			UpdateUserCapabilitiesDetails: identity.UpdateUserCapabilitiesDetails{CanUseApiKeys: common.Bool(false)}})
	case OpPublishMessage:
		_, err = f.ons.PublishMessage(ctx, ons.PublishMessageRequest{TopicId: common.String(f.ten.Topics[0].ID),
			MessageDetails: ons.MessageDetails{Body: common.String("b")}})
	default:
		return credIAMCall(f, op, admin)
	}
	return err
}

func adminIndex(d Domain) int {
	for i, u := range d.Users {
		if strings.HasPrefix(u.UserName, "admin") {
			return i
		}
	}
	return -1
}

// refusedLikeOCI reports whether err is IAM's refusal: 404 NotAuthorizedOrNotFound.
func refusedLikeOCI(err error) bool {
	var se common.ServiceError
	return errors.As(err, &se) && se.GetHTTPStatusCode() == http.StatusNotFound && se.GetCode() == "NotAuthorizedOrNotFound"
}

// withStatements replaces the function's policy by statements (given without the subject).
func withStatements(t *testing.T, f *fixture, stmts ...string) {
	t.Helper()
	var pols []Policy
	for _, p := range f.ten.Policies {
		if p.Name != FunctionPolicyName {
			pols = append(pols, p)
		}
	}
	full := make([]string, len(stmts))
	for i, s := range stmts {
		full[i] = "Allow dynamic-group 'Default'/'" + FunctionDynamicGroup + "' to " + s
	}
	pols = append(pols, Policy{ID: "ocid1.policy.oc1..under-test", Name: FunctionPolicyName, CompartmentID: f.p.TenancyID, Statements: full})
	if err := f.srv.SetAuthorization(pols, nil); err != nil {
		t.Fatal(err)
	}
}

// Every operation is allowed with exactly its documented permissions, and refused (404
// NotAuthorizedOrNotFound, nothing changed) when any one of them is missing.
func TestIAMOperationNeedsEachDocumentedPermission(t *testing.T) {
	f := authzFixture(t, Generate(GenSpec{Seed: 31, Credentials: true, Users: 4, Admins: 2, KeysPerAdmin: 3}), Options{})
	ops := make([]string, 0, len(OperationPermissions))
	for op := range OperationPermissions {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	for _, op := range ops {
		perms := OperationPermissions[op].Permissions
		t.Run(op, func(t *testing.T) {
			withStatements(t, f, "{"+strings.Join(perms, ", ")+"} in tenancy")
			if err := iamCall(f, op); err != nil {
				t.Fatalf("with %v: %v", perms, err)
			}
			for i := range perms {
				rest := slices.Delete(slices.Clone(perms), i, i+1)
				stmts := []string{"inspect dynamic-groups in tenancy"} // a grant that never helps
				if len(rest) > 0 {
					stmts = append(stmts, "{"+strings.Join(rest, ", ")+"} in tenancy")
				}
				withStatements(t, f, stmts...)
				before := f.srv.Snapshot()
				if err := iamCall(f, op); !refusedLikeOCI(err) {
					t.Fatalf("without %s: err = %v, want 404 NotAuthorizedOrNotFound", perms[i], err)
				}
				if after := f.srv.Snapshot(); !slices.Equal(before.KeyRefs(), after.KeyRefs()) || len(f.srv.Published()) > 1 {
					t.Fatalf("a refused %s changed the state", op)
				}
			}
		})
	}
}

// The verbs grant what "Details for Verbs + Resource-Type Combinations" says, and no more.
func TestIAMVerbsLocationsAndConditions(t *testing.T) {
	f := authzFixture(t, Generate(GenSpec{Seed: 32, Credentials: true, Users: 4, Admins: 2, KeysPerAdmin: 3}), Options{})
	cases := []struct {
		stmts []string
		op    string
		allow bool
	}{
		{[]string{"inspect users in tenancy"}, OpListUsers, true},
		{[]string{"inspect users in tenancy"}, OpListApiKeys, false},
		{[]string{"read users in tenancy"}, OpListApiKeys, true},
		{[]string{"use users in tenancy"}, OpDeleteApiKey, false},
		{[]string{"manage users in tenancy"}, OpDeleteApiKey, true},
		{[]string{"use users in tenancy"}, OpUpdateUserCapabilities, false},
		{[]string{"manage users in tenancy"}, OpUpdateUserCapabilities, true},
		{[]string{"inspect users in tenancy"}, OpListUserGroupMemberships, false},
		{[]string{"inspect users in tenancy", "inspect groups in tenancy"}, OpListUserGroupMemberships, true},
		{[]string{"inspect groups in tenancy"}, OpGetGroup, true},
		{[]string{"manage groups in tenancy"}, OpListUsers, false},
		{[]string{"inspect domains in tenancy"}, OpListDomains, true},
		{[]string{"inspect compartments in tenancy"}, OpListCompartments, true},
		{[]string{"inspect policies in tenancy"}, OpListPolicies, true},
		{[]string{"inspect tenancies in tenancy"}, OpListRegionSubscriptions, true},
		{[]string{"inspect domains in tenancy"}, OpListRegionSubscriptions, false},
		{[]string{"read ons-topics in tenancy"}, OpPublishMessage, false},
		{[]string{"use ons-topics in tenancy"}, OpPublishMessage, true},
		{[]string{"use notification-family in tenancy"}, OpPublishMessage, true},
		{[]string{"manage all-resources in tenancy"}, OpDeleteApiKey, true},
		// SMTP credentials are the credentials resource type, not users
		// (iampolicyreference.htm: "The credentials resource type refers to only the SMTP credentials").
		{[]string{"manage users in tenancy"}, OpListSmtpCredentials, false},
		{[]string{"manage users in tenancy"}, OpDeleteSmtpCredential, false},
		{[]string{"inspect credentials in tenancy"}, OpListSmtpCredentials, true},
		{[]string{"use credentials in tenancy"}, OpDeleteSmtpCredential, false},
		{[]string{"manage credentials in tenancy"}, OpDeleteSmtpCredential, true},
		{[]string{"manage credentials in tenancy"}, OpListAuthTokens, false}, // other kinds are users' permissions
		{[]string{"manage credentials in tenancy"}, OpDeleteApiKey, false},
		{[]string{"manage credentials in tenancy where any {request.operation = 'ListSmtpCredentials', request.operation = 'DeleteSmtpCredential'}"}, OpListSmtpCredentials, true},
		{[]string{"manage credentials in tenancy where any {request.operation = 'ListSmtpCredentials', request.operation = 'DeleteSmtpCredential'}"}, OpDeleteSmtpCredential, true},
		{[]string{"manage credentials in tenancy where request.operation = 'ListSmtpCredentials'"}, OpDeleteSmtpCredential, false},
		{[]string{"manage credentials in compartment " + SecurityCompartment}, OpDeleteSmtpCredential, false},
		// locations: users live in the root compartment
		{[]string{"manage users in compartment " + SecurityCompartment}, OpDeleteApiKey, false},
		{[]string{"manage users in compartment id " + "ROOT"}, OpDeleteApiKey, true},
		// conditions
		{[]string{"manage users in tenancy where request.permission = 'USER_READ'"}, OpListApiKeys, true},
		{[]string{"manage users in tenancy where request.permission = 'USER_READ'"}, OpDeleteApiKey, false},
		{[]string{"manage users in tenancy where any {request.operation = 'ListApiKeys', request.operation = 'DeleteApiKey'}"}, OpDeleteApiKey, true},
		{[]string{"manage users in tenancy where any {request.operation = 'ListApiKeys'}"}, OpDeleteApiKey, false},
		{[]string{"manage users in tenancy where all {request.operation = 'DeleteApiKey', request.principal.type = 'fnfunc'}"}, OpDeleteApiKey, true},
		{[]string{"manage users in tenancy where request.operation != 'DeleteApiKey'"}, OpDeleteApiKey, false},
		{[]string{"manage users in tenancy where target.user.name = 'x'"}, OpDeleteApiKey, false}, // not modelled: never widens
		{[]string{"manage users in tenancy where request.operation = "}, OpDeleteApiKey, false},   // malformed
	}
	for _, c := range cases {
		stmts := slices.Clone(c.stmts)
		for i := range stmts {
			stmts[i] = strings.ReplaceAll(stmts[i], "ROOT", f.p.TenancyID)
		}
		withStatements(t, f, stmts...)
		f.srv.store.mu.Lock()
		admin := adminIndex(f.def)
		f.srv.store.def.d.Users[admin].APIKeys = slices.Clone(f.def.Users[admin].APIKeys) // a key to delete
		f.srv.store.def.d.Users[admin].Credentials = slices.Clone(f.def.Users[admin].Credentials)
		f.srv.store.def.credOrder = nil // and credentials: an allowed delete must not make a later refusal look like one
		f.srv.store.mu.Unlock()
		err := iamCall(f, c.op)
		if c.allow && err != nil || !c.allow && !refusedLikeOCI(err) {
			t.Errorf("%v → %s: err = %v, want allowed=%v", stmts, c.op, err, c.allow)
		}
	}
}

// Other subjects do not grant anything to the function; any-user does.
func TestIAMSubjects(t *testing.T) {
	f := authzFixture(t, Generate(GenSpec{Seed: 33, Users: 2, Admins: 1, KeysPerAdmin: 1}), Options{})
	dg := f.ten.FunctionDynamicGroups[0]
	for stmt, allow := range map[string]bool{
		"Allow group Administrators to inspect users in tenancy":                             false,
		"Allow dynamic-group someone-else to inspect users in tenancy":                       false,
		"Allow dynamic-group 'Engineering'/'" + dg.Name + "' to inspect users in tenancy":    false,
		"Allow dynamic-group " + dg.Name + " to inspect users in tenancy":                    true, // unqualified = Default
		"Allow dynamic-group id " + dg.OCID + " to inspect users in tenancy":                 true,
		"Allow any-user to inspect users in tenancy where request.principal.type = 'fnfunc'": true,
		"Allow any-group to inspect users in tenancy":                                        false,
	} {
		if err := f.srv.SetAuthorization([]Policy{{ID: "ocid1.policy.oc1..p", Name: "p", CompartmentID: f.p.TenancyID, Statements: []string{stmt}}}, nil); err != nil {
			t.Fatal(err)
		}
		if err := iamCall(f, OpListUsers); allow && err != nil || !allow && !refusedLikeOCI(err) {
			t.Errorf("%s: err = %v, want allowed=%v", stmt, err, allow)
		}
	}
}

// scimCall performs one SCIM operation with the real SDK on the Default domain.
func scimCall(f *fixture, op string, userIdx int) error {
	ctx := context.Background()
	u := f.def.Users[userIdx]
	search := identitydomains.ApiKeySearchRequest{Schemas: []string{schemaSearchRequest}}
	var off any = false
	var err error
	switch op {
	case OpScimListUsers:
		_, err = f.scim.ListUsers(ctx, identitydomains.ListUsersRequest{})
	case OpScimGetUser:
		_, err = f.scim.GetUser(ctx, identitydomains.GetUserRequest{UserId: common.String(u.ID)})
	case OpScimListGroups:
		_, err = f.scim.ListGroups(ctx, identitydomains.ListGroupsRequest{})
	case OpScimListApiKeys:
		_, err = f.scim.ListApiKeys(ctx, identitydomains.ListApiKeysRequest{})
	case OpScimSearchApiKeys:
		_, err = f.scim.SearchApiKeys(ctx, identitydomains.SearchApiKeysRequest{ApiKeySearchRequest: search})
	case OpScimDeleteApiKey:
		_, err = f.scim.DeleteApiKey(ctx, identitydomains.DeleteApiKeyRequest{ApiKeyId: common.String(u.APIKeys[0].ID)})
	case OpScimPatchUser:
		_, err = f.scim.PatchUser(ctx, identitydomains.PatchUserRequest{UserId: common.String(u.ID), PatchOp: identitydomains.PatchOp{
			Schemas: []string{schemaPatchOp}, Operations: []identitydomains.Operations{{Op: identitydomains.OperationsOpReplace,
				Path: common.String(pathCanUseAPIKey), Value: &off}}}})
	default:
		return credSCIMCall(f, op, u)
	}
	return err
}

// scimRefusal is what the SDK makes of the emulator's SCIM 403: it cannot read the SCIM
// error body ({"schemas":[…Error],"detail":…,"status":"403"}), so the code is
// BadErrorResponse and the message is empty; only the status survives. The adapter has to
// read Oracle's detail from the raw body itself.
func scimRefused(err error, status int) bool {
	var se common.ServiceError
	return errors.As(err, &se) && se.GetHTTPStatusCode() == status && se.GetCode() == "BadErrorResponse" && se.GetMessage() == ""
}

func TestSCIMDomainRoles(t *testing.T) {
	f := authzFixture(t, Generate(GenSpec{Seed: 34, Credentials: true, Users: 3, Admins: 2, KeysPerAdmin: 2, Decoys: true}), Options{})
	def := f.def.ID
	dgName := f.ten.FunctionDynamicGroups[0].Name
	admin := adminIndex(f.def)
	plain := slices.IndexFunc(f.def.Users, func(u User) bool { return strings.HasPrefix(u.UserName, "user") && len(u.APIKeys) > 0 })
	if plain < 0 {
		t.Fatal("no non-admin user with a key")
	}
	setRoles := func(roles ...string) {
		r := map[string][]string{}
		if roles != nil {
			r[dgName] = roles
		}
		if err := f.srv.SetAuthorization(f.ten.Policies, map[string]map[string][]string{def: r}); err != nil {
			t.Fatal(err)
		}
	}
	restoreKeys := func() {
		f.srv.store.mu.Lock()
		defer f.srv.store.mu.Unlock()
		for _, i := range []int{admin, plain} {
			di := f.srv.store.def
			di.d.Users[i].APIKeys = slices.Clone(f.def.Users[i].APIKeys)
			di.d.Users[i].Credentials = slices.Clone(f.def.Users[i].Credentials)
			di.credOrder = nil
			for _, k := range di.d.Users[i].APIKeys {
				di.keyOwner[k.ID] = i
			}
			di.keyOrder = nil
		}
	}
	ops := slices.Sorted(func(yield func(string) bool) {
		for op := range SCIMOperationRoles {
			if !yield(op) {
				return
			}
		}
	})
	type want struct{ onAdmin, onUser bool }
	for _, c := range []struct {
		roles  []string
		reads  bool
		writes want
	}{
		{nil, false, want{false, false}},
		{[]string{RoleApplicationAdministrator}, false, want{false, false}},
		{[]string{RoleUserManager}, true, want{false, false}},
		{[]string{RoleUserAdministrator}, true, want{false, true}},
		{[]string{RoleIdentityDomainAdministrator}, true, want{true, true}},
	} {
		setRoles(c.roles...)
		for _, op := range ops {
			for _, target := range []int{admin, plain} {
				restoreKeys()
				allow := c.reads
				if op == OpScimPatchUser || strings.HasPrefix(op, "scim.Delete") {
					allow = c.writes.onUser
					if target == admin {
						allow = c.writes.onAdmin
					}
				}
				before := f.srv.Snapshot()
				err := scimCall(f, op, target)
				if allow && err != nil || !allow && !scimRefused(err, http.StatusForbidden) {
					t.Errorf("roles %v, %s on %s: err = %v, want allowed=%v", c.roles, op, f.def.Users[target].UserName, err, allow)
				}
				after := f.srv.Snapshot()
				if !allow && !slices.Equal(before.KeyRefs(), after.KeyRefs()) {
					t.Errorf("roles %v: a refused %s changed the keys", c.roles, op)
				}
			}
		}
	}

	// A role held in another domain does not count here.
	eng := f.ten.Domains[1]
	if err := f.srv.SetAuthorization(f.ten.Policies, map[string]map[string][]string{def: nil,
		eng.ID: {f.ten.FunctionDynamicGroups[1].Name: {RoleIdentityDomainAdministrator}}}); err != nil {
		t.Fatal(err)
	}
	if err := scimCall(f, OpScimListUsers, admin); !scimRefused(err, http.StatusForbidden) {
		t.Errorf("role in Engineering opened the Default domain: %v", err)
	}
}

// The SCIM refusal body is the Identity Domains error shape, as sent on the wire.
func TestSCIMRefusalBody(t *testing.T) {
	f := authzFixture(t, Generate(GenSpec{Seed: 35, Users: 1, Admins: 1, KeysPerAdmin: 1}), Options{})
	if err := f.srv.SetAuthorization(f.ten.Policies, map[string]map[string][]string{f.def.ID: nil}); err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	resp := send(t, signWith(t, newRequest(t, "GET", f.srv.DomainURL(f.def.ID)+"/admin/v1/Users", nil), sessionKey(t, f.p), f.p.RPST), &body)
	wantStatus(t, resp, http.StatusForbidden)
	schemas, _ := body["schemas"].([]any)
	if len(schemas) == 0 || schemas[0] != schemaSCIMError || body["status"] != "403" || body["detail"] == "" || body["code"] != nil {
		t.Fatalf("body %v", body)
	}
}

// A forced SCIM fault answers with the SCIM body too: how tests show "SCIM refused with 401".
func TestForcedSCIMFault(t *testing.T) {
	f := authzFixture(t, Generate(GenSpec{Seed: 36, Users: 1, Admins: 1, KeysPerAdmin: 1}), Options{Faults: Faults{Forced: map[string]ForcedError{
		OpScimListUsers: {Status: http.StatusUnauthorized, Message: "Invalid token", SCIM: true}}}})
	if err := scimCall(f, OpScimListUsers, 0); !scimRefused(err, http.StatusUnauthorized) {
		t.Fatalf("err = %v", err)
	}
	var body map[string]any
	resp := send(t, signWith(t, newRequest(t, "GET", f.srv.DomainURL(f.def.ID)+"/admin/v1/Users", nil), sessionKey(t, f.p), f.p.RPST), &body)
	wantStatus(t, resp, http.StatusUnauthorized)
	if body["status"] != "401" || body["detail"] != "Invalid token" {
		t.Fatalf("body %v", body)
	}
}

// A principal in no dynamic group can do nothing.
func TestNoDynamicGroupNoAccess(t *testing.T) {
	ten := Generate(GenSpec{Seed: 37, Users: 1, Admins: 1, KeysPerAdmin: 1})
	ten.FunctionDynamicGroups = nil
	f := authzFixture(t, ten, Options{})
	if err := iamCall(f, OpListDomains); !refusedLikeOCI(err) {
		t.Errorf("IAM: %v", err)
	}
	if err := scimCall(f, OpScimListUsers, 0); !scimRefused(err, http.StatusForbidden) {
		t.Errorf("SCIM: %v", err)
	}
}

func TestConditionParser(t *testing.T) {
	vars := map[string]string{"request.permission": "USER_READ", "request.operation": "ListApiKeys"}
	lookup := func(n string) (string, bool) { v, ok := vars[strings.ToLower(n)]; return v, ok }
	for cond, want := range map[string]bool{
		"request.permission='USER_READ'":                                         true,
		"request.permission = 'user_read'":                                       true,
		`request.permission = "USER_READ"`:                                       true,
		"request.permission != 'USER_READ'":                                      false,
		"any {request.permission='X', request.operation='ListApiKeys'}":          true,
		"all {request.permission='USER_READ', request.operation='DeleteApiKey'}": false,
		"ANY { all {request.permission='USER_READ'}, request.operation='x' }":    true,
		"request.region = 'iad'":                                                 false,
		"any {request.region = 'iad', request.permission = 'USER_READ'}":         true,
	} {
		got, err := evalCondition(cond, lookup)
		if err != nil || got != want {
			t.Errorf("%s = %v, %v; want %v", cond, got, err, want)
		}
	}
	for _, bad := range []string{"", "request.permission", "any {request.permission='x'", "request.permission = 'x", "a = 'b' c"} {
		if _, err := evalCondition(bad, lookup); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
