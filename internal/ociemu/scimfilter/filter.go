package scimfilter

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Filter is a parsed SCIM filter. It is immutable and safe for concurrent use.
type Filter struct {
	root node
}

type node interface {
	match(resource map[string]any) bool
	write(b *strings.Builder)
	// prec is the binding strength, used to decide where String() needs
	// parentheses.
	prec() int
}

type operator string

const (
	opEq      operator = "eq"
	opNe      operator = "ne"
	opCo      operator = "co"
	opSw      operator = "sw"
	opEw      operator = "ew"
	opPresent operator = "pr"
	opGt      operator = "gt"
	opGe      operator = "ge"
	opLt      operator = "lt"
	opLe      operator = "le"
	opAnd     operator = "and"
	opOr      operator = "or"
)

func (o operator) valid() bool {
	switch o {
	case opEq, opNe, opCo, opSw, opEw, opPresent, opGt, opGe, opLt, opLe:
		return true
	}
	return false
}

// accepts rejects comparisons that RFC 7644 says must fail with invalidFilter.
func (o operator) accepts(l literal) error {
	switch o {
	case opCo, opSw, opEw:
		if l.kind != litString {
			return fmt.Errorf("operator %s needs a string value, found %s", o, l.kind)
		}
	case opGt, opGe, opLt, opLe:
		if l.kind != litString && l.kind != litNumber {
			return fmt.Errorf("operator %s needs a string or number value, found %s", o, l.kind)
		}
	}
	return nil
}

type litKind int

const (
	litString litKind = iota
	litNumber
	litBool
	litNull
)

func (k litKind) String() string {
	return [...]string{"string", "number", "boolean", "null"}[k]
}

type literal struct {
	kind litKind
	str  string
	num  float64
	raw  string // number as written, so String() round-trips it exactly
	b    bool
}

type attrPath struct {
	urn   string   // "" for a core attribute
	names []string // attribute, then optional sub-attribute
}

type logical struct {
	op          operator // opAnd or opOr
	left, right node
}

type negation struct{ x node }

type comparison struct {
	path  attrPath
	op    operator
	value literal // unused for pr
}

// String returns the canonical form: lower-case operators, single spaces,
// and only the parentheses the tree needs. Parse(f.String()) yields an
// equal filter.
func (f *Filter) String() string {
	var b strings.Builder
	f.root.write(&b)
	return b.String()
}

func (n *logical) prec() int {
	if n.op == opOr {
		return 1
	}
	return 2
}
func (*negation) prec() int   { return 3 }
func (*comparison) prec() int { return 3 }

func (n *logical) write(b *strings.Builder) {
	// Both operators are parsed left-associatively, so a right operand of
	// equal strength must have been parenthesised in the source.
	writeOperand(b, n.left, n.left.prec() < n.prec())
	b.WriteString(" ")
	b.WriteString(string(n.op))
	b.WriteString(" ")
	writeOperand(b, n.right, n.right.prec() <= n.prec())
}

func writeOperand(b *strings.Builder, n node, parens bool) {
	if parens {
		b.WriteString("(")
	}
	n.write(b)
	if parens {
		b.WriteString(")")
	}
}

func (n *negation) write(b *strings.Builder) {
	b.WriteString("not (")
	n.x.write(b)
	b.WriteString(")")
}

func (n *comparison) write(b *strings.Builder) {
	if n.path.urn != "" {
		b.WriteString(n.path.urn)
		b.WriteString(":")
	}
	b.WriteString(strings.Join(n.path.names, "."))
	b.WriteString(" ")
	b.WriteString(string(n.op))
	if n.op == opPresent {
		return
	}
	b.WriteString(" ")
	b.WriteString(n.value.String())
}

func (l literal) String() string {
	switch l.kind {
	case litString:
		enc, _ := json.Marshal(l.str) // a Go string always marshals
		return string(enc)
	case litNumber:
		return l.raw
	case litBool:
		if l.b {
			return "true"
		}
		return "false"
	default:
		return "null"
	}
}
