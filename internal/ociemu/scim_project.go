package ociemu

import (
	"net/http"
	"strings"
)

// selection is a tree of requested attributes keyed by lowercased name (SCIM attribute
// names are case-insensitive); a nil child selects the whole attribute.
type selection map[string]selection

// Attributes are returned per their "returned" characteristic (RFC 7643 §7; RFC 7644 §3.4.2.5
// and the SDK's comment on every listing's attributes parameter, e.g.
// identitydomains/list_users_request_response.go: "By default, a response ... contains only
// attributes that are defined in the schema for that resource type as returned=always or
// returned=default. An attribute that is defined as returned=request is returned in a response
// only if the request specifies its name ... If a request specifies this query parameter, the
// response contains the attributes that this query parameter specifies, as well as any attribute
// that is defined as returned=always."). attributeSets (all, always, never, request, default)
// adds whole sets ("If 'attributes' query parameter is also available, union of the two is
// fetched"); a returned=never attribute is never sent, whatever is asked.
const (
	returnedAlways  = "always"
	returnedDefault = "default"
	returnedRequest = "request"
	returnedNever   = "never"
)

// returnedRules lists, per resource schema, the top-level attributes whose returned value is not
// "default", as the SDK's model comments give them (" - returned: …" on each field). Every
// other attribute, extension objects included, is "default". "schemas" is always returned: RFC
// 7643 §3 requires it in every representation.
type returnedRules map[string]string // lowercased attribute name -> returned

// credentialReturned is every credential resource's (identitydomains/auth_token.go,
// customer_secret_key.go, smtp_credential.go, o_auth2_client_credential.go,
// user_db_credential.go): id always; idcsPreventedOperations, tags, idcsLastUpgradedInRelease
// request; status never.
var credentialReturned = returnedRules{"schemas": returnedAlways, "id": returnedAlways, "idcspreventedoperations": returnedRequest,
	"tags": returnedRequest, "idcslastupgradedinrelease": returnedRequest, "status": returnedNever}

var returnedBySchema = map[string]returnedRules{
	// identitydomains/user.go: id and userName always; groups (the user's memberships),
	// idcsPreventedOperations, tags, idcsLastUpgradedInRelease request; password never.
	schemaUser: {"schemas": returnedAlways, "id": returnedAlways, "username": returnedAlways, "groups": returnedRequest,
		"idcspreventedoperations": returnedRequest, "tags": returnedRequest, "idcslastupgradedinrelease": returnedRequest, "password": returnedNever},
	// identitydomains/group.go: id, displayName, nonUniqueDisplayName always; members,
	// idcsPreventedOperations, tags, idcsLastUpgradedInRelease request.
	schemaGroup: {"schemas": returnedAlways, "id": returnedAlways, "displayname": returnedAlways, "nonuniquedisplayname": returnedAlways,
		"members": returnedRequest, "idcspreventedoperations": returnedRequest, "tags": returnedRequest, "idcslastupgradedinrelease": returnedRequest},
	// identitydomains/api_key.go: id always; idcsPreventedOperations, tags,
	// idcsLastUpgradedInRelease request.
	schemaAPIKey: {"schemas": returnedAlways, "id": returnedAlways, "idcspreventedoperations": returnedRequest, "tags": returnedRequest,
		"idcslastupgradedinrelease": returnedRequest},
	// identitydomains/app_role.go: id, displayName, uniqueName always; members,
	// localizedDisplayName, idcsPreventedOperations, tags, idcsLastUpgradedInRelease request.
	schemaAppRole: {"schemas": returnedAlways, "id": returnedAlways, "displayname": returnedAlways, "uniquename": returnedAlways,
		"members": returnedRequest, "localizeddisplayname": returnedRequest, "idcspreventedoperations": returnedRequest,
		"tags": returnedRequest, "idcslastupgradedinrelease": returnedRequest},
	// identitydomains/grant.go: id always; compositeKey, idcsPreventedOperations, tags,
	// idcsLastUpgradedInRelease request.
	schemaGrant: {"schemas": returnedAlways, "id": returnedAlways, "compositekey": returnedRequest, "idcspreventedoperations": returnedRequest,
		"tags": returnedRequest, "idcslastupgradedinrelease": returnedRequest},
}

func init() {
	for _, k := range credKinds {
		returnedBySchema[k.scimSchema] = credentialReturned
	}
}

// returnedOf is the returned value of a top-level attribute of doc (by its first schema).
func returnedOf(doc map[string]any, attr string) string {
	var rules returnedRules
	if schemas, ok := doc["schemas"].([]any); ok && len(schemas) > 0 {
		if s, ok := schemas[0].(string); ok {
			rules = returnedBySchema[s]
		}
	}
	if r, ok := rules[strings.ToLower(attr)]; ok {
		return r
	}
	// Any other resource: schemas and id are always returned (RFC 7643 §3, §3.1), as every
	// served Oracle schema marks id.
	if strings.EqualFold(attr, "schemas") || strings.EqualFold(attr, "id") {
		return returnedAlways
	}
	return returnedDefault
}

// projection decides which attributes of a SCIM resource are returned.
type projection struct {
	sets map[string]bool // attributeSets, lowercased
	sel  selection       // the attributes parameter; nil when absent
}

// knownExtensions are the schema extensions whose URN may prefix a sub-attribute path.
var knownExtensions = []string{extCapabilities}

// corePrefixes may qualify a core attribute ("urn:...:core:2.0:User:userName").
var corePrefixes = []string{schemaUser + ":", schemaGroup + ":", schemaAPIKey + ":"}

func parseProjection(r *http.Request) projection {
	q := r.URL.Query()
	// attributeSets is collectionFormat "multi" in the SDK (repeated parameter); a comma
	// list is read too.
	var sets []string
	for _, v := range q["attributeSets"] {
		sets = append(sets, strings.Split(v, ",")...)
	}
	return makeProjection(q.Get("attributes"), sets)
}

// makeProjection builds the projection of a comma list of attributes and attribute sets;
// GET listings take them from the query, POST .search from the SearchRequest body.
func makeProjection(attrs string, sets []string) projection {
	p := projection{sets: map[string]bool{}}
	for _, set := range sets {
		if set = strings.ToLower(strings.TrimSpace(set)); set != "" {
			p.sets[set] = true
		}
	}
	if strings.TrimSpace(attrs) == "" {
		return p
	}
	p.sel = selection{}
	for _, a := range strings.Split(attrs, ",") {
		if a = strings.TrimSpace(a); a != "" {
			p.sel.add(attributePath(a))
		}
	}
	return p
}

// attributePath splits a SCIM attribute reference into path segments, keeping an
// extension URN as a single segment.
func attributePath(a string) []string {
	lower := strings.ToLower(a)
	for _, pre := range corePrefixes {
		if strings.HasPrefix(lower, strings.ToLower(pre)) {
			return strings.Split(a[len(pre):], ".")
		}
	}
	for _, ext := range knownExtensions {
		le := strings.ToLower(ext)
		switch {
		case lower == le:
			return []string{ext}
		case strings.HasPrefix(lower, le+":"):
			return append([]string{ext}, strings.Split(a[len(ext)+1:], ".")...)
		}
	}
	return strings.Split(a, ".")
}

func (s selection) add(path []string) {
	node := s
	for i, p := range path {
		k := strings.ToLower(p)
		child, exists := node[k]
		if exists && child == nil {
			return // the whole attribute is already selected
		}
		if i == len(path)-1 {
			node[k] = nil
			return
		}
		if !exists {
			child = selection{}
			node[k] = child
		}
		node = child
	}
}

// apply returns the projected resource. It never modifies doc, which may be cached.
func (p projection) apply(doc map[string]any) map[string]any {
	asked := p.sel != nil || len(p.sets) > 0
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		r := returnedOf(doc, k)
		switch {
		case r == returnedNever:
		case r == returnedAlways, p.sets["all"], p.sets[r], !asked && r == returnedDefault:
			out[k] = v
		default:
			if child, ok := p.sel[strings.ToLower(k)]; ok {
				out[k] = child.pickValue(v)
			}
		}
	}
	return out
}

// pickValue projects one attribute's value on the sub-attributes selected (all of it for a
// nil selection).
func (s selection) pickValue(v any) any {
	if s == nil {
		return v
	}
	switch v := v.(type) {
	case map[string]any:
		return s.pick(v)
	case []any:
		arr := make([]any, len(v))
		for i, el := range v {
			if m, ok := el.(map[string]any); ok {
				arr[i] = s.pick(m)
			} else {
				arr[i] = el
			}
		}
		return arr
	}
	return v
}

// pick keeps the selected sub-attributes of a complex value (sub-attributes are not subject to
// returned here: the served resources mark none of them other than default).
func (s selection) pick(doc map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range doc {
		if child, ok := s[strings.ToLower(k)]; ok {
			out[k] = child.pickValue(v)
		}
	}
	return out
}
