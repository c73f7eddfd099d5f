package ociemu

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/identity"
	"github.com/oracle/oci-go-sdk/v65/identitydomains"
)

type rawList struct {
	TotalResults int              `json:"totalResults"`
	StartIndex   int              `json:"startIndex"`
	ItemsPerPage int              `json:"itemsPerPage"`
	Resources    []map[string]any `json:"Resources"`
}

func (f *fixture) scimGet(t *testing.T, domainID, path string, q url.Values, out any) *http.Response {
	t.Helper()
	u := f.srv.DomainURL(domainID) + "/admin/v1/" + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return f.do(t, "GET", u, nil, out)
}

func TestCrossFamilyDeletion(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 5, Users: 10, Admins: 2, KeysPerAdmin: 2}, Options{})
	ctx := context.Background()
	u := f.userWithKeys(t)

	// Delete through SCIM, observe through IAM.
	if _, err := f.scim.DeleteApiKey(ctx, identitydomains.DeleteApiKeyRequest{ApiKeyId: common.String(u.APIKeys[0].ID)}); err != nil {
		t.Fatal(err)
	}
	keys, err := f.iam.ListApiKeys(ctx, identity.ListApiKeysRequest{UserId: common.String(u.OCID)})
	if err != nil || len(keys.Items) != 1 || *keys.Items[0].Fingerprint != u.APIKeys[1].Fingerprint {
		t.Fatalf("IAM after SCIM delete: %+v, %v", keys.Items, err)
	}
	// Delete through IAM, observe through SCIM.
	if _, err := f.iam.DeleteApiKey(ctx, identity.DeleteApiKeyRequest{UserId: common.String(u.OCID), Fingerprint: common.String(u.APIKeys[1].Fingerprint)}); err != nil {
		t.Fatal(err)
	}
	list, err := f.scim.ListApiKeys(ctx, identitydomains.ListApiKeysRequest{Filter: common.String(fmt.Sprintf("user.ocid eq %q", u.OCID))})
	if err != nil || *list.TotalResults != 0 {
		t.Fatalf("SCIM after IAM delete: %+v, %v", list.Resources, err)
	}
	var e errorBody
	resp := f.do(t, "DELETE", f.srv.DomainURL(f.def.ID)+"/admin/v1/ApiKeys/"+u.APIKeys[0].ID, nil, &e)
	wantStatus(t, resp, http.StatusNotFound)
	if e.Code != "NotAuthorizedOrNotFound" {
		t.Fatalf("second SCIM delete: %+v", e)
	}
	snap := f.srv.Snapshot()
	for _, su := range snap.DefaultDomain().Users {
		if su.OCID == u.OCID && len(su.APIKeys) != 0 {
			t.Fatalf("snapshot still holds %d keys", len(su.APIKeys))
		}
	}
	if len(f.ten.DefaultDomain().Users[f.userIndex(t, u.OCID)].APIKeys) != 2 {
		t.Fatal("the caller's tenancy was modified")
	}
}

func TestSCIMPatchCapabilities(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 5, Users: 3, Admins: 1}, Options{})
	ctx := context.Background()
	u := f.def.Users[0]
	var no any = false
	_, err := f.scim.PatchUser(ctx, identitydomains.PatchUserRequest{UserId: common.String(u.ID), PatchOp: identitydomains.PatchOp{
		Schemas: []string{schemaPatchOp},
		Operations: []identitydomains.Operations{{Op: identitydomains.OperationsOpReplace,
			Path: common.String(pathCanUseAPIKey), Value: &no}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	iu, err := f.iam.GetUser(ctx, identity.GetUserRequest{UserId: common.String(u.OCID)})
	if err != nil || *iu.Capabilities.CanUseApiKeys {
		t.Fatalf("IAM sees canUseApiKeys=%v after SCIM patch (%v)", *iu.Capabilities.CanUseApiKeys, err)
	}
	for name, body := range map[string]string{
		"unknown path": `{"schemas":["` + schemaPatchOp + `"],"Operations":[{"op":"replace","path":"userName","value":"x"}]}`,
		"remove":       `{"schemas":["` + schemaPatchOp + `"],"Operations":[{"op":"remove","path":"` + pathCanUseAPIKey + `"}]}`,
		"not a bool":   `{"schemas":["` + schemaPatchOp + `"],"Operations":[{"op":"replace","path":"` + pathCanUseAPIKey + `","value":"yes"}]}`,
		"no schema":    `{"Operations":[{"op":"replace","path":"` + pathCanUseAPIKey + `","value":true}]}`,
	} {
		resp := f.do(t, "PATCH", f.srv.DomainURL(f.def.ID)+"/admin/v1/Users/"+u.ID, []byte(body), nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", name, resp.StatusCode)
		}
	}
	if snap := f.srv.Snapshot(); snap.DefaultDomain().Users[0].CanUseAPIKeys {
		t.Fatal("a rejected patch changed the user")
	}
}

func TestSCIMFiltersAndProjection(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 9, Users: 1500, Admins: 4, KeysPerAdmin: 1, OtherKeyFraction: 0.1, Decoys: true}, Options{})
	def := f.def.ID

	// Groups: filter by name, members only on request.
	var groups rawList
	wantStatus(t, f.scimGet(t, def, "Groups", url.Values{"filter": {`displayName eq "Administrators"`}}, &groups), 200)
	if groups.TotalResults != 1 || groups.Resources[0]["members"] != nil {
		t.Fatalf("Groups without attributes = %+v", groups)
	}
	adminGroupID := groups.Resources[0]["id"].(string)
	var projected rawList
	wantStatus(t, f.scimGet(t, def, "Groups", url.Values{"filter": {`displayName eq "Administrators"`}, "attributes": {"members.value,members.ocid"}}, &projected), 200)
	g := projected.Resources[0]
	members, _ := g["members"].([]any)
	// displayName and id are returned: always (identitydomains/group.go), asked or not.
	if len(members) != 4 || g["displayName"] != "Administrators" || g["id"] != adminGroupID || g["ocid"] != nil {
		t.Fatalf("projected group = %+v", g)
	}
	if m := members[0].(map[string]any); len(m) != 2 || m["value"] == nil || m["ocid"] == nil {
		t.Fatalf("projected member = %+v", m)
	}
	// The secondary domain's Administrators is a different group.
	var eng rawList
	wantStatus(t, f.scimGet(t, f.ten.Domains[1].ID, "Groups", url.Values{"filter": {`displayName eq "Administrators"`}}, &eng), 200)
	if eng.TotalResults != 1 || eng.Resources[0]["id"] == adminGroupID {
		t.Fatalf("secondary domain groups = %+v", eng)
	}

	// Users: filter on a multi-valued attribute, project an extension sub-attribute.
	var users rawList
	wantStatus(t, f.scimGet(t, def, "Users", url.Values{
		"filter":     {fmt.Sprintf("groups.value eq %q", adminGroupID)},
		"attributes": {"userName," + pathCanUseAPIKey},
	}, &users), 200)
	if users.TotalResults != 4 || len(users.Resources) != 4 {
		t.Fatalf("admins by group filter: %d", users.TotalResults)
	}
	caps := users.Resources[0][extCapabilities].(map[string]any)
	if len(caps) != 1 || caps["canUseApiKeys"] != false || users.Resources[0]["active"] != nil || users.Resources[0]["userName"] == nil {
		t.Fatalf("projected user = %+v", users.Resources[0]) // the first admin is the canUseApiKeys=false decoy
	}

	// ApiKeys: or-filter over user OCIDs.
	var a, b User
	for _, u := range f.def.Users {
		if len(u.APIKeys) > 0 {
			if a.ID == "" {
				a = u
			} else if b.ID == "" {
				b = u
			}
		}
	}
	var keys rawList
	wantStatus(t, f.scimGet(t, def, "ApiKeys", url.Values{"filter": {fmt.Sprintf("user.ocid eq %q or user.ocid eq %q", a.OCID, b.OCID)}}, &keys), 200)
	if keys.TotalResults != len(a.APIKeys)+len(b.APIKeys) {
		t.Fatalf("keys of two users: %d", keys.TotalResults)
	}
	for _, k := range keys.Resources {
		owner := k["user"].(map[string]any)["ocid"]
		if owner != a.OCID && owner != b.OCID || k["fingerprint"] == nil {
			t.Fatalf("unexpected key %+v", k)
		}
	}

	// Bad filters are a 400 InvalidParameter.
	for _, bad := range []string{`userName eq`, `userName xx "a"`, `(userName eq "a"`} {
		var e errorBody
		resp := f.scimGet(t, def, "Users", url.Values{"filter": {bad}}, &e)
		if resp.StatusCode != 400 || e.Code != "InvalidParameter" {
			t.Errorf("filter %q: %d %+v", bad, resp.StatusCode, e)
		}
	}

	// count is capped at 1000; startIndex pages; past the end is empty.
	var page, last, dflt rawList
	wantStatus(t, f.scimGet(t, def, "Users", url.Values{"count": {"5000"}}, &page), 200)
	total := len(f.ten.DefaultDomain().Users)
	if page.ItemsPerPage != 1000 || page.TotalResults != total || page.StartIndex != 1 {
		t.Fatalf("count=5000: itemsPerPage %d total %d", page.ItemsPerPage, page.TotalResults)
	}
	wantStatus(t, f.scimGet(t, def, "Users", url.Values{"startIndex": {fmt.Sprint(total)}, "count": {"10"}}, &last), 200)
	if last.ItemsPerPage != 1 || last.Resources[0]["id"] != f.def.Users[total-1].ID {
		t.Fatalf("last page = %+v", last)
	}
	wantStatus(t, f.scimGet(t, def, "Users", nil, &dflt), 200)
	if dflt.ItemsPerPage != 50 {
		t.Fatalf("default count gave %d", dflt.ItemsPerPage)
	}
}
