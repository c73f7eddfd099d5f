package policy

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokenKind int

const (
	tokEOF    tokenKind = iota
	tokWord             // a run of characters up to whitespace or punctuation
	tokQuoted           // '...' or "..."; text holds the content without quotes
	tokComma
	tokSlash
	tokLBrace
	tokRBrace
)

type token struct {
	kind tokenKind
	text string
	pos  int // byte offset of the token's first character in the statement
	end  int // byte offset just past the token
}

// lexer hands out tokens on demand rather than all at once because a where
// clause is free text: once the parser reaches "where" it takes the rest of
// the statement raw, and must not fail on quotes or braces it contains.
type lexer struct {
	src string
	pos int
}

func isDelimiter(r rune) bool {
	switch r {
	case ',', '/', '{', '}', '\'', '"':
		return true
	}
	return unicode.IsSpace(r)
}

func (l *lexer) skipSpace() {
	for l.pos < len(l.src) {
		r, size := utf8.DecodeRuneInString(l.src[l.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		l.pos += size
	}
}

// next returns the next token, or a SyntaxError for an unterminated quote.
func (l *lexer) next() (token, error) {
	l.skipSpace()
	start := l.pos
	if start >= len(l.src) {
		return token{kind: tokEOF, pos: start, end: start}, nil
	}
	switch c := l.src[start]; c {
	case ',':
		l.pos++
		return token{kind: tokComma, text: ",", pos: start, end: l.pos}, nil
	case '/':
		l.pos++
		return token{kind: tokSlash, text: "/", pos: start, end: l.pos}, nil
	case '{':
		l.pos++
		return token{kind: tokLBrace, text: "{", pos: start, end: l.pos}, nil
	case '}':
		l.pos++
		return token{kind: tokRBrace, text: "}", pos: start, end: l.pos}, nil
	case '\'', '"':
		end := strings.IndexByte(l.src[start+1:], c)
		if end < 0 {
			return token{}, &SyntaxError{Offset: start, Expected: "closing " + string(c), Found: ""}
		}
		l.pos = start + 1 + end + 1
		return token{kind: tokQuoted, text: l.src[start+1 : start+1+end], pos: start, end: l.pos}, nil
	}
	for l.pos < len(l.src) {
		r, size := utf8.DecodeRuneInString(l.src[l.pos:])
		if isDelimiter(r) {
			break
		}
		l.pos += size
	}
	return token{kind: tokWord, text: l.src[start:l.pos], pos: start, end: l.pos}, nil
}

// rest returns the untokenised remainder of the statement.
func (l *lexer) rest() string {
	r := l.src[l.pos:]
	l.pos = len(l.src)
	return r
}
