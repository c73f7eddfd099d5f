package scimfilter

import (
	"encoding/json"
	"fmt"
	"strconv"
)

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokLParen
	tokRParen
	tokLBracket
	tokRBracket
	tokString
	tokNumber
	tokWord
)

func (k tokenKind) String() string {
	switch k {
	case tokEOF:
		return "end of filter"
	case tokLParen:
		return "'('"
	case tokRParen:
		return "')'"
	case tokLBracket:
		return "'['"
	case tokRBracket:
		return "']'"
	case tokString:
		return "string"
	case tokNumber:
		return "number"
	default:
		return "word"
	}
}

type token struct {
	kind tokenKind
	pos  int    // byte offset of the first character
	text string // source text of the token
	str  string // decoded value of a string literal
	num  float64
}

// describe names a token for "expected X, found Y" messages.
func (t token) describe() string {
	switch t.kind {
	case tokEOF, tokLParen, tokRParen, tokLBracket, tokRBracket:
		return t.kind.String()
	default:
		return fmt.Sprintf("%s %s", t.kind, truncate(t.text))
	}
}

func truncate(s string) string {
	const max = 40
	if len(s) > max {
		return strconv.Quote(s[:max] + "...")
	}
	return strconv.Quote(s)
}

// lex splits the whole input up front; filters are small and this keeps the
// parser free of lookahead bookkeeping.
func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for {
		for i < len(src) && isSpace(src[i]) {
			i++
		}
		if i == len(src) {
			return append(toks, token{kind: tokEOF, pos: i}), nil
		}
		c := src[i]
		switch {
		case c == '(' || c == ')' || c == '[' || c == ']':
			kind := map[byte]tokenKind{'(': tokLParen, ')': tokRParen, '[': tokLBracket, ']': tokRBracket}[c]
			toks = append(toks, token{kind: kind, pos: i, text: string(c)})
			i++
		case c == '"':
			t, err := lexString(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i += len(t.text)
		case c == '-' || isDigit(c):
			t, err := lexNumber(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i += len(t.text)
		case isWordStart(c):
			j := i + 1
			for j < len(src) && isWordChar(src[j]) {
				j++
			}
			toks = append(toks, token{kind: tokWord, pos: i, text: src[i:j]})
			i = j
		default:
			return nil, errorf(i, "unexpected character %q", rune(c))
		}
	}
}

func lexString(src string, start int) (token, error) {
	i := start + 1
	for i < len(src) {
		switch src[i] {
		case '\\':
			i += 2
			continue
		case '"':
			text := src[start : i+1]
			var s string
			// encoding/json implements exactly the JSON escape rules the RFC
			// prescribes for filter literals.
			if err := json.Unmarshal([]byte(text), &s); err != nil {
				return token{}, errorf(start, "invalid string literal: %v", err)
			}
			return token{kind: tokString, pos: start, text: text, str: s}, nil
		}
		i++
	}
	return token{}, errorf(start, "unterminated string literal")
}

// lexNumber accepts the JSON number grammar.
func lexNumber(src string, start int) (token, error) {
	i := start
	if src[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(src) && isDigit(src[i]) {
			i++
			n++
		}
		return n
	}
	intStart := i
	if digits() == 0 {
		return token{}, errorf(start, "invalid number: expected a digit after '-'")
	}
	if src[intStart] == '0' && i-intStart > 1 {
		return token{}, errorf(start, "invalid number: leading zero")
	}
	if i < len(src) && src[i] == '.' {
		i++
		if digits() == 0 {
			return token{}, errorf(start, "invalid number: expected a digit after '.'")
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		i++
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		if digits() == 0 {
			return token{}, errorf(start, "invalid number: expected a digit in the exponent")
		}
	}
	if i < len(src) && isWordChar(src[i]) {
		return token{}, errorf(start, "invalid number %s", truncate(src[start:i+1]))
	}
	text := src[start:i]
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return token{}, errorf(start, "number %s out of range", truncate(text))
	}
	return token{kind: tokNumber, pos: start, text: text, num: f}, nil
}

func isSpace(c byte) bool     { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isDigit(c byte) bool     { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool     { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isWordStart(c byte) bool { return isAlpha(c) || c == '$' || c == '_' }

// isWordChar covers attribute names plus the '.' and ':' of dotted and
// URN-qualified paths (a URN may itself contain dots, e.g. "core:2.0").
func isWordChar(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '_' || c == '-' || c == '$' || c == '.' || c == ':'
}
