package ociemu

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The emulator's own reading of IAM policy statements. It is deliberately written apart from
// the product's parser (internal/policy): the emulator is a second, independent reading of
// Oracle's syntax, so that a mistake in one does not hide in the other
// (internal/deploytest TestEmulatorIsIndependentOfTheProduct keeps the packages apart).
//
// Source: "Policy Syntax" (https://docs.oracle.com/iaas/Content/Identity/policysyntax/policysyntax.htm)
//
//	Allow <subject> to <verb> <resource-type> in <location> [where <conditions>]
//	Allow <subject> to <permission-list> in <location> [where <conditions>]   ({PERM, PERM})
//
// subject: group <name> | group id <ocid> | dynamic-group <name> | dynamic-group id <ocid> |
// any-user | any-group, comma-separated; a name may be domain-qualified ('Domain'/'Name', an
// unqualified name is the Default domain's) and quoted. location: tenancy | compartment <name>
// (a path "A:B" below the policy's compartment) | compartment id <ocid>. Conditions: "Conditions"
// (https://docs.oracle.com/iaas/Content/Identity/policysyntax/conditions.htm): var = 'value',
// var != 'value', any {…}, all {…}, nested.
//
// As strict as OCI plausibly is (OCI refuses a malformed statement when the policy is written;
// the emulator parses every statement and lets a malformed one grant nothing):
//   - every keyword and part must be there, in order; nothing may follow the statement;
//   - "to", "in" and "where" are never names (reading "Allow group to manage" as a group called
//     "to" would hide a malformed statement);
//   - a condition value is quoted (Oracle's examples always quote it; ASSUMPTION that an
//     unquoted one is refused);
//   - Define, Endorse, Admit and Deny statements are not modelled: they grant nothing.

// subjectKind is who a statement names.
type subjectKind int

const (
	subjectGroup subjectKind = iota + 1
	subjectDynamicGroup
	subjectAnyUser
	subjectAnyGroup
)

// stmtSubject is one subject: a (dynamic) group by name (with its domain, "" for the Default
// domain) or by OCID, or any-user / any-group.
type stmtSubject struct {
	kind   subjectKind
	domain string
	name   string
	ocid   string
}

// stmtLocation is where a statement applies: the tenancy, a compartment path relative to the
// policy's compartment, or a compartment by OCID.
type stmtLocation struct {
	tenancy bool
	path    []string
	ocid    string
}

// allowStatement is a parsed Allow statement. Either verb and resource, or permissions.
type allowStatement struct {
	subjects    []stmtSubject
	verb        string // inspect, read, use, manage (lower case)
	resource    string // lower case
	permissions []string
	location    stmtLocation
	condition   condNode // nil without a where clause
}

// errNotAllow marks a statement that parses as another kind (Define, Endorse, Admit, Deny):
// it grants nothing here.
var errNotAllow = errors.New("not an Allow statement")

type tokKind int

const (
	tokEOF tokKind = iota
	tokWord
	tokQuoted
	tokPunct // one of { } , / = and "!="
)

type stmtToken struct {
	kind tokKind
	text string
	pos  int
}

// lexStatement splits a statement into words, quoted strings and punctuation.
func lexStatement(src string) ([]stmtToken, error) {
	var out []stmtToken
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'' || c == '"':
			end := strings.IndexByte(src[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("unterminated quoted string at %d", i)
			}
			out = append(out, stmtToken{tokQuoted, src[i+1 : i+1+end], i})
			i += end + 2
		case strings.IndexByte("{},/=", c) >= 0:
			out = append(out, stmtToken{tokPunct, string(c), i})
			i++
		case c == '!':
			if i+1 >= len(src) || src[i+1] != '=' {
				return nil, fmt.Errorf("unexpected '!' at %d", i)
			}
			out = append(out, stmtToken{tokPunct, "!=", i})
			i += 2
		default:
			start := i
			for i < len(src) && strings.IndexByte(" \t\n\r'\"{},/=!", src[i]) < 0 {
				i++
			}
			out = append(out, stmtToken{tokWord, src[start:i], start})
		}
	}
	return append(out, stmtToken{kind: tokEOF, pos: len(src)}), nil
}

type stmtParser struct {
	toks []stmtToken
	at   int
}

func (p *stmtParser) peek() stmtToken { return p.toks[p.at] }

func (p *stmtParser) next() stmtToken {
	t := p.toks[p.at]
	if t.kind != tokEOF {
		p.at++
	}
	return t
}

func (p *stmtParser) errorf(t stmtToken, want string) error {
	found := t.text
	if t.kind == tokEOF {
		found = "end of statement"
	}
	return fmt.Errorf("at %d: want %s, found %q", t.pos, want, found)
}

func isWord(t stmtToken, kw string) bool { return t.kind == tokWord && strings.EqualFold(t.text, kw) }

func isPunct(t stmtToken, p string) bool { return t.kind == tokPunct && t.text == p }

func (p *stmtParser) keyword(kw string) error {
	if t := p.next(); !isWord(t, kw) {
		return p.errorf(t, fmt.Sprintf("%q", kw))
	}
	return nil
}

// parseStatement reads one policy statement; errNotAllow for the statements that grant
// nothing here, another error for a malformed one.
func parseStatement(src string) (allowStatement, error) {
	toks, err := lexStatement(src)
	if err != nil {
		return allowStatement{}, err
	}
	p := &stmtParser{toks: toks}
	lead := p.next()
	switch {
	case isWord(lead, "allow"):
	case isWord(lead, "define"), isWord(lead, "endorse"), isWord(lead, "admit"), isWord(lead, "deny"):
		return allowStatement{}, errNotAllow
	default:
		return allowStatement{}, p.errorf(lead, `"Allow"`)
	}
	var st allowStatement
	if st.subjects, err = p.subjects(); err != nil {
		return st, err
	}
	if err = p.keyword("to"); err != nil {
		return st, err
	}
	if err = p.grant(&st); err != nil {
		return st, err
	}
	if err = p.keyword("in"); err != nil {
		return st, err
	}
	if st.location, err = p.location(); err != nil {
		return st, err
	}
	if isWord(p.peek(), "where") {
		p.next()
		if st.condition, err = p.condition(); err != nil {
			return st, err
		}
	}
	if t := p.next(); t.kind != tokEOF {
		return st, p.errorf(t, "end of statement")
	}
	return st, nil
}

func isReservedWord(t stmtToken) bool {
	return isWord(t, "to") || isWord(t, "in") || isWord(t, "where")
}

// subjects reads a comma-separated subject list; after a comma the kind of a (dynamic) group
// may be left out ("group A, B"), as Oracle's examples write it.
func (p *stmtParser) subjects() ([]stmtSubject, error) {
	var out []stmtSubject
	var prev subjectKind
	for {
		t := p.next()
		var s stmtSubject
		var err error
		switch {
		case isWord(t, "any-user"):
			s = stmtSubject{kind: subjectAnyUser}
		case isWord(t, "any-group"):
			s = stmtSubject{kind: subjectAnyGroup}
		case isWord(t, "group"):
			s, err = p.groupRef(subjectGroup)
		case isWord(t, "dynamic-group"):
			s, err = p.groupRef(subjectDynamicGroup)
		case prev == subjectGroup || prev == subjectDynamicGroup:
			p.at-- // the kind carries over: t starts the reference
			s, err = p.groupRef(prev)
		default:
			return nil, p.errorf(t, "a subject (group, dynamic-group, any-user or any-group)")
		}
		if err != nil {
			return nil, err
		}
		out = append(out, s)
		prev = s.kind
		if !isPunct(p.peek(), ",") {
			return out, nil
		}
		p.next()
	}
}

// name reads a word or a quoted string that is not a reserved word.
func (p *stmtParser) name(what string) (string, error) {
	t := p.next()
	if t.kind == tokQuoted && t.text != "" || t.kind == tokWord && !isReservedWord(t) {
		return t.text, nil
	}
	return "", p.errorf(t, what)
}

func (p *stmtParser) groupRef(kind subjectKind) (stmtSubject, error) {
	s := stmtSubject{kind: kind}
	if isWord(p.peek(), "id") {
		p.next()
		t := p.next()
		if t.kind != tokWord || !strings.HasPrefix(strings.ToLower(t.text), "ocid1.") {
			return s, p.errorf(t, "an OCID")
		}
		s.ocid = t.text
		return s, nil
	}
	first, err := p.name("a group name")
	if err != nil {
		return s, err
	}
	if !isPunct(p.peek(), "/") {
		s.name = first
		return s, nil
	}
	p.next()
	s.domain = first
	s.name, err = p.name("a group name after the domain")
	return s, err
}

var knownVerbs = []string{"inspect", "read", "use", "manage"}

func (p *stmtParser) grant(st *allowStatement) error {
	t := p.next()
	if isPunct(t, "{") {
		for {
			perm := p.next()
			if perm.kind != tokWord || isReservedWord(perm) {
				return p.errorf(perm, "a permission name")
			}
			st.permissions = append(st.permissions, strings.ToUpper(perm.text))
			sep := p.next()
			if isPunct(sep, "}") {
				return nil
			}
			if !isPunct(sep, ",") {
				return p.errorf(sep, `"," or "}"`)
			}
		}
	}
	verb := strings.ToLower(t.text)
	if t.kind != tokWord || !slices.Contains(knownVerbs, verb) {
		return p.errorf(t, "a verb (inspect, read, use, manage) or a permission list")
	}
	st.verb = verb
	res := p.next()
	if res.kind != tokWord || isReservedWord(res) {
		return p.errorf(res, "a resource type")
	}
	st.resource = strings.ToLower(res.text)
	return nil
}

func (p *stmtParser) location() (stmtLocation, error) {
	t := p.next()
	switch {
	case isWord(t, "tenancy"):
		return stmtLocation{tenancy: true}, nil
	case isWord(t, "compartment"):
		if isWord(p.peek(), "id") {
			p.next()
			id := p.next()
			if id.kind != tokWord || !strings.HasPrefix(strings.ToLower(id.text), "ocid1.") {
				return stmtLocation{}, p.errorf(id, "a compartment OCID")
			}
			return stmtLocation{ocid: id.text}, nil
		}
		path, err := p.name("a compartment name or path")
		if err != nil {
			return stmtLocation{}, err
		}
		var loc stmtLocation
		for seg := range strings.SplitSeq(path, ":") {
			if seg = strings.TrimSpace(seg); seg == "" {
				return stmtLocation{}, fmt.Errorf("at %d: empty compartment name in %q", t.pos, path)
			}
			loc.path = append(loc.path, seg)
		}
		return loc, nil
	}
	return stmtLocation{}, p.errorf(t, `"tenancy" or "compartment"`)
}

// condNode is a parsed condition: a comparison or an any/all group.
type condNode interface {
	eval(lookup func(variable string) (string, bool)) bool
}

type condCompare struct {
	variable string
	value    string
	negate   bool
}

// eval: a variable the request does not carry makes the comparison false ("Conditions": a
// condition on a variable that does not apply to the request evaluates to false), so an
// unknown variable never widens a grant, whichever the operator. Values compare
// case-insensitively (operation and permission names are matched that way by OCI; ASSUMPTION
// for the others, which the emulator's tests do not use).
func (c condCompare) eval(lookup func(string) (string, bool)) bool {
	got, ok := lookup(strings.ToLower(c.variable))
	if !ok {
		return false
	}
	return strings.EqualFold(got, c.value) != c.negate
}

type condGroup struct {
	all   bool // all {…}; otherwise any {…}
	parts []condNode
}

func (g condGroup) eval(lookup func(string) (string, bool)) bool {
	for _, part := range g.parts {
		if part.eval(lookup) != g.all {
			return !g.all
		}
	}
	return g.all
}

func (p *stmtParser) condition() (condNode, error) {
	t := p.next()
	if (isWord(t, "any") || isWord(t, "all")) && isPunct(p.peek(), "{") {
		p.next()
		g := condGroup{all: isWord(t, "all")}
		for {
			part, err := p.condition()
			if err != nil {
				return nil, err
			}
			g.parts = append(g.parts, part)
			sep := p.next()
			if isPunct(sep, "}") {
				return g, nil
			}
			if !isPunct(sep, ",") {
				return nil, p.errorf(sep, `"," or "}"`)
			}
		}
	}
	if t.kind != tokWord || isReservedWord(t) {
		return nil, p.errorf(t, "a variable, any {…} or all {…}")
	}
	op := p.next()
	if !isPunct(op, "=") && !isPunct(op, "!=") {
		return nil, p.errorf(op, `"=" or "!="`)
	}
	val := p.next()
	if val.kind != tokQuoted {
		return nil, p.errorf(val, "a quoted value")
	}
	return condCompare{variable: t.text, value: val.text, negate: op.text == "!="}, nil
}

// parseCondition reads a where clause on its own (for tests and evalCondition).
func parseCondition(src string) (condNode, error) {
	toks, err := lexStatement(src)
	if err != nil {
		return nil, err
	}
	p := &stmtParser{toks: toks}
	c, err := p.condition()
	if err != nil {
		return nil, err
	}
	if t := p.next(); t.kind != tokEOF {
		return nil, p.errorf(t, "end of condition")
	}
	return c, nil
}
