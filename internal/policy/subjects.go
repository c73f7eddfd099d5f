package policy

import (
	"strings"
	"unicode"
)

// subjects parses a comma-separated subject list. After a comma the principal
// keyword may be left out ("group A, B", "group id x, id y"); the previous
// subject's kind then carries over, as in the OCI documentation's examples.
func (p *parser) subjects() ([]Subject, error) {
	var subs []Subject
	var prev SubjectKind
	for {
		s, err := p.subject(prev)
		if err != nil {
			return nil, err
		}
		subs = append(subs, s)
		prev = s.Kind
		t, err := p.peek()
		if err != nil {
			return nil, err
		}
		if t.kind != tokComma {
			return subs, nil
		}
		p.advance()
	}
}

func (p *parser) subject(prev SubjectKind) (Subject, error) {
	t, err := p.take()
	if err != nil {
		return Subject{}, err
	}
	if t.kind == tokWord {
		switch strings.ToLower(t.text) {
		case "group":
			return p.principal(KindGroup)
		case "dynamic-group":
			return p.principal(KindDynamicGroup)
		case "service":
			return p.service()
		case "any-group":
			return Subject{Kind: KindAnyGroup}, nil
		case "any-user":
			return Subject{Kind: KindAnyUser}, nil
		}
	}
	switch prev {
	case KindGroup, KindDynamicGroup:
		if isKeyword(t, "id") {
			return p.byOCID(prev)
		}
		return p.named(prev, t)
	case KindService:
		return p.serviceName(t)
	}
	return Subject{}, p.fail(t, "subject (group, dynamic-group, service, any-group or any-user)")
}

// principal parses what follows "group" or "dynamic-group".
func (p *parser) principal(kind SubjectKind) (Subject, error) {
	t, err := p.take()
	if err != nil {
		return Subject{}, err
	}
	if isKeyword(t, "id") {
		return p.byOCID(kind)
	}
	return p.named(kind, t)
}

func (p *parser) byOCID(kind SubjectKind) (Subject, error) {
	id, err := p.ocid(string(kind) + " OCID")
	if err != nil {
		return Subject{}, err
	}
	return Subject{Kind: kind, OCID: id}, nil
}

// named parses "<name>" or "<domain>/<name>", each part quoted or not; first
// is the already-taken token of the first part.
func (p *parser) named(kind SubjectKind, first token) (Subject, error) {
	what := string(kind) + " name"
	name, err := p.name(first, what)
	if err != nil {
		return Subject{}, err
	}
	t, err := p.peek()
	if err != nil {
		return Subject{}, err
	}
	if t.kind != tokSlash {
		return Subject{Kind: kind, Name: name}, nil
	}
	p.advance()
	second, err := p.take()
	if err != nil {
		return Subject{}, err
	}
	member, err := p.name(second, what+" after domain")
	if err != nil {
		return Subject{}, err
	}
	return Subject{Kind: kind, Domain: name, Name: member}, nil
}

func (p *parser) service() (Subject, error) {
	t, err := p.take()
	if err != nil {
		return Subject{}, err
	}
	return p.serviceName(t)
}

func (p *parser) serviceName(t token) (Subject, error) {
	name, err := p.name(t, "service name")
	if err != nil {
		return Subject{}, err
	}
	return Subject{Kind: KindService, Name: name}, nil
}

// name accepts a quoted name (which may contain spaces) or an unquoted word
// that is not a reserved keyword.
func (p *parser) name(t token, what string) (string, error) {
	switch {
	case t.kind == tokQuoted && strings.TrimSpace(t.text) != "":
		return t.text, nil
	case t.kind == tokWord && !isReserved(t):
		return t.text, nil
	}
	return "", p.fail(t, what)
}

func (p *parser) ocid(what string) (string, error) {
	t, err := p.take()
	if err != nil {
		return "", err
	}
	if (t.kind == tokWord || t.kind == tokQuoted) && isOCID(t.text) {
		return t.text, nil
	}
	return "", p.fail(t, what+` ("ocid1.<...>" without spaces)`)
}

// isOCID is a shape check only: it rejects what cannot be an OCID, such as a
// quoted string that swallowed the rest of the statement.
func isOCID(s string) bool {
	return hasFoldPrefix(s, "ocid1.") && strings.IndexFunc(s, unicode.IsSpace) < 0
}

func hasFoldPrefix(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
