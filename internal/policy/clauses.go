package policy

import "strings"

// grant parses the verb or permission list and the resource type.
func (p *parser) grant(st *Statement) error {
	t, err := p.take()
	if err != nil {
		return err
	}
	if t.kind == tokLBrace {
		if st.Permissions, err = p.permissions(); err != nil {
			return err
		}
		// A permission list names its resources itself, so the resource
		// type is optional there.
		next, peekErr := p.peek()
		if peekErr != nil || isKeyword(next, "in") {
			return peekErr
		}
	} else {
		verb := strings.ToLower(t.text)
		switch {
		case t.kind == tokWord && (verb == VerbInspect || verb == VerbRead || verb == VerbUse || verb == VerbManage):
			st.Verb = verb
		default:
			return p.fail(t, "verb (inspect, read, use or manage) or {permission list}")
		}
	}
	t, err = p.take()
	if err != nil {
		return err
	}
	if t.kind != tokWord || isReserved(t) {
		return p.fail(t, "resource type")
	}
	st.Resource = strings.ToLower(t.text)
	return nil
}

// permissions parses the inside of "{PERM_A, PERM_B}"; the brace is taken.
func (p *parser) permissions() ([]string, error) {
	var perms []string
	for {
		t, err := p.take()
		if err != nil {
			return nil, err
		}
		if t.kind != tokWord || isReserved(t) {
			return nil, p.fail(t, "permission name")
		}
		perms = append(perms, t.text)
		if t, err = p.take(); err != nil {
			return nil, err
		}
		switch t.kind {
		case tokComma:
			continue
		case tokRBrace:
			return perms, nil
		}
		return nil, p.fail(t, `"," or "}"`)
	}
}

func (p *parser) location() (Location, error) {
	t, err := p.take()
	if err != nil {
		return Location{}, err
	}
	switch {
	case isKeyword(t, "tenancy"):
		return Location{Tenancy: true}, nil
	case isKeyword(t, "compartment"):
	default:
		return Location{}, p.fail(t, `"tenancy" or "compartment"`)
	}
	if t, err = p.take(); err != nil {
		return Location{}, err
	}
	if isKeyword(t, "id") {
		id, err := p.ocid("compartment OCID")
		return Location{CompartmentID: id}, err
	}
	path, err := p.name(t, "compartment name or path")
	if err != nil {
		return Location{}, err
	}
	for seg := range strings.SplitSeq(path, ":") {
		if strings.TrimSpace(seg) == "" {
			return Location{}, p.fail(t, "compartment path without empty parts")
		}
	}
	return Location{Compartment: path}, nil
}

// condition parses the optional where clause, kept as raw trimmed text.
func (p *parser) condition() (string, error) {
	t, err := p.take()
	if err != nil {
		return "", err
	}
	switch {
	case t.kind == tokEOF:
		return "", nil
	case !isKeyword(t, "where"):
		return "", p.fail(t, `"where" or end of statement`)
	}
	cond := strings.TrimSpace(p.lx.rest())
	if cond == "" {
		return "", p.fail(token{kind: tokEOF, pos: len(p.lx.src), end: len(p.lx.src)}, "condition after where")
	}
	return cond, nil
}
