package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
)

// phrase is what the operator types to let an enforcing run do what the preview showed: the
// number of credentials to delete and, when some, of capabilities to switch off. A number, not
// a yes: confirming is reading the preview.
func phrase(c guard.Counts) string {
	p := fmt.Sprintf("delete %d keys", c.WouldDelete)
	if c.WouldDisable > 0 {
		p += fmt.Sprintf(" and disable %d", c.WouldDisable)
	}
	return p
}

// errRefused is a confirmation not given: nothing was changed.
var errRefused = errors.New("not confirmed")

// confirm gets the phrase from --confirm or, when stdin is a terminal, from the operator.
// Without a terminal and without --confirm there is nobody to ask, so the answer is no, as
// tools that delete do (terraform apply, for one, refuses to apply without -auto-approve when
// it cannot prompt).
func confirm(want, given string, stdin *os.File, prompt io.Writer) error {
	if given != "" {
		if given != want {
			return fmt.Errorf("%w: --confirm %q does not match the preview, which asks for %q", errRefused, given, want)
		}
		return nil
	}
	if !term.IsTerminal(int(stdin.Fd())) {
		return fmt.Errorf("%w: stdin is not a terminal, so nobody can type the confirmation; pass --confirm %q after reading the preview", errRefused, want)
	}
	fmt.Fprintf(prompt, "\nTo go ahead, type %q: ", want)
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return fmt.Errorf("%w: %v", errRefused, err)
	}
	if got := strings.TrimSpace(line); got != want {
		return fmt.Errorf("%w: typed %q, want %q", errRefused, got, want)
	}
	return nil
}
