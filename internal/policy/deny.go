package policy

import "strings"

// ParseDeny parses a Deny statement with the grammar of an Allow statement:
//
//	Deny <subject> to <verb> <resource-type> in <location> [where <conditions>]
//
// ("Deny Policies", generally available since 2025-11-20: a deny statement names its
// subjects, verb or permissions, resource type and location as an allow statement does,
// https://docs.oracle.com/iaas/Content/Identity/policysyntax/denypolicies.htm).
// isDeny is false, with no error, for every statement that is not a Deny statement; Parse
// still reads a Deny statement as "not an Allow statement", so existing callers are unchanged.
// The returned Statement has Allow false; Deny is set only on success.
func ParseDeny(stmt string) (st Statement, isDeny bool, err error) {
	p := &parser{lx: lexer{src: stmt}}
	t, err := p.take()
	if err != nil || !isKeyword(t, "deny") {
		return Statement{Raw: stmt}, false, nil
	}
	st, err = p.allow()
	st.Raw, st.Allow = stmt, false
	if err != nil {
		return Statement{Raw: stmt}, true, err
	}
	st.Deny = true
	return st, true, nil
}

// IsDeny reports whether the statement starts with the Deny keyword, whatever follows.
func IsDeny(stmt string) bool {
	f := strings.Fields(stmt)
	return len(f) > 0 && strings.EqualFold(f[0], "deny")
}
