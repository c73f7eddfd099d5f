package policy

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// SyntaxError says what the parser expected, where, and what it found.
type SyntaxError struct {
	// Offset is the byte offset into the statement where the problem starts.
	Offset   int
	Expected string
	// Found is the offending text, "" at the end of the statement.
	Found string
}

// maxFound bounds how much of the offending text an error repeats, so that a
// huge malformed statement cannot flood a log or a report.
const maxFound = 40

func (e *SyntaxError) Error() string {
	found := "end of statement"
	if e.Found != "" {
		f := e.Found
		if len(f) > maxFound {
			cut := maxFound
			for cut > 0 && !utf8.RuneStart(f[cut]) {
				cut--
			}
			f = f[:cut] + "..."
		}
		found = strconv.Quote(f)
	}
	return fmt.Sprintf("policy statement: expected %s at offset %d, found %s", e.Expected, e.Offset, found)
}

// StatementError locates a statement that failed to parse within its policy.
type StatementError struct {
	PolicyName string
	// Index is the statement's 0-based position in the policy.
	Index     int
	Statement string
	Err       error
}

func (e *StatementError) Error() string {
	return fmt.Sprintf("policy %q statement %d: %v", e.PolicyName, e.Index, e.Err)
}

func (e *StatementError) Unwrap() error { return e.Err }
