package policy

import "strings"

// Parse parses one policy statement. Define, Endorse, Admit and Deny
// statements are not errors: they return a Statement with Allow false. Any
// Allow statement that does not follow the grammar in full returns a
// *SyntaxError saying what was expected and at which byte offset.
func Parse(stmt string) (Statement, error) {
	p := &parser{lx: lexer{src: stmt}}
	st, err := p.statement()
	if err != nil {
		return Statement{Raw: stmt}, err
	}
	st.Raw = stmt
	return st, nil
}

// parser is a recursive-descent parser with one token of lookahead.
type parser struct {
	lx     lexer
	tok    token
	err    error
	peeked bool
}

func (p *parser) peek() (token, error) {
	if !p.peeked {
		p.tok, p.err = p.lx.next()
		p.peeked = true
	}
	return p.tok, p.err
}

// advance consumes a token already returned by peek.
func (p *parser) advance() { p.peeked = false }

func (p *parser) take() (token, error) {
	t, err := p.peek()
	p.peeked = false
	return t, err
}

func (p *parser) fail(t token, expected string) error {
	return &SyntaxError{Offset: t.pos, Expected: expected, Found: p.lx.src[t.pos:t.end]}
}

func isKeyword(t token, kw string) bool {
	return t.kind == tokWord && strings.EqualFold(t.text, kw)
}

// reserved words cannot be unquoted names: reading "Allow group to manage"
// as a group called "to" would hide a malformed statement.
func isReserved(t token) bool {
	return isKeyword(t, "to") || isKeyword(t, "in") || isKeyword(t, "where")
}

func (p *parser) expectKeyword(kw, expected string) error {
	t, err := p.take()
	if err != nil {
		return err
	}
	if !isKeyword(t, kw) {
		return p.fail(t, expected)
	}
	return nil
}

func (p *parser) statement() (Statement, error) {
	t, err := p.take()
	if err != nil {
		return Statement{}, err
	}
	const leads = `"Allow", "Define", "Endorse", "Admit" or "Deny"`
	if t.kind != tokWord {
		return Statement{}, p.fail(t, leads)
	}
	switch strings.ToLower(t.text) {
	case "allow":
		return p.allow()
	case "define", "endorse", "admit", "deny":
		return Statement{}, nil
	}
	return Statement{}, p.fail(t, leads)
}

func (p *parser) allow() (Statement, error) {
	st := Statement{Allow: true}
	var err error
	if st.Subjects, err = p.subjects(); err != nil {
		return st, err
	}
	if err = p.expectKeyword("to", `"," or "to"`); err != nil {
		return st, err
	}
	if err = p.grant(&st); err != nil {
		return st, err
	}
	if err = p.expectKeyword("in", `"in"`); err != nil {
		return st, err
	}
	if st.Location, err = p.location(); err != nil {
		return st, err
	}
	st.Condition, err = p.condition()
	return st, err
}
