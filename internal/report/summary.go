package report

import (
	"fmt"
	"strings"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
)

// Title is a one-line subject that says why the message was sent: the failure, the change,
// or the finding.
func Title(r *Report) string {
	c := r.Counts
	findings := r.Unenforced()
	var what string
	switch {
	case r.Status == guard.StatusError:
		what = "run failed, nothing changed"
		if len(r.Errors) > 0 {
			what = fmt.Sprintf("run failed (%s), nothing changed", r.Errors[0].Stage)
		}
	case r.Mode == ModeDryRun && r.Changed():
		what = fmt.Sprintf("dry run: would delete %d administrator API key(s)", c.WouldDelete)
		if c.WouldDisable > 0 {
			what += fmt.Sprintf(", would disable %d API key capability(ies)", c.WouldDisable)
		}
	case r.Changed() || c.Failed+c.NotAttempted > 0:
		what = fmt.Sprintf("deleted %d administrator API key(s)", c.Deleted)
		if c.Disabled > 0 {
			what += fmt.Sprintf(", disabled %d API key capability(ies)", c.Disabled)
		}
	case len(findings) > 0:
		what = findingTitle(findings)
	default:
		what = "no administrator API key to delete"
	}
	if c.Failed+c.NotAttempted > 0 {
		what += fmt.Sprintf(", %d failed or not attempted", c.Failed+c.NotAttempted)
	}
	if len(findings) > 0 && !strings.HasPrefix(what, "finding:") && r.Status != guard.StatusError {
		what += fmt.Sprintf("; %d policy-admin group(s) not enforced", len(findings))
	}
	if n := len(r.Escalation); n > 0 && r.Status != guard.StatusError {
		what += fmt.Sprintf("; %d escalation path(s), %d enforced", n, r.Counts.EscalationEnforced)
	}
	return fmt.Sprintf("admin-apikey-guard [%s]: %s", r.Status, what)
}

// Text is the operator-readable body: what was done, to whom, which keys by fingerprint.
func Text(r *Report) string {
	var b strings.Builder
	writeHeader(&b, r)
	if len(r.Groups) > 0 {
		b.WriteString("\nAdministrator groups:\n")
		for _, g := range r.Groups {
			fmt.Fprintf(&b, "  %s/%s (%s) %d member(s), from %s\n", g.Domain, g.Name, g.OCID, g.Members, g.Source)
		}
	}
	for _, a := range r.Admins {
		if len(a.Keys) == 0 && a.Capability == nil {
			continue
		}
		fmt.Fprintf(&b, "\n%s (%s, domain %s)%s\n", a.UserName, a.OCID, a.Domain, map[bool]string{true: " EXEMPT"}[a.Exempt])
		for _, k := range a.Keys {
			fmt.Fprintf(&b, "  %s: %s%s\n", credentialName(k), k.Outcome, suffix(k))
		}
		if a.Capability != nil {
			fmt.Fprintf(&b, "  %s: %s%s\n", capabilityName(*a.Capability), a.Capability.Outcome, suffix(*a.Capability))
		}
	}
	if len(r.Policy) > 0 {
		b.WriteString("\nGranted manage all-resources in tenancy by policy:\n")
		for _, f := range r.Policy {
			cond := ""
			if f.Conditional {
				cond = " (conditional)"
			}
			fmt.Fprintf(&b, "  %s%s in policy %q: %s\n", f.Subject, cond, f.PolicyName, f.Note)
		}
	}
	escalationText(&b, r.Escalation)
	domainRolesText(&b, r.DomainRoles)
	for _, p := range r.Errors {
		fmt.Fprintf(&b, "\nERROR (%s): %s%s\n", p.Stage, p.Message, hint(p))
	}
	for _, p := range r.Warnings {
		fmt.Fprintf(&b, "\nWARNING (%s): %s%s\n", p.Stage, p.Message, hint(p))
	}
	return b.String()
}

func suffix(k guard.KeyResult) string {
	if k.Reason == "" {
		return ""
	}
	return " (" + k.Reason + ")"
}

func hint(p guard.Problem) string {
	if p.Hint == "" {
		return ""
	}
	return "\n  Hint: " + p.Hint
}

// credentialName names a credential as an operator recognises it: an API key by fingerprint;
// any other kind by kind, description, id, creation and expiry (never its secret).
func credentialName(k guard.KeyResult) string {
	if k.Kind == "" || k.Kind == guard.KindAPIKeys {
		return "key " + k.Fingerprint
	}
	s := string(k.Kind)
	if k.Description != "" {
		s += fmt.Sprintf(" %q", k.Description)
	}
	s += " " + k.ID
	if k.Created != nil {
		s += ", created " + k.Created.UTC().Format("2006-01-02")
	}
	if k.Expires != nil {
		s += ", expires " + k.Expires.UTC().Format("2006-01-02")
	}
	return s
}

// capabilityName is "canUseApiKeys" when only API keys are switched off (as before), else the
// kinds switched off.
func capabilityName(k guard.KeyResult) string {
	if len(k.Capabilities) == 0 || len(k.Capabilities) == 1 && k.Capabilities[0] == guard.KindAPIKeys {
		return "canUseApiKeys"
	}
	names := make([]string, len(k.Capabilities))
	for i, c := range k.Capabilities {
		names[i] = string(c)
	}
	return "capabilities " + strings.Join(names, ",")
}

// writeHeader writes the run in a few lines: status, build, counts, exemptions, calls.
func writeHeader(b *strings.Builder, r *Report) {
	c := r.Counts
	fmt.Fprintf(b, "Status: %s   Mode: %s   Call: %s\n", r.Status, r.Mode, r.CallID)
	fmt.Fprintf(b, "Version: %s\n", r.Version)
	fmt.Fprintf(b, "Administrators: %d   Keys: %d   Deleted: %d   Would delete: %d   Exempt: %d   Failed: %d   Not attempted: %d\n",
		c.Administrators, c.Keys, c.Deleted, c.WouldDelete, c.Exempt, c.Failed, c.NotAttempted)
	if e := r.Exemptions.Summary; e != "" {
		fmt.Fprintf(b, "%s%s\n", strings.ToUpper(e[:1]), e[1:]) // "Exemptions: 1 of 1 matched: admin0001"
	}
	if c.Disabled+c.WouldDisable > 0 {
		fmt.Fprintf(b, "API key capability disabled: %d   Would disable: %d\n", c.Disabled, c.WouldDisable)
	}
	// The handler fills these in just before publishing: in a message, the calls made up to it.
	fmt.Fprintf(b, "API calls so far: %d   Duration: %d ms\n", r.APICalls.Total, r.DurationMS)
}
