package scimfilter

import (
	"fmt"
	"strings"
)

// Limits that keep a hostile query string from costing more than a small,
// bounded amount of memory and stack.
const (
	MaxLength = 64 << 10
	MaxDepth  = 64
)

// SyntaxError reports where and why a filter was rejected.
type SyntaxError struct {
	Offset int // byte offset into the filter
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid SCIM filter at offset %d: %s", e.Offset, e.Msg)
}

func errorf(pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Offset: pos, Msg: fmt.Sprintf(format, args...)}
}

// Parse parses a SCIM filter. Errors are *SyntaxError.
func Parse(s string) (*Filter, error) {
	if len(s) > MaxLength {
		return nil, errorf(MaxLength, "filter is %d bytes, longer than the limit of %d", len(s), MaxLength)
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	if p.peek().kind == tokEOF {
		return nil, errorf(0, "empty filter")
	}
	root, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, errorf(t.pos, "expected 'and', 'or' or end of filter, found %s", t.describe())
	}
	return &Filter{root: root}, nil
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) isKeyword(word string) bool {
	t := p.peek()
	return t.kind == tokWord && strings.EqualFold(t.text, word)
}

// Chains are parsed with loops, not recursion, so only parentheses and not
// consume depth.
func (p *parser) parseOr(depth int) (node, error) {
	left, err := p.parseAnd(depth)
	if err != nil {
		return nil, err
	}
	for p.isKeyword("or") {
		p.next()
		right, err := p.parseAnd(depth)
		if err != nil {
			return nil, err
		}
		left = &logical{op: opOr, left: left, right: right}
	}
	return left, nil
}

func (p *parser) parseAnd(depth int) (node, error) {
	left, err := p.parseUnary(depth)
	if err != nil {
		return nil, err
	}
	for p.isKeyword("and") {
		p.next()
		right, err := p.parseUnary(depth)
		if err != nil {
			return nil, err
		}
		left = &logical{op: opAnd, left: left, right: right}
	}
	return left, nil
}

func (p *parser) parseUnary(depth int) (node, error) {
	t := p.peek()
	// "not" is only a keyword when a parenthesis follows (RFC: "not" "(" valFilter ")"),
	// which leaves an attribute that happens to be called "not" usable.
	isNot := t.kind == tokWord && strings.EqualFold(t.text, "not") && p.toks[p.i+1].kind == tokLParen
	if t.kind != tokLParen && !isNot {
		return p.parseComparison()
	}
	if depth >= MaxDepth {
		return nil, errorf(t.pos, "filter nested deeper than the limit of %d", MaxDepth)
	}
	if isNot {
		p.next()
	}
	open := p.next()
	inner, err := p.parseOr(depth + 1)
	if err != nil {
		return nil, err
	}
	if c := p.peek(); c.kind != tokRParen {
		return nil, errorf(c.pos, "expected ')' to close '(' at offset %d, found %s", open.pos, c.describe())
	}
	p.next()
	if isNot {
		return &negation{x: inner}, nil
	}
	return inner, nil
}

func (p *parser) parseComparison() (node, error) {
	t := p.next()
	if t.kind != tokWord {
		return nil, errorf(t.pos, "expected an attribute path, '(' or 'not (', found %s", t.describe())
	}
	path, err := parsePath(t)
	if err != nil {
		return nil, err
	}
	opTok := p.next()
	if opTok.kind == tokLBracket {
		return nil, errorf(opTok.pos, "value-path filters (attr[...]) are not supported")
	}
	op := operator(strings.ToLower(opTok.text))
	if opTok.kind != tokWord || !op.valid() {
		if strings.EqualFold(t.text, "not") {
			return nil, errorf(opTok.pos, "expected '(' after 'not', found %s", opTok.describe())
		}
		return nil, errorf(opTok.pos, "expected an operator (eq, ne, co, sw, ew, pr, gt, ge, lt, le) after %s, found %s",
			truncate(t.text), opTok.describe())
	}
	if op == opPresent {
		return &comparison{path: path, op: op}, nil
	}
	valTok := p.next()
	lit, err := parseLiteral(valTok)
	if err != nil {
		return nil, err
	}
	if err := op.accepts(lit); err != nil {
		return nil, errorf(valTok.pos, "%v", err)
	}
	return &comparison{path: path, op: op, value: lit}, nil
}

func parseLiteral(t token) (literal, error) {
	switch t.kind {
	case tokString:
		return literal{kind: litString, str: t.str}, nil
	case tokNumber:
		return literal{kind: litNumber, num: t.num, raw: t.text}, nil
	case tokWord:
		switch strings.ToLower(t.text) {
		case "true":
			return literal{kind: litBool, b: true}, nil
		case "false":
			return literal{kind: litBool}, nil
		case "null":
			return literal{kind: litNull}, nil
		}
	}
	return literal{}, errorf(t.pos, "expected a value (\"string\", number, true, false or null), found %s", t.describe())
}

// parsePath splits attrPath = [URI ":"] ATTRNAME *1subAttr. The URN part is
// everything before the last ':' because URNs contain ':' (and even '.').
func parsePath(t token) (attrPath, error) {
	raw := t.text
	var path attrPath
	attrs := raw
	if i := strings.LastIndexByte(raw, ':'); i >= 0 {
		path.urn = raw[:i]
		attrs = raw[i+1:]
		if len(path.urn) < 5 || !strings.EqualFold(path.urn[:4], "urn:") {
			return attrPath{}, errorf(t.pos, "attribute path %s contains ':' but is not URN-qualified (urn:...:attr)", truncate(raw))
		}
	}
	path.names = strings.Split(attrs, ".")
	for _, n := range path.names {
		if !validAttrName(n) {
			return attrPath{}, errorf(t.pos, "invalid attribute name %s in path %s", truncate(n), truncate(raw))
		}
	}
	if len(path.names) > 2 {
		return attrPath{}, errorf(t.pos, "attribute path %s has more than one sub-attribute", truncate(raw))
	}
	return path, nil
}

// validAttrName follows RFC 7643 ATTRNAME, plus "$ref".
func validAttrName(n string) bool {
	if n == "" {
		return false
	}
	if strings.EqualFold(n, "$ref") {
		return true
	}
	if !isAlpha(n[0]) {
		return false
	}
	for i := 1; i < len(n); i++ {
		c := n[i]
		if !isAlpha(c) && !isDigit(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}
