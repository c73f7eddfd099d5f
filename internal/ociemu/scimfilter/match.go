package scimfilter

import (
	"encoding/json"
	"sort"
	"strings"
)

// coreSchemaPrefix qualifies core attributes, which live at the top level of
// a resource rather than under their URN key.
const coreSchemaPrefix = "urn:ietf:params:scim:schemas:core:"

// Match reports whether resource (as produced by json.Unmarshal into
// map[string]any) satisfies the filter.
func (f *Filter) Match(resource map[string]any) bool {
	return f.root.match(resource)
}

func (n *logical) match(r map[string]any) bool {
	if n.op == opAnd {
		return n.left.match(r) && n.right.match(r)
	}
	return n.left.match(r) || n.right.match(r)
}

func (n *negation) match(r map[string]any) bool { return !n.x.match(r) }

func (n *comparison) match(r map[string]any) bool {
	vals := n.path.resolve(r)
	switch n.op {
	case opPresent:
		return anyOf(vals, nonEmpty)
	case opEq:
		return n.equals(vals)
	case opNe:
		return !n.equals(vals)
	}
	return anyOf(vals, func(v any) bool { return compare(n.op, v, n.value) })
}

func (n *comparison) equals(vals []any) bool {
	if n.value.kind == litNull {
		return len(vals) == 0 || anyOf(vals, func(v any) bool { return v == nil })
	}
	return anyOf(vals, func(v any) bool { return compare(opEq, v, n.value) })
}

func anyOf(vals []any, pred func(any) bool) bool {
	for _, v := range vals {
		if pred(v) {
			return true
		}
	}
	return false
}

// resolve returns every value the path reaches, with arrays flattened so a
// multi-valued attribute matches when any element does.
func (p attrPath) resolve(r map[string]any) []any {
	cur := []any{r}
	if p.urn != "" {
		ext, ok := lookup(r, p.urn)
		if !ok && hasPrefixFold(p.urn, coreSchemaPrefix) {
			ext, ok = r, true
		}
		if !ok {
			return nil
		}
		cur = flatten(nil, ext)
	}
	for _, name := range p.names {
		var next []any
		for _, c := range cur {
			if m, ok := c.(map[string]any); ok {
				if v, ok := lookup(m, name); ok {
					next = flatten(next, v)
				}
			}
		}
		cur = next
	}
	return cur
}

func flatten(dst []any, v any) []any {
	if arr, ok := v.([]any); ok {
		return append(dst, arr...)
	}
	return append(dst, v)
}

// lookup finds an attribute case-insensitively, preferring an exact match and
// otherwise the smallest matching key so the result never depends on map
// iteration order.
func lookup(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	var matches []string
	for k := range m {
		if strings.EqualFold(k, key) {
			matches = append(matches, k)
		}
	}
	if len(matches) == 0 {
		return nil, false
	}
	sort.Strings(matches)
	return m[matches[0]], true
}

func nonEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case string:
		return v != ""
	case map[string]any:
		return len(v) > 0
	}
	return true
}

// compare applies a binary operator to one resource value; a value of a
// different type than the literal never matches.
func compare(op operator, v any, lit literal) bool {
	switch lit.kind {
	case litString:
		s, ok := v.(string)
		return ok && compareStrings(op, strings.ToLower(s), strings.ToLower(lit.str))
	case litNumber:
		f, ok := toFloat(v)
		return ok && compareOrdered(op, f, lit.num)
	case litBool:
		b, ok := v.(bool)
		return ok && op == opEq && b == lit.b
	}
	return false
}

func compareStrings(op operator, s, lit string) bool {
	switch op {
	case opCo:
		return strings.Contains(s, lit)
	case opSw:
		return strings.HasPrefix(s, lit)
	case opEw:
		return strings.HasSuffix(s, lit)
	}
	return compareOrdered(op, s, lit)
}

func compareOrdered[T string | float64](op operator, a, b T) bool {
	switch op {
	case opEq:
		return a == b
	case opGt:
		return a > b
	case opGe:
		return a >= b
	case opLt:
		return a < b
	case opLe:
		return a <= b
	}
	return false
}

func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	}
	return 0, false
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
