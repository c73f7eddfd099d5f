package policy

import (
	"fmt"
	"strings"
)

// Conditions, as "Conditions" documents them
// (https://docs.oracle.com/iaas/Content/Identity/policysyntax/conditions.htm):
//
//	<variable> = '<value>'     <variable> != '<value>'
//	any {<condition>, <condition>, …}     all {<condition>, …}
//
// Only these forms are read; a pattern (/…/), a time or network comparison, or anything else is
// an error from ParseCondition, and a caller must then treat the condition as unknown: a
// condition this parser cannot read may allow anything or nothing.

// Truth is a three-valued answer: a condition is true, false, or cannot be decided from the
// facts given (a variable the caller does not know, such as a request's time or a tag).
type Truth int

// The three truth values, ordered so that the larger is the more permissive.
const (
	False Truth = iota
	Unknown
	True
)

func (t Truth) String() string { return [...]string{"false", "unknown", "true"}[t] }

// Condition is a parsed where clause.
type Condition struct {
	// Combinator is "any" or "all" for a list, "" for one comparison.
	Combinator string
	Parts      []Condition
	// One comparison: Variable (lower case) equals (or, with Negated, differs from) Value.
	Variable string
	Negated  bool
	Value    string
}

// ParseCondition parses the text after "where" (Statement.Condition).
func ParseCondition(text string) (Condition, error) {
	c := &condParser{src: text}
	cond, err := c.condition()
	if err != nil {
		return Condition{}, err
	}
	c.space()
	if c.pos != len(c.src) {
		return Condition{}, c.fail("end of condition")
	}
	return cond, nil
}

// Eval decides the condition for a request described by facts (variable, lower case → value).
// Values compare case-insensitively, as group and user names do in OCI; a variable not in
// facts makes its comparison Unknown. any is true when one part is, false when all are; all
// is false when one part is, true when all are; otherwise Unknown.
func (c Condition) Eval(facts map[string]string) Truth {
	switch c.Combinator {
	case "any":
		out := False
		for _, p := range c.Parts {
			out = max(out, p.Eval(facts))
		}
		return out
	case "all":
		out := True
		for _, p := range c.Parts {
			out = min(out, p.Eval(facts))
		}
		return out
	}
	v, ok := facts[c.Variable]
	if !ok {
		return Unknown
	}
	if strings.EqualFold(v, c.Value) != c.Negated {
		return True
	}
	return False
}

type condParser struct {
	src string
	pos int
}

func (c *condParser) fail(expected string) error {
	found := c.src[c.pos:]
	if len(found) > maxFound {
		found = found[:maxFound] + "..."
	}
	return fmt.Errorf("condition: expected %s at offset %d, found %q", expected, c.pos, found)
}

func (c *condParser) space() {
	for c.pos < len(c.src) && strings.ContainsRune(" \t\r\n", rune(c.src[c.pos])) {
		c.pos++
	}
}

// word reads a run of characters that may form a variable name or a combinator.
func (c *condParser) word() string {
	c.space()
	start := c.pos
	for c.pos < len(c.src) {
		b := c.src[c.pos]
		if b == '.' || b == '-' || b == '_' || b == ':' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' {
			c.pos++
			continue
		}
		break
	}
	return c.src[start:c.pos]
}

func (c *condParser) condition() (Condition, error) {
	start := c.pos
	w := c.word()
	if comb := strings.ToLower(w); comb == "any" || comb == "all" {
		c.space()
		if c.pos < len(c.src) && c.src[c.pos] == '{' {
			c.pos++
			return c.list(comb)
		}
	}
	if w == "" {
		c.pos = start
		return Condition{}, c.fail("variable, any {…} or all {…}")
	}
	cmp := Condition{Variable: strings.ToLower(w)}
	c.space()
	switch {
	case strings.HasPrefix(c.src[c.pos:], "!="):
		cmp.Negated = true
		c.pos += 2
	case strings.HasPrefix(c.src[c.pos:], "="):
		c.pos++
	default:
		return Condition{}, c.fail(`"=" or "!="`)
	}
	c.space()
	if c.pos >= len(c.src) || (c.src[c.pos] != '\'' && c.src[c.pos] != '"') {
		return Condition{}, c.fail("a quoted value (patterns and other comparisons are not read)")
	}
	q := c.src[c.pos]
	end := strings.IndexByte(c.src[c.pos+1:], q)
	if end < 0 {
		return Condition{}, c.fail("closing quote")
	}
	cmp.Value = c.src[c.pos+1 : c.pos+1+end]
	c.pos += end + 2
	return cmp, nil
}

func (c *condParser) list(comb string) (Condition, error) {
	out := Condition{Combinator: comb}
	for {
		part, err := c.condition()
		if err != nil {
			return Condition{}, err
		}
		out.Parts = append(out.Parts, part)
		c.space()
		if c.pos >= len(c.src) {
			return Condition{}, c.fail(`"," or "}"`)
		}
		switch c.src[c.pos] {
		case ',':
			c.pos++
		case '}':
			c.pos++
			return out, nil
		default:
			return Condition{}, c.fail(`"," or "}"`)
		}
	}
}
