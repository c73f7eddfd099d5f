package guard

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/policy"
)

// The decision tables: the specification of every rule the guard applies, one row per rule,
// each row named after the rule it states (docs/architecture.md "Safety rules" lists the same names, and
// internal/deploytest checks that every rule there has its row here).

func TestRulesForCredentials(t *testing.T) {
	for _, tc := range []struct {
		rule           string
		exempt, dryRun bool
		want           Action
	}{
		{"administrator-credentials-are-deleted", false, false, Action{Write: true, Outcome: OutcomeDeleted}},
		{"dry-run-writes-nothing", false, true, Action{Outcome: OutcomeWouldDelete}},
		{"exempt-users-keep-everything", true, false, Action{Outcome: OutcomeExempt, Reason: ReasonExempt}},
		{"exempt-users-keep-everything", true, true, Action{Outcome: OutcomeExempt, Reason: ReasonExempt}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := credentialAction(tc.exempt, tc.dryRun); !sameAction(&got, &tc.want) {
				t.Errorf("exempt=%v dryRun=%v: %+v, want %+v", tc.exempt, tc.dryRun, got, tc.want)
			}
		})
	}
}

func TestRulesForCapabilities(t *testing.T) {
	all := []Kind{KindAPIKeys, KindAuthTokens}
	on := User{CanUseAPIKeys: true}                                                     // auth tokens on too (CapabilitiesOff empty)
	half := User{CanUseAPIKeys: false}                                                  // API keys off, auth tokens on
	off := User{CanUseAPIKeys: false, CapabilitiesOff: KindSet(0).With(KindAuthTokens)} // both off
	for _, tc := range []struct {
		rule           string
		u              User
		exempt, dryRun bool
		configured     []Kind
		want           *Action
	}{
		{"capabilities-untouched-unless-configured", on, false, false, nil, nil},
		{"capabilities-disabled-only-where-still-on", on, false, false, all, &Action{Write: true, Outcome: OutcomeDisabled, Kinds: all}},
		{"capabilities-disabled-only-where-still-on", half, false, false, all, &Action{Write: true, Outcome: OutcomeDisabled, Kinds: []Kind{KindAuthTokens}}},
		{"capabilities-disabled-only-where-still-on", off, false, false, all, &Action{Outcome: OutcomeUnchanged, Kinds: all}},
		{"dry-run-writes-nothing", half, false, true, all, &Action{Outcome: OutcomeWouldDisable, Kinds: []Kind{KindAuthTokens}}},
		{"exempt-users-keep-everything", on, true, false, all, &Action{Outcome: OutcomeExempt, Kinds: all}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := capabilityAction(tc.u, tc.exempt, tc.dryRun, tc.configured); !sameAction(got, tc.want) {
				t.Errorf("%+v exempt=%v dryRun=%v configured=%v: %+v, want %+v", tc.u, tc.exempt, tc.dryRun, tc.configured, got, tc.want)
			}
		})
	}
}

func sameAction(a, b *Action) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Write == b.Write && a.Outcome == b.Outcome && a.Reason == b.Reason && slices.Equal(a.Kinds, b.Kinds)
}

// TestRulesOfThePlan: who is planned at all, whatever the listings returned.
func TestRulesOfThePlan(t *testing.T) {
	alice := Admin{User: User{OCID: "ocid1.user..alice", UserName: "alice", CanUseAPIKeys: true}}
	bob := Admin{User: User{OCID: "ocid1.user..bob", UserName: "Bob", CanUseAPIKeys: true}}
	keys := []APIKey{
		{Fingerprint: "aa", UserOCID: alice.OCID}, {Fingerprint: "aa", UserOCID: alice.OCID},
		{Fingerprint: "bb", UserOCID: bob.OCID}, {Fingerprint: "cc", UserOCID: "ocid1.user..mallory"},
	}
	for _, tc := range []struct {
		rule  string
		rules Rules
		check func(steps []Step, strays []APIKey) error
	}{
		{"only-administrators-credentials-are-planned", Rules{}, func(steps []Step, strays []APIKey) error {
			if len(strays) != 1 || strays[0].Fingerprint != "cc" || len(steps) != 2 {
				return fmt.Errorf("steps %d, strays %+v", len(steps), strays)
			}
			return nil
		}},
		{"each-credential-is-planned-once", Rules{}, func(steps []Step, _ []APIKey) error {
			if a := steps[1]; len(a.Keys) != 1 || len(a.Actions) != 1 {
				return fmt.Errorf("alice's key listed twice is planned %d times", len(a.Keys))
			}
			return nil
		}},
		{"exempt-users-keep-everything", Rules{Exempt: NewExemptions([]string{"bob"}), DisableKinds: []Kind{KindAPIKeys}}, func(steps []Step, _ []APIKey) error {
			b, a := steps[0], steps[1] // sorted by user name: "Bob" < "alice"
			if b.UserName != "Bob" || !b.Exempt || b.Actions[0].Write || b.Capability.Write || !a.Actions[0].Write || !a.Capability.Write {
				return fmt.Errorf("bob %+v, alice %+v", b, a)
			}
			return nil
		}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if err := tc.check(Plan([]Admin{bob, alice}, keys, tc.rules)); err != nil {
				t.Error(err)
			}
		})
	}
}

// failure is a Directory error with OCI's code and a hint, as the OCI adapter returns.
type failure struct{ error }

func (failure) ErrorCode() string { return "NotAuthorizedOrNotFound" }
func (failure) Hint() string      { return "allow dynamic-group ... to manage users" }
func (f failure) Unwrap() error   { return f.error }

func TestRulesForAWritesAnswer(t *testing.T) {
	notFound := failure{fmt.Errorf("404: %w", ErrNotFound)}
	for _, tc := range []struct {
		rule    string
		answer  Answer
		outcome Outcome
		reason  string // a substring of the reason
		code    string
	}{
		{"applied-writes-have-their-planned-outcome", Answer{}, OutcomeDeleted, "", ""},
		{"a-404-is-confirmed-by-relisting", Answer{Err: notFound, Relisted: true}, OutcomeDeleted, ReasonAlreadyGone, ""},
		{"a-404-is-confirmed-by-relisting", Answer{Err: notFound, Relisted: true, StillListed: true}, OutcomeFailed, "allow dynamic-group", "NotAuthorizedOrNotFound"},
		{"a-404-is-confirmed-by-relisting", Answer{Err: notFound, Relisted: true, RelistErr: errors.New("503 relisting")}, OutcomeFailed, "503 relisting", "NotAuthorizedOrNotFound"},
		{"a-404-is-confirmed-by-relisting", Answer{Err: notFound}, OutcomeFailed, "404", "NotAuthorizedOrNotFound"},
		{"a-write-not-sent-is-not-attempted", Answer{Err: fmt.Errorf("rate limit: %w", ErrNotSent), Cut: true}, OutcomeNotAttempted, "request not sent", ""},
		{"a-write-cut-off-by-the-deadline-is-failed-and-may-have-applied", Answer{Err: errors.New("context deadline exceeded"), Cut: true}, OutcomeFailed, ReasonInterrupted, ""},
		{"a-failure-names-the-missing-grant", Answer{Err: failure{errors.New("403")}}, OutcomeFailed, "403; allow dynamic-group", "NotAuthorizedOrNotFound"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			o, reason, code := writeOutcome(OutcomeDeleted, "delete", tc.answer)
			if o != tc.outcome || !strings.Contains(reason, tc.reason) || (tc.reason == "") != (reason == "") || code != tc.code {
				t.Errorf("%+v: %s %q %q, want %s %q %q", tc.answer, o, reason, code, tc.outcome, tc.reason, tc.code)
			}
		})
	}
	if !needsRelisting(notFound) || needsRelisting(errors.New("500")) {
		t.Error("only a 404 is relisted")
	}
}

func TestRulesForTheDeadline(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		rule     string
		ctxErr   error
		deadline time.Time
		refused  bool
	}{
		{"no-write-starts-near-the-deadline", nil, now.Add(249 * time.Millisecond), true},
		{"no-write-starts-near-the-deadline", nil, now.Add(250 * time.Millisecond), false},
		{"no-write-starts-near-the-deadline", context.DeadlineExceeded, now.Add(time.Hour), true},
		{"no-write-starts-near-the-deadline", context.Canceled, time.Time{}, true},
		{"no-write-starts-near-the-deadline", nil, time.Time{}, false}, // no deadline at all
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := startRefusal(tc.ctxErr, tc.deadline, now, 250*time.Millisecond); (got != "") != tc.refused {
				t.Errorf("ctx %v deadline %v: refusal %q, want refused=%v", tc.ctxErr, tc.deadline, got, tc.refused)
			}
		})
	}
}

func TestRulesForMissingGroupsAndPolicies(t *testing.T) {
	ref, gone := GroupRef{Name: "Admins"}, fmt.Errorf("404: %w", ErrNotFound)
	for _, tc := range []struct {
		rule          string
		decide        func() (*Problem, error)
		warn, stopped bool
	}{
		{"a-missing-configured-group-stops-the-run", func() (*Problem, error) { return missingGroup(ref, SourceConfig, gone) }, false, true},
		{"a-missing-policy-group-is-a-warning", func() (*Problem, error) { return missingGroup(ref, SourcePolicy, gone) }, true, false},
		{"unreadable-policies-stop-the-run-only-when-they-define-administrators", func() (*Problem, error) { return unreadablePolicies(true, gone) }, false, true},
		{"unreadable-policies-stop-the-run-only-when-they-define-administrators", func() (*Problem, error) { return unreadablePolicies(false, gone) }, true, false},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			warning, stop := tc.decide()
			if (warning != nil) != tc.warn || (stop != nil) != tc.stopped {
				t.Errorf("warning %+v, stop %v; want warning=%v stop=%v", warning, stop, tc.warn, tc.stopped)
			}
			if stop != nil && !errors.Is(stop, ErrNotFound) {
				t.Errorf("the stop %v lost its cause", stop)
			}
		})
	}
}

func TestRulesForPolicyAdministratorGroups(t *testing.T) {
	grant := func(kind policy.SubjectKind, domain, name string) policy.AdminGrant {
		return policy.AdminGrant{Subject: policy.Subject{Kind: kind, Domain: domain, Name: name}, PolicyName: "p", Statement: "allow ..."}
	}
	configured := []GroupRef{{Name: "Administrators"}}
	for _, tc := range []struct {
		rule     string
		g        policy.AdminGrant
		include  bool
		enforced bool
		note     string
		added    bool
	}{
		{"policy-subjects-that-are-not-groups-are-reported-only", grant(policy.KindDynamicGroup, "", "fn-dg"), true, false, NoteNotAGroup, false},
		{"configured-groups-are-enforced-once", grant(policy.KindGroup, "Default", "administrators"), true, true, NoteConfigured, false},
		{"policy-administrator-groups-are-enforced-only-when-included", grant(policy.KindGroup, "Eng", "Ops"), true, true, NoteIncluded, true},
		{"policy-administrator-groups-are-enforced-only-when-included", grant(policy.KindGroup, "Eng", "Ops"), false, false, NoteReportOnly, false},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			findings, add := policyDecisions([]policy.AdminGrant{tc.g, tc.g}, configured, tc.include)
			f := findings[0]
			if len(findings) != 2 || f.Enforced != tc.enforced || f.Note != tc.note || (len(add) == 1) != tc.added || len(add) > 1 {
				t.Errorf("findings %+v, added %+v", findings, add)
			}
		})
	}
}

func TestRulesForTheStatus(t *testing.T) {
	for _, tc := range []struct {
		rule string
		errs int
		c    Counts
		want Status
	}{
		{"discovery-is-all-or-nothing", 1, Counts{}, StatusError},
		{"a-failed-or-not-attempted-change-makes-the-run-partial", 0, Counts{Deleted: 3, Failed: 1}, StatusPartial},
		{"a-failed-or-not-attempted-change-makes-the-run-partial", 0, Counts{NotAttempted: 1}, StatusPartial},
		{"ok-only-when-everything-was-done", 0, Counts{Deleted: 3, Exempt: 1, Disabled: 1}, StatusOK},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := statusOf(tc.errs, tc.c); got != tc.want {
				t.Errorf("errors %d counts %+v: %s, want %s", tc.errs, tc.c, got, tc.want)
			}
		})
	}
}
