package ociemu

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// keysOf is a resource's top-level attribute names, sorted, extension URNs shortened.
func keysOf(doc map[string]any) string {
	var out []string
	for k := range doc {
		if k == extCapabilities {
			k = "capabilities"
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

// Every served SCIM resource returns its attributes per their "returned" value in the SDK's
// schema comments: returned=request only when asked (User.groups, Group.members), returned=always
// whatever is asked (id, User.userName, Group.displayName, schemas), returned=default unless
// attributes narrows the answer, returned=never never (a credential's status).
func TestSCIMAttributesPerReturned(t *testing.T) {
	f := newFixture(t, GenSpec{Seed: 11, Users: 5, Admins: 2, KeysPerAdmin: 1, Credentials: true}, Options{})
	def := f.def.ID
	admin := f.def.Users[adminIndex(f.def)]
	user := url.Values{"filter": {`userName eq "` + admin.UserName + `"`}}
	cases := []struct {
		path  string
		query url.Values
		want  string
	}{
		{"Users", user, "active,capabilities,compartmentOcid,displayName,domainOcid,emails,id,meta,ocid,schemas,tenancyOcid,userName"},
		{"Users", with(user, "attributes", "groups"), "groups,id,schemas,userName"},
		{"Users", with(user, "attributes", "ocid"), "id,ocid,schemas,userName"},
		{"Users", with(user, "attributeSets", "request"), "groups,id,schemas,userName"},
		{"Users", with(with(user, "attributeSets", "default"), "attributes", "groups"),
			"active,capabilities,compartmentOcid,displayName,domainOcid,emails,groups,id,meta,ocid,schemas,tenancyOcid,userName"},
		{"Users", with(user, "attributeSets", "all"),
			"active,capabilities,compartmentOcid,displayName,domainOcid,emails,groups,id,meta,ocid,schemas,tenancyOcid,userName"},
		{"Groups", url.Values{"filter": {`displayName eq "` + AdminGroupName + `"`}}, "compartmentOcid,displayName,domainOcid,id,meta,ocid,schemas,tenancyOcid"},
		{"Groups", url.Values{"filter": {`displayName eq "` + AdminGroupName + `"`}, "attributes": {"members"}}, "displayName,id,members,schemas"},
		{"ApiKeys", url.Values{"filter": {`user.ocid eq "` + admin.OCID + `"`}, "attributes": {"fingerprint"}}, "fingerprint,id,schemas"},
	}
	for _, c := range cases {
		var got rawList
		wantStatus(t, f.scimGet(t, def, c.path, c.query, &got), 200)
		if len(got.Resources) != 1 {
			t.Fatalf("%s %v: %d resources", c.path, c.query, len(got.Resources))
		}
		if k := keysOf(got.Resources[0]); k != c.want {
			t.Errorf("%s %v:\n got  %s\n want %s", c.path, c.query, k, c.want)
		}
	}

	// A credential's status is returned: never, even when asked for.
	for _, body := range []string{`"attributes":["status","description"]`, `"attributeSets":["all"]`} {
		var got rawList
		wantStatus(t, f.do(t, "POST", f.srv.DomainURL(def)+"/admin/v1/AuthTokens/.search",
			[]byte(`{"schemas":["`+schemaSearchRequest+`"],"filter":"user.ocid eq \"`+admin.OCID+`\"",`+body+`}`), &got), 200)
		if len(got.Resources) == 0 {
			t.Fatalf("AuthTokens search %s: no resources", body)
		}
		if _, ok := got.Resources[0]["status"]; ok {
			t.Errorf("AuthTokens search %s returned status (returned: never)", body)
		}
	}
}

func with(q url.Values, k, v string) url.Values {
	out := url.Values{}
	for kk, vv := range q {
		out[kk] = slices.Clone(vv)
	}
	out.Add(k, v)
	return out
}
