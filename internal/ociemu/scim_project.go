package ociemu

import (
	"net/http"
	"strings"
)

// selection is a tree of requested attributes keyed by lowercased name (SCIM attribute
// names are case-insensitive); a nil child selects the whole attribute.
type selection map[string]selection

// projection decides which attributes of a SCIM resource are returned.
type projection struct {
	all         bool      // attributeSets=all
	sel         selection // nil: the default set
	requestOnly []string  // attributes left out of the default set (Group members, as IDCS does)
}

// knownExtensions are the schema extensions whose URN may prefix a sub-attribute path.
var knownExtensions = []string{extCapabilities}

// corePrefixes may qualify a core attribute ("urn:...:core:2.0:User:userName").
var corePrefixes = []string{schemaUser + ":", schemaGroup + ":", schemaAPIKey + ":"}

func parseProjection(r *http.Request, requestOnly ...string) projection {
	q := r.URL.Query()
	// attributeSets is collectionFormat "multi" in the SDK (repeated parameter); a comma
	// list is read too.
	var sets []string
	for _, v := range q["attributeSets"] {
		sets = append(sets, strings.Split(v, ",")...)
	}
	return makeProjection(q.Get("attributes"), sets, requestOnly...)
}

// makeProjection builds the projection of a comma list of attributes and attribute sets;
// GET listings take them from the query, POST .search from the SearchRequest body.
func makeProjection(attrs string, sets []string, requestOnly ...string) projection {
	p := projection{requestOnly: requestOnly}
	for _, set := range sets {
		if strings.EqualFold(strings.TrimSpace(set), "all") {
			p.all = true
		}
	}
	if strings.TrimSpace(attrs) == "" {
		return p
	}
	p.sel = selection{}
	for _, a := range []string{"schemas", "id", "ocid"} {
		p.sel.add([]string{a})
	}
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
	switch {
	case p.all:
		return doc
	case p.sel == nil && len(p.requestOnly) == 0:
		return doc
	case p.sel == nil:
		out := make(map[string]any, len(doc))
		for k, v := range doc {
			out[k] = v
		}
		for _, k := range p.requestOnly {
			delete(out, k)
		}
		return out
	}
	return p.sel.pick(doc)
}

func (s selection) pick(doc map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range doc {
		child, ok := s[strings.ToLower(k)]
		if !ok {
			continue
		}
		if child == nil {
			out[k] = v
			continue
		}
		switch v := v.(type) {
		case map[string]any:
			out[k] = child.pick(v)
		case []any:
			arr := make([]any, len(v))
			for i, el := range v {
				if m, ok := el.(map[string]any); ok {
					arr[i] = child.pick(m)
				} else {
					arr[i] = el
				}
			}
			out[k] = arr
		default:
			out[k] = v
		}
	}
	return out
}
