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
		rule                              string
		deleting, exempt, signing, dryRun bool
		want                              Action
	}{
		{"administrator-credentials-are-deleted", false, false, false, false, Action{Write: true, Outcome: OutcomeDeleted}},
		{"dry-run-writes-nothing", false, false, false, true, Action{Outcome: OutcomeWouldDelete}},
		{"exempt-users-keep-everything", false, true, false, false, Action{Outcome: OutcomeExempt, Reason: ReasonExempt}},
		{"exempt-users-keep-everything", false, true, false, true, Action{Outcome: OutcomeExempt, Reason: ReasonExempt}},
		{"exempt-users-keep-everything", false, true, true, false, Action{Outcome: OutcomeExempt, Reason: ReasonExempt}},
		{"the-signing-key-is-never-touched", false, false, true, false, Action{Outcome: OutcomeNotAttempted, Reason: ReasonSigningKey}},
		{"the-signing-key-is-never-touched", false, false, true, true, Action{Outcome: OutcomeNotAttempted, Reason: ReasonSigningKey}},
		{"a-credential-being-deleted-is-not-deleted-again", true, false, false, false, Action{Outcome: OutcomeDeleting, Reason: ReasonDeleting}},
		{"a-credential-being-deleted-is-not-deleted-again", true, false, false, true, Action{Outcome: OutcomeDeleting, Reason: ReasonDeleting}},
		{"a-credential-being-deleted-is-not-deleted-again", true, true, false, false, Action{Outcome: OutcomeDeleting, Reason: ReasonDeleting}},
		{"a-credential-being-deleted-is-not-deleted-again", true, false, true, false, Action{Outcome: OutcomeDeleting, Reason: ReasonDeleting}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := credentialAction(tc.deleting, tc.exempt, tc.signing, tc.dryRun); !sameAction(&got, &tc.want) {
				t.Errorf("deleting=%v exempt=%v signing=%v dryRun=%v: %+v, want %+v", tc.deleting, tc.exempt, tc.signing, tc.dryRun, got, tc.want)
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
		rule                    string
		u                       User
		exempt, signing, dryRun bool
		configured              []Kind
		want                    *Action
	}{
		{"capabilities-untouched-unless-configured", on, false, false, false, nil, nil},
		{"capabilities-disabled-only-where-still-on", on, false, false, false, all, &Action{Write: true, Outcome: OutcomeDisabled, Kinds: all}},
		{"capabilities-disabled-only-where-still-on", half, false, false, false, all, &Action{Write: true, Outcome: OutcomeDisabled, Kinds: []Kind{KindAuthTokens}}},
		{"capabilities-disabled-only-where-still-on", off, false, false, false, all, &Action{Outcome: OutcomeUnchanged, Kinds: all}},
		{"dry-run-writes-nothing", half, false, false, true, all, &Action{Outcome: OutcomeWouldDisable, Kinds: []Kind{KindAuthTokens}}},
		{"exempt-users-keep-everything", on, true, false, false, all, &Action{Outcome: OutcomeExempt, Kinds: all}},
		{"the-signing-key-is-never-touched", on, false, true, false, all, &Action{Outcome: OutcomeNotAttempted, Reason: ReasonSigningCapability, Kinds: all}},
		{"the-signing-key-is-never-touched", on, false, true, true, all, &Action{Outcome: OutcomeNotAttempted, Reason: ReasonSigningCapability, Kinds: all}},
		// Only switching API keys off cuts the signer off: the user's other kinds go as usual.
		{"the-signing-key-is-never-touched", half, false, true, false, all, &Action{Write: true, Outcome: OutcomeDisabled, Kinds: []Kind{KindAuthTokens}}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := capabilityAction(tc.u, tc.exempt, tc.signing, tc.dryRun, tc.configured); !sameAction(got, tc.want) {
				t.Errorf("%+v exempt=%v signing=%v dryRun=%v configured=%v: %+v, want %+v", tc.u, tc.exempt, tc.signing, tc.dryRun, tc.configured, got, tc.want)
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
		{"the-signing-key-is-never-touched", Rules{Signer: Signer{UserOCID: bob.OCID, Fingerprint: "BB"}, DisableKinds: []Kind{KindAPIKeys}}, func(steps []Step, _ []APIKey) error {
			b, a := steps[0], steps[1]
			if b.Actions[0].Outcome != OutcomeNotAttempted || b.Capability.Outcome != OutcomeNotAttempted || !a.Actions[0].Write || !a.Capability.Write {
				return fmt.Errorf("bob (the signer) %+v, alice %+v", b, a)
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

// failure is a Directory error with OCI's code, HTTP status, operation and a hint, as the OCI
// adapter returns.
type failure struct{ error }

func (failure) ErrorCode() string { return "NotAuthorizedOrNotFound" }
func (failure) Hint() string      { return "allow dynamic-group ... to manage users" }
func (failure) HTTPStatus() int   { return 404 }
func (failure) Operation() string { return "DeleteApiKey" }
func (f failure) Unwrap() error   { return f.error }

// unavailable is a 503 from OCI: the write may or may not have been applied.
type unavailable struct{ failure }

func (unavailable) ErrorCode() string { return "ServiceUnavailable" }
func (unavailable) HTTPStatus() int   { return 503 }

func TestRulesForAWritesAnswer(t *testing.T) {
	notFound := failure{fmt.Errorf("404: %w", ErrNotFound)}
	incorrectState := conflict{failure{fmt.Errorf("409: %w", ErrConflict)}}
	for _, tc := range []struct {
		rule    string
		answer  Answer
		outcome Outcome
		reason  string // a substring of the reason
		code    string
		refused bool // OCI refused it: it certainly did not apply
	}{
		{"applied-writes-have-their-planned-outcome", Answer{}, OutcomeDeleted, "", "", false},
		{"a-404-is-confirmed-by-relisting", Answer{Err: notFound, Relisted: true}, OutcomeDeleted, ReasonAlreadyGone, "", false},
		{"a-404-is-confirmed-by-relisting", Answer{Err: notFound, Relisted: true, StillListed: true}, OutcomeFailed, "404", "NotAuthorizedOrNotFound", true},
		{"a-404-is-confirmed-by-relisting", Answer{Err: notFound, Relisted: true, RelistErr: errors.New("503 relisting")}, OutcomeFailed, "503 relisting", "NotAuthorizedOrNotFound", false},
		{"a-404-is-confirmed-by-relisting", Answer{Err: notFound}, OutcomeFailed, "404", "NotAuthorizedOrNotFound", false},
		{"a-404-or-409-is-settled-by-what-oci-shows", Answer{Err: notFound, Relisted: true, Rechecks: 3, StillListed: true, Deleting: true}, OutcomeDeleting, ReasonBeingDeleted, "", false},
		{"a-404-or-409-is-settled-by-what-oci-shows", Answer{Err: incorrectState, Relisted: true, Rechecks: 1, StillListed: true, Deleting: true}, OutcomeDeleting, ReasonBeingDeleted, "", false},
		{"a-404-or-409-is-settled-by-what-oci-shows", Answer{Err: incorrectState, Relisted: true, Rechecks: 2}, OutcomeDeleted, ReasonAlreadyGone, "", false},
		{"a-404-or-409-is-settled-by-what-oci-shows", Answer{Err: incorrectState, Relisted: true, Rechecks: 4, StillListed: true}, OutcomeFailed, "after 4 listings", "IncorrectState", true},
		{"a-404-or-409-is-settled-by-what-oci-shows", Answer{Err: notFound, Relisted: true, Rechecks: 4, StillListed: true}, OutcomeFailed, "after 4 listings", "NotAuthorizedOrNotFound", true},
		{"a-write-not-sent-is-not-attempted", Answer{Err: fmt.Errorf("rate limit: %w", ErrNotSent), Cut: true}, OutcomeNotAttempted, "request not sent", "", false},
		{"a-write-cut-off-by-the-deadline-is-failed-and-may-have-applied", Answer{Err: errors.New("context deadline exceeded"), Cut: true}, OutcomeFailed, ReasonInterrupted, "", false},
		{"a-write-cut-off-by-the-deadline-is-failed-and-may-have-applied", Answer{Err: failure{errors.New("403")}, Cut: true}, OutcomeFailed, ReasonInterrupted, "", false},
		{"a-failure-names-the-missing-grant", Answer{Err: failure{errors.New("403")}}, OutcomeFailed, "403", "NotAuthorizedOrNotFound", true},
		{"a-failure-names-the-missing-grant", Answer{Err: unavailable{failure{errors.New("503")}}}, OutcomeFailed, "503", "ServiceUnavailable", false},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			v := writeOutcome(OutcomeDeleted, "delete", tc.answer)
			if v.Outcome != tc.outcome || !strings.Contains(v.Reason, tc.reason) || (tc.reason == "") != (v.Reason == "") || v.Code != tc.code {
				t.Errorf("%+v: %s %q %q, want %s %q %q", tc.answer, v.Outcome, v.Reason, v.Code, tc.outcome, tc.reason, tc.code)
			}
			if (v.Outcome == OutcomeFailed) != (v.Failure != nil) || v.Failure != nil && v.Failure.Refused != tc.refused {
				t.Errorf("%+v: failure %+v, want refused=%v", tc.answer, v.Failure, tc.refused)
			}
			if strings.Contains(v.Reason, "allow dynamic-group") {
				t.Errorf("the entry's reason repeats the hint: %q (it belongs once at the top)", v.Reason)
			}
		})
	}
	if !needsRelisting(notFound) || !needsRelisting(incorrectState) || needsRelisting(errors.New("500")) {
		t.Error("only a 404 or a 409 is relisted")
	}
}

// TestRulesForWriteFailures: the cause of failed writes is given once at the top of the report.
func TestRulesForWriteFailures(t *testing.T) {
	refused := writeOutcome(OutcomeDeleted, "delete", Answer{Err: failure{errors.New("403")}})
	lost := writeOutcome(OutcomeDeleted, "delete", Answer{Err: unavailable{failure{errors.New("503")}}})
	entry := func(v writeVerdict) KeyResult {
		return KeyResult{Outcome: v.Outcome, Reason: v.Reason, Code: v.Code, failure: v.Failure}
	}
	deleted := KeyResult{Outcome: OutcomeDeleted}
	for _, tc := range []struct {
		rule         string
		keys         []KeyResult
		problems     []string // substrings of each problem's message, in order
		everyRefused bool
	}{
		{"a-failure-names-the-missing-grant", []KeyResult{entry(refused)}, []string{"DeleteApiKey failed for 1 of 1"}, true},
		{"write-failures-are-reported-once-per-operation-and-code", []KeyResult{entry(refused), entry(refused), entry(refused), entry(lost), deleted},
			[]string{"DeleteApiKey failed for 3 of 5 attempted change(s) (NotAuthorizedOrNotFound)", "DeleteApiKey failed for 1 of 5 attempted change(s) (ServiceUnavailable)"}, false},
		{"a-run-whose-every-write-was-refused-is-an-error", []KeyResult{entry(refused), entry(refused), {Outcome: OutcomeNotAttempted}}, []string{"failed for 2 of 2"}, true},
		{"a-run-whose-every-write-was-refused-is-an-error", []KeyResult{entry(refused), entry(lost)}, []string{"NotAuthorizedOrNotFound", "ServiceUnavailable"}, false},
		{"a-run-whose-every-write-was-refused-is-an-error", []KeyResult{entry(refused), deleted}, []string{"1 of 2"}, false},
		{"a-run-whose-every-write-was-refused-is-an-error", []KeyResult{{Outcome: OutcomeExempt}, {Outcome: OutcomeNotAttempted}}, nil, false},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			got, everyRefused := writeProblems([]AdminResult{{Keys: tc.keys}})
			if len(got) != len(tc.problems) || everyRefused != tc.everyRefused {
				t.Fatalf("problems %+v every write refused %v; want %d problems, %v", got, everyRefused, len(tc.problems), tc.everyRefused)
			}
			for i, p := range got {
				if !strings.Contains(p.Message, tc.problems[i]) || p.Stage != "delete" || !strings.Contains(p.Hint, "allow dynamic-group") {
					t.Errorf("problem %d: %+v, want %q and the hint", i, p, tc.problems[i])
				}
			}
		})
	}
}

// listFailure is a credential listing refused by OCI.
type listFailure struct{ failure }

func (listFailure) Operation() string { return "ListApiKeys" }

// TestRulesForListingFailures: a failed credential listing is reported once per operation and
// code like a write, and changed nothing: a run in which nothing succeeded and every failure
// changed nothing is an error; not reaching an administrator counts neither way.
func TestRulesForListingFailures(t *testing.T) {
	listed := func(err error) AdminResult {
		return notListed(Admin{User: User{OCID: "ocid1.user..x"}}, listingOutcome(err, false))
	}
	refusedList, lostList := listed(listFailure{failure{errors.New("404 listing")}}), listed(unavailable{failure{errors.New("503 listing")}})
	notReached := listed(fmt.Errorf("rate limit: %w", ErrNotSent))
	deleted := AdminResult{Keys: []KeyResult{{Outcome: OutcomeDeleted}}}
	refusedWrite := writeOutcome(OutcomeDeleted, "delete", Answer{Err: failure{errors.New("403")}})
	refusedDelete := AdminResult{Keys: []KeyResult{{Outcome: refusedWrite.Outcome, failure: refusedWrite.Failure}}}
	nothingHeld := AdminResult{Keys: []KeyResult{}}
	for _, tc := range []struct {
		rule           string
		admins         []AdminResult
		problems       []string
		nothingApplied bool
	}{
		{"a-failed-listing-changed-nothing", []AdminResult{refusedList, refusedList}, []string{"ListApiKeys failed for 2 of 2 administrator(s)"}, true},
		{"a-failed-listing-changed-nothing", []AdminResult{lostList, nothingHeld}, []string{"(ServiceUnavailable)"}, true}, // a read never applies
		{"a-failed-listing-changed-nothing", []AdminResult{refusedList, refusedDelete, notReached}, []string{"ListApiKeys failed for 1 of 3", "DeleteApiKey failed for 1 of 1 attempted"}, true},
		{"a-failed-listing-changed-nothing", []AdminResult{refusedList, deleted}, []string{"1 of 2 administrator(s)"}, false},
		{"administrators-not-reached-are-not-attempted-and-resumed", []AdminResult{notReached, nothingHeld}, nil, false},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			got, nothingApplied := writeProblems(tc.admins)
			if len(got) != len(tc.problems) || nothingApplied != tc.nothingApplied {
				t.Fatalf("problems %+v nothing applied %v; want %d problems, %v", got, nothingApplied, len(tc.problems), tc.nothingApplied)
			}
			for i, p := range got {
				if !strings.Contains(p.Message, tc.problems[i]) || !strings.Contains(p.Hint, "allow dynamic-group") {
					t.Errorf("problem %d: %+v, want %q and the hint", i, p, tc.problems[i])
				}
			}
			if s := statusOf(0, countOutcomes(tc.admins), nothingApplied); (s == StatusError) != tc.nothingApplied || s == StatusOK {
				t.Errorf("status %s", s)
			}
		})
	}
}

// TestRulesForExemptions: every EXEMPT_USERS entry must name an administrator before anything
// changes; the closest administrators are suggested.
func TestRulesForExemptions(t *testing.T) {
	admins := []Admin{
		{User: User{OCID: "ocid1.user.oc1..aaaabreakglass0001", UserName: "admin0001"}},
		{User: User{OCID: "ocid1.user.oc1..aaaaordinaryadmin2", UserName: "admin0002"}},
		{User: User{OCID: "ocid1.user.oc1..aaaaengineering003", UserName: "Admin0001", Domain: Domain{Name: "Engineering"}}},
	}
	for _, tc := range []struct {
		rule    string
		entries string // EXEMPT_USERS, comma-separated
		stops   int
		closest []string // of the first unmatched entry
		summary string
	}{
		{"exemptions-must-each-name-an-administrator", "admin0001", 0, nil, "exemptions: 1 of 1 matched: admin0001, Admin0001"},
		{"exemptions-must-each-name-an-administrator", "ADMIN0002,ocid1.user.oc1..aaaabreakglass0001", 0, nil, "exemptions: 2 of 2 matched: admin0002, admin0001"},
		{"exemptions-must-each-name-an-administrator", "", 0, nil, "exemptions: none configured"},
		{"exemptions-must-each-name-an-administrator", "admin001", 1, []string{"Admin0001", "admin0001", "admin0002"},
			"exemptions: 0 of 1 matched; unmatched: admin001 (closest: Admin0001, admin0001, admin0002)"},
		{"exemptions-must-each-name-an-administrator", "admin0002,ocid1.user.oc1..aaaabreakglass0010", 1, []string{"ocid1.user.oc1..aaaabreakglass0001"},
			"exemptions: 1 of 2 matched: admin0002; unmatched: ocid1.user.oc1..aaaabreakglass0010 (closest: ocid1.user.oc1..aaaabreakglass0001)"},
		{"exemptions-must-each-name-an-administrator", "alice", 1, nil, "exemptions: 0 of 1 matched; unmatched: alice"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			c, stops := checkExemptions(NewExemptions(strings.Split(tc.entries, ",")), admins)
			if len(stops) != tc.stops || c.summary() != tc.summary {
				t.Fatalf("%q: %d stops %+v, summary %q; want %d, %q", tc.entries, len(stops), stops, c.summary(), tc.stops, tc.summary)
			}
			if tc.stops > 0 {
				u := c.Unmatched[0]
				if !slices.Equal(u.Closest, tc.closest) || stops[0].Stage != "exemptions" || !strings.Contains(stops[0].Message, fmt.Sprintf("%q", u.Entry)) ||
					!strings.Contains(stops[0].Message, "nothing was changed") {
					t.Errorf("closest %q (want %q), problem %+v", u.Closest, tc.closest, stops[0])
				}
			}
		})
	}
	// An administrator whose user could not be read (readNames) cannot be matched by name: an
	// entry that matches nobody else stops the run all the same, saying so; an OCID entry and a
	// name that matches someone else are decided as before.
	unread := append(slices.Clone(admins), Admin{User: User{OCID: "ocid1.user.oc1..aaaaunreadadmin004"}})
	for _, tc := range []struct {
		entries string
		stops   int
	}{{entries: "alice", stops: 1}, {entries: "admin0001"}, {entries: "ocid1.user.oc1..aaaaunreadadmin004"}, {entries: "ocid1.user.oc1..aaaaunreadadmin005", stops: 1}} {
		t.Run("exemptions-must-each-name-an-administrator", func(t *testing.T) {
			_, stops := checkExemptions(NewExemptions([]string{tc.entries}), unread)
			if len(stops) != tc.stops {
				t.Fatalf("%q: stops %+v, want %d", tc.entries, stops, tc.stops)
			}
			if said := tc.stops > 0 && strings.Contains(stops[0].Message, "1 could not be"); said != (tc.entries == "alice") {
				t.Errorf("%q: %+v: the unread administrator mentioned %v", tc.entries, stops, said)
			}
		})
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
		rule         string
		errs         int
		c            Counts
		everyRefused bool
		want         Status
	}{
		{"discovery-is-all-or-nothing", 1, Counts{}, false, StatusError},
		{"a-failed-or-not-attempted-change-makes-the-run-partial", 0, Counts{Deleted: 3, Failed: 1}, false, StatusPartial},
		{"a-failed-or-not-attempted-change-makes-the-run-partial", 0, Counts{NotAttempted: 1}, false, StatusPartial},
		{"a-failed-or-not-attempted-change-makes-the-run-partial", 0, Counts{Failed: 2}, false, StatusPartial}, // may have applied
		{"a-run-whose-every-write-was-refused-is-an-error", 0, Counts{Failed: 2, NotAttempted: 1}, true, StatusError},
		{"ok-only-when-everything-was-done", 0, Counts{Deleted: 3, Exempt: 1, Disabled: 1}, false, StatusOK},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := statusOf(tc.errs, tc.c, tc.everyRefused); got != tc.want {
				t.Errorf("errors %d counts %+v: %s, want %s", tc.errs, tc.c, got, tc.want)
			}
		})
	}
}

func TestRulesForListingAdministrators(t *testing.T) {
	refused := failure{errors.New("404 listing")}
	for _, tc := range []struct {
		rule     string
		err      error
		runEnded bool
		outcome  Outcome
		reason   string // a substring of the reason
		code     string
	}{
		{"a-failed-credential-listing-fails-that-administrator-only", refused, false, OutcomeFailed, "404 listing", "NotAuthorizedOrNotFound"},
		{"a-failed-credential-listing-fails-that-administrator-only", errors.New("503"), false, OutcomeFailed, "503", ""},
		{"administrators-not-reached-are-not-attempted-and-resumed", fmt.Errorf("rate limit: %w", ErrNotSent), false, OutcomeNotAttempted, ReasonNotReached, ""},
		{"administrators-not-reached-are-not-attempted-and-resumed", context.DeadlineExceeded, true, OutcomeNotAttempted, ReasonNotReached, ""},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			v := listingOutcome(tc.err, tc.runEnded)
			if v.Outcome != tc.outcome || !strings.Contains(v.Reason, tc.reason) || v.Code != tc.code {
				t.Errorf("%v (run ended %v): %s %q %q, want %s %q %q", tc.err, tc.runEnded, v.Outcome, v.Reason, v.Code, tc.outcome, tc.reason, tc.code)
			}
			// A failed listing is given once at the top with its hint, and changed nothing.
			if (v.Outcome == OutcomeFailed) != (v.Failure != nil) || v.Failure != nil && (!v.Failure.Refused || !v.Failure.Listing) {
				t.Errorf("%v: failure %+v, want one (refused, a listing) exactly when failed", tc.err, v.Failure)
			}
			if strings.Contains(v.Reason, "allow dynamic-group") {
				t.Errorf("the entry's reason repeats the hint: %q (it belongs once at the top)", v.Reason)
			}
		})
	}
	for _, tc := range []struct {
		rule string
		c    Counts
		want Status
	}{
		{"a-failed-credential-listing-fails-that-administrator-only", Counts{Administrators: 2, Failed: 1}, StatusPartial},
		{"administrators-not-reached-are-not-attempted-and-resumed", Counts{Administrators: 2, Deleted: 3, NotReached: 1}, StatusPartial},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := statusOf(0, tc.c, false); got != tc.want {
				t.Errorf("counts %+v: %s, want %s", tc.c, got, tc.want)
			}
		})
	}
}

// The order is by domain and OCID, rotated to start where the previous run left off; every
// administrator is in it whatever the resume point says.
func TestRulesForTheOrderOfAdministrators(t *testing.T) {
	dom := Domain{Name: "Default"}
	admin := func(ocid string) Admin { return Admin{User: User{Domain: dom, OCID: ocid}} }
	admins := []Admin{admin("c"), admin("a"), admin("d"), admin("b")}
	ocids := func(as []Admin) string {
		var s []string
		for _, a := range as {
			s = append(s, a.OCID)
		}
		return strings.Join(s, "")
	}
	for _, tc := range []struct {
		rule, resumeAt, want string
	}{
		{"administrators-not-reached-are-not-attempted-and-resumed", "", "abcd"},
		{"administrators-not-reached-are-not-attempted-and-resumed", resumeKey(admin("c").User), "cdab"},
		{"administrators-not-reached-are-not-attempted-and-resumed", resumeKey(admin("bb").User), "cdab"}, // gone since: the next one
		{"administrators-not-reached-are-not-attempted-and-resumed", resumeKey(admin("z").User), "abcd"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := ocids(enforcementOrder(admins, tc.resumeAt)); got != tc.want {
				t.Errorf("resume at %q: %s, want %s", tc.resumeAt, got, tc.want)
			}
		})
	}
}

// A user is read (Directory.Detail) only where a decision or the report needs it.
func TestRulesForReadingUsers(t *testing.T) {
	bare, read := User{OCID: "ocid1.user..a"}, User{OCID: "ocid1.user..a", UserName: "a", Detailed: true}
	byName, byOCID := NewExemptions([]string{"breakglass"}), NewExemptions([]string{"ocid1.user..b"})
	for _, tc := range []struct {
		rule         string
		u            User
		r            Rules
		held         int
		before, post bool
	}{
		{"users-are-read-only-where-needed", bare, Rules{}, 0, false, false},                                 // steady state: nobody read
		{"users-are-read-only-where-needed", bare, Rules{Exempt: byOCID}, 0, false, false},                   // OCIDs need no name
		{"users-are-read-only-where-needed", bare, Rules{}, 2, false, true},                                  // holds credentials: named in the report
		{"users-are-read-only-where-needed", bare, Rules{Exempt: byName}, 0, true, false},                    // a name to match
		{"users-are-read-only-where-needed", bare, Rules{DisableKinds: []Kind{KindAPIKeys}}, 0, true, false}, // capabilities to read
		{"users-are-read-only-where-needed", read, Rules{Exempt: byName, DisableKinds: []Kind{KindAPIKeys}}, 2, false, false},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := detailBeforeListing(tc.u, tc.r); got != tc.before {
				t.Errorf("%+v %+v: read before listing %v, want %v", tc.u, tc.r, got, tc.before)
			}
			if got := detailForReport(tc.u, tc.held); got != tc.post {
				t.Errorf("%+v holding %d: read for the report %v, want %v", tc.u, tc.held, got, tc.post)
			}
		})
	}
}

// A group is the same group however ADMIN_GROUPS and a policy name it, once resolved: by OCID
// in one and by name in the other (either way round), with or without "Default/". The policy
// finding is "configured", and nothing is added to enforce a second time (issue 24, 2.8).
func TestRulesForGroupReferences(t *testing.T) {
	const ocid = "ocid1.group.oc1..admins"
	admins := Group{Ref: GroupRef{OCID: ocid, Name: "Administrators"}, Domain: Domain{Name: "Default", Default: true}, ID: "g1", OCID: ocid}
	eng := Group{Ref: GroupRef{Domain: "engineering", Name: "Ops"}, Domain: Domain{Name: "Engineering"}, ID: "g2", OCID: "ocid1.group.oc1..ops"}
	byName := func(domain, name string) policy.AdminGrant {
		return policy.AdminGrant{Subject: policy.Subject{Kind: policy.KindGroup, Domain: domain, Name: name}, PolicyName: "p", Statement: "allow ..."}
	}
	byOCID := func(id string) policy.AdminGrant {
		return policy.AdminGrant{Subject: policy.Subject{Kind: policy.KindGroup, OCID: id}, PolicyName: "p", Statement: "allow ..."}
	}
	for _, tc := range []struct {
		rule, name string
		configured GroupRef
		resolved   Group
		grant      policy.AdminGrant
	}{
		{"a-group-is-the-same-group-however-it-is-named", "configured by OCID, policy by name", GroupRef{OCID: ocid}, admins, byName("", "Administrators")},
		{"a-group-is-the-same-group-however-it-is-named", "configured by OCID, policy by Default/name", GroupRef{OCID: ocid}, admins, byName("Default", "ADMINISTRATORS")},
		{"a-group-is-the-same-group-however-it-is-named", "configured by name, policy by OCID", GroupRef{Name: "administrators"}, admins, byOCID(ocid)},
		{"a-group-is-the-same-group-however-it-is-named", "secondary domain by name, policy by OCID", GroupRef{Domain: "engineering", Name: "Ops"}, eng, byOCID("ocid1.group.oc1..ops")},
		{"a-group-is-the-same-group-however-it-is-named", "secondary domain by OCID, policy by Domain/name", GroupRef{OCID: "ocid1.group.oc1..ops"}, eng, byName("Engineering", "ops")},
	} {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			configured := []GroupRef{tc.configured}
			if findings, add := policyDecisions([]policy.AdminGrant{tc.grant}, configured, false); findings[0].Note != NoteReportOnly || len(add) != 0 {
				t.Fatalf("before resolution: %+v %+v; the test expects the references to differ", findings, add)
			}
			same := sameGroupRefs(configured, []Group{tc.resolved})
			for _, include := range []bool{false, true} {
				findings, add := policyDecisions([]policy.AdminGrant{tc.grant}, same, include)
				if f := findings[0]; !f.Enforced || f.Note != NoteConfigured || len(add) != 0 {
					t.Errorf("include=%v: finding %+v, added %+v; want configured and nothing added", include, f, add)
				}
			}
		})
	}
	// A different group of the same name in another domain stays another group.
	findings, _ := policyDecisions([]policy.AdminGrant{byName("Engineering", "Administrators")}, sameGroupRefs([]GroupRef{{OCID: ocid}}, []Group{admins}), false)
	if findings[0].Note != NoteReportOnly {
		t.Errorf("Engineering/Administrators: %+v; want reported only", findings[0])
	}
}

// IDENTITY_DOMAIN_URL is accepted when it is the Default domain's url or homeRegionUrl however
// spelled, and is otherwise a configuration error naming both (issue 24, 2.2).
func TestRulesForTheDefaultDomainURL(t *testing.T) {
	const listed, home = "https://idcs-abc.identity.oraclecloud.com:443", "https://idcs-abc.us-ashburn-idcs-1.identity.us-ashburn-1.oci.oraclecloud.com"
	for _, tc := range []struct {
		rule, configured string
		accepted         bool
	}{
		{"identity-domain-url-must-be-the-default-domains", "https://idcs-abc.identity.oraclecloud.com", true},
		{"identity-domain-url-must-be-the-default-domains", "https://IDCS-ABC.identity.oraclecloud.com/", true},
		{"identity-domain-url-must-be-the-default-domains", "HTTPS://idcs-abc.identity.oraclecloud.com:443/", true},
		{"identity-domain-url-must-be-the-default-domains", home + "/", true},
		{"identity-domain-url-must-be-the-default-domains", "https://idcs-def.identity.oraclecloud.com", false}, // a secondary domain
		{"identity-domain-url-must-be-the-default-domains", "https://idcs-abc.identity.oraclecloud.com:8443", false},
		{"identity-domain-url-must-be-the-default-domains", "http://idcs-abc.identity.oraclecloud.com", false},
		{"identity-domain-url-must-be-the-default-domains", "https://idcs-abc.identity.oraclecloud.com/admin", false},
		{"identity-domain-url-must-be-the-default-domains", "not a url", false},
	} {
		err := CheckDefaultDomainURL(tc.configured, listed, home)
		switch {
		case tc.accepted && err != nil:
			t.Errorf("%s: %v", tc.configured, err)
		case !tc.accepted && (!errors.Is(err, ErrConfiguration) || discoveryStage(err) != "config" ||
			!strings.Contains(err.Error(), tc.configured) || !strings.Contains(err.Error(), listed)):
			t.Errorf("%s: %v; want a configuration error naming both URLs", tc.configured, err)
		}
	}
}

// Listings (issue 24, 2.1 and 2.6): a read of a paged listing is acted on only when it holds
// still; otherwise it is read again, and the run stops when it does not.
func TestRulesForListings(t *testing.T) {
	ids := func(s ...string) []string { return s }
	one := ListingRead{Totals: []int{3}, IDs: ids("a", "b", "c"), Pages: 1}
	paged := ListingRead{Totals: []int{3, 3}, IDs: ids("a", "b", "c"), Pages: 2}
	// A member left after page 1 and another joined: the count holds, member c was never read.
	shifted := ListingRead{Totals: []int{3, 3}, IDs: ids("a", "b", "d"), Pages: 2}
	for _, tc := range []struct {
		rule           string
		cur            ListingRead
		confirmed      *ListingRead
		verdict        ListingVerdict
		consistent     bool
		reasonContains string
	}{
		{"a-paged-listing-is-read-until-it-holds-still", one, nil, ListingAccepted, true, ""},
		{"a-paged-listing-is-read-until-it-holds-still", ListingRead{Pages: 1}, nil, ListingAccepted, true, ""}, // IAM: no totals
		{"a-paged-listing-is-read-until-it-holds-still", ListingRead{Totals: []int{0}, Pages: 1}, nil, ListingAccepted, true, ""},
		// a member left between pages: the totals differ
		{"a-paged-listing-is-read-until-it-holds-still", ListingRead{Totals: []int{6, 5, 5}, IDs: ids("a", "b", "d", "e", "f"), Pages: 3}, nil,
			ListingReread, false, "totalResults changed from 6 to 5"},
		// a server that under-reports totalResults, in one page or several
		{"a-paged-listing-is-read-until-it-holds-still", ListingRead{Totals: []int{2}, IDs: ids("a", "b", "c"), Pages: 1}, nil,
			ListingReread, false, "3 distinct items read, but totalResults says 2"},
		{"a-paged-listing-is-read-until-it-holds-still", ListingRead{Totals: []int{4}, IDs: ids("a", "b", "c"), Pages: 1}, nil,
			ListingReread, false, "totalResults says 4"},
		{"a-paged-listing-is-read-until-it-holds-still", ListingRead{Totals: []int{5}, IDs: ids("a", "b"), StoppedShort: true, Pages: 2}, nil,
			ListingReread, false, "listing stopped at item 2 of 5"},
		{"a-paged-listing-is-read-until-it-holds-still", ListingRead{IDs: ids("a", "b"), Duplicates: 1, Pages: 2}, nil,
			ListingReread, false, "1 item(s) came twice"},
		// several pages: accepted only when the read before agreed with itself and found the same items
		{"a-paged-listing-is-read-until-it-holds-still", paged, nil, ListingReread, true, "two reads in a row"},
		{"a-paged-listing-is-read-until-it-holds-still", paged, &shifted, ListingReread, true, "two reads in a row"},
		{"a-paged-listing-is-read-until-it-holds-still", shifted, &paged, ListingReread, true, "two reads in a row"},
		{"a-paged-listing-is-read-until-it-holds-still", paged, &paged, ListingAccepted, true, ""},
		{"a-repeated-page-is-an-error", ListingRead{Totals: []int{3, 3}, IDs: ids("a"), Duplicates: 1, Repeated: true, Pages: 2}, nil,
			ListingRefused, false, "serves the same page again"},
		// the same page again while the total moved is a listing that moved, not a repeating service
		{"a-paged-listing-is-read-until-it-holds-still", ListingRead{Totals: []int{3, 5}, IDs: ids("a"), Duplicates: 1, Repeated: true, Pages: 2}, nil,
			ListingReread, false, "totalResults changed"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			got := JudgeListing(tc.cur, tc.confirmed)
			if got.Verdict != tc.verdict || got.Consistent != tc.consistent || !strings.Contains(got.Reason, tc.reasonContains) {
				t.Errorf("JudgeListing(%+v, %+v) = %+v, want verdict %d consistent %v reason containing %q", tc.cur, tc.confirmed, got, tc.verdict, tc.consistent, tc.reasonContains)
			}
		})
	}
}

func TestRulesForRereadingAListing(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		rule     string
		reads    int
		deadline time.Time
		wait     time.Duration
		again    bool
	}{
		{"a-paged-listing-is-read-until-it-holds-still", 1, time.Time{}, 250 * time.Millisecond, true},
		{"a-paged-listing-is-read-until-it-holds-still", 2, now.Add(time.Minute), 500 * time.Millisecond, true},
		{"a-paged-listing-is-read-until-it-holds-still", 3, now.Add(time.Minute), time.Second, true},
		{"a-paged-listing-is-read-until-it-holds-still", ListingReads, time.Time{}, 0, false},
		// no wait that would end at or past the deadline: the run stops in time with its error
		{"a-paged-listing-is-read-until-it-holds-still", 1, now.Add(250 * time.Millisecond), 0, false},
		{"a-paged-listing-is-read-until-it-holds-still", 2, now.Add(400 * time.Millisecond), 0, false},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			wait, again := RereadListing(tc.reads, tc.deadline, now)
			if wait != tc.wait || again != tc.again {
				t.Errorf("RereadListing(%d, %v) = %v, %v; want %v, %v", tc.reads, tc.deadline, wait, again, tc.wait, tc.again)
			}
		})
	}
}

func TestRulesForPageTokens(t *testing.T) {
	for _, tc := range []struct {
		rule   string
		tokens []string
		err    error // of the last token
	}{
		{"a-repeated-page-is-an-error", []string{"tok.2", "tok.3", "tok.4"}, nil},
		{"a-repeated-page-is-an-error", []string{"tok.2", "tok.2"}, ErrPageTokenRepeated},
		{"a-repeated-page-is-an-error", []string{"tok.2", "tok.3", "tok.2"}, ErrPageTokenRepeated},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			var trail PageTrail
			var err error
			for i, tok := range tc.tokens {
				if err = trail.Next(tok); err != nil && i < len(tc.tokens)-1 {
					t.Fatalf("token %d %q refused: %v", i, tok, err)
				}
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("tokens %v: %v, want %v", tc.tokens, err, tc.err)
			}
		})
	}
}

func TestRulesForMalformedRecords(t *testing.T) {
	g := Group{Ref: GroupRef{Name: "Administrators"}}
	alice := User{ID: "u1", OCID: "ocid1.user.oc1..alice", UserName: "alice"}
	for _, tc := range []struct {
		rule    string
		members []User
		err     bool
	}{
		{"malformed-records-stop-the-run", []User{alice}, false},
		{"malformed-records-stop-the-run", nil, false},
		{"malformed-records-stop-the-run", []User{alice, {ID: "u2", UserName: "bob"}}, true},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			err := malformedMembers(g, tc.members)
			if (err != nil) != tc.err || (err != nil && !errors.Is(err, ErrMalformedRecord)) {
				t.Errorf("members %+v: %v, want error %v", tc.members, err, tc.err)
			}
		})
	}
}

// Two administrators without an OCID are two administrators, neither owns a key, and a key
// without an owner belongs to nobody (a stray).
func TestRulesForEmptyOCIDs(t *testing.T) {
	noOCID1 := Admin{User: User{ID: "u1", UserName: "a"}}
	noOCID2 := Admin{User: User{ID: "u2", UserName: "b"}}
	withOCID := Admin{User: User{ID: "u3", OCID: "ocid1.user.oc1..c", UserName: "c"}}
	ownerless := APIKey{ID: "k1", Fingerprint: "aa"}
	owned := APIKey{ID: "k2", Fingerprint: "bb", UserOCID: withOCID.OCID}
	for _, tc := range []struct {
		rule   string
		admins []Admin
		keys   []APIKey
		steps  int
		planed int // keys planned in all
		strays int
	}{
		{"an-empty-ocid-matches-nothing", []Admin{noOCID1, noOCID2, withOCID}, []APIKey{ownerless, owned}, 3, 1, 1},
		{"an-empty-ocid-matches-nothing", []Admin{noOCID1}, []APIKey{ownerless}, 1, 0, 1},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			steps, strays := Plan(tc.admins, tc.keys, Rules{})
			planned := 0
			for _, s := range steps {
				planned += len(s.Keys)
				if s.OCID == "" && len(s.Keys) > 0 {
					t.Errorf("administrator %s without an OCID was given keys %+v", s.UserName, s.Keys)
				}
			}
			if len(steps) != tc.steps || planned != tc.planed || len(strays) != tc.strays {
				t.Errorf("%d steps, %d keys planned, %d strays; want %d, %d, %d", len(steps), planned, len(strays), tc.steps, tc.planed, tc.strays)
			}
		})
	}
	t.Run("an-empty-ocid-matches-nothing", func(t *testing.T) {
		s := adminSet{byUser: map[string]*Admin{}}
		s.add(noOCID1.User, "g1")
		s.add(noOCID2.User, "g2")
		if len(s.order) != 2 {
			t.Errorf("two members without an OCID merged into %d administrator(s)", len(s.order))
		}
	})
}

// conflict is OCI's 409 IncorrectState, as the adapter wraps it.
type conflict struct{ failure }

func (conflict) ErrorCode() string { return "IncorrectState" }

func (conflict) HTTPStatus() int { return 409 }

// A delete answered 404 or 409 is listed again at once, then, while the credential is still
// listed as it was (a listing may lag behind writes), after 1 s, 2 s and 4 s: never past
// recheckWindow in all, nor into the reserve before the deadline. Gone, being deleted, or a
// failed listing settles it.
func TestRulesForRecheckingADelete(t *testing.T) {
	notFound := failure{fmt.Errorf("404: %w", ErrNotFound)}
	incorrectState := conflict{failure{fmt.Errorf("409: %w", ErrConflict)}}
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	still := func(err error, n int) Answer { return Answer{Err: err, Relisted: true, Rechecks: n, StillListed: true} }
	const rule = "a-404-or-409-is-settled-by-what-oci-shows"
	for _, tc := range []struct {
		name     string
		answer   Answer
		waited   time.Duration
		deadline time.Time
		wait     time.Duration
		again    bool
	}{
		{"applied: nothing to check", Answer{}, 0, time.Time{}, 0, false},
		{"a 500: nothing to check", Answer{Err: unavailable{failure{errors.New("503")}}}, 0, time.Time{}, 0, false},
		{"404: list at once", Answer{Err: notFound}, 0, time.Time{}, 0, true},
		{"409: list at once", Answer{Err: incorrectState}, 0, time.Time{}, 0, true},
		{"still listed once: again after 1 s", still(incorrectState, 1), 0, time.Time{}, time.Second, true},
		{"still listed twice: again after 2 s", still(notFound, 2), time.Second, time.Time{}, 2 * time.Second, true},
		{"still listed three times: again after 4 s", still(notFound, 3), 3 * time.Second, time.Time{}, 4 * time.Second, true},
		{"the window is spent", still(notFound, 4), 7 * time.Second, time.Time{}, 0, false},
		{"the deadline's reserve comes first", still(notFound, 1), 0, now.Add(1500 * time.Millisecond), 0, false},
		{"gone: settled", Answer{Err: notFound, Relisted: true, Rechecks: 1}, 0, time.Time{}, 0, false},
		{"being deleted", Answer{Err: incorrectState, Relisted: true, Rechecks: 1, StillListed: true, Deleting: true}, 0, time.Time{}, 0, false},
		{"the listing failed", Answer{Err: notFound, Relisted: true, Rechecks: 1, RelistErr: errors.New("503")}, 0, time.Time{}, 0, false},
	} {
		t.Run(rule+"/"+tc.name, func(t *testing.T) {
			wait, again := nextRecheck(tc.answer, tc.waited, now, tc.deadline, time.Second)
			if wait != tc.wait || again != tc.again {
				t.Errorf("%+v after %v: wait %v again %v, want %v %v", tc.answer, tc.waited, wait, again, tc.wait, tc.again)
			}
		})
	}
}

// A credential an event names is waited for only when it is an enforced administrator's, of an
// enforced kind, not exempt, and not listed yet; its owner is then listed again after 1, 2, 4,
// then every 8 s, within a minute and never into the deadline's reserve.
func TestRulesForANamedCredential(t *testing.T) {
	alice := Admin{User: User{OCID: "ocid1.user.alice", UserName: "alice"}}
	bob := Admin{User: User{OCID: "ocid1.user.bob", UserName: "bob"}}
	dave := Admin{User: User{OCID: "ocid1.user.dave", UserName: "dave"}} // holds no key yet
	admins := []Admin{alice, bob, dave}
	key := func(user, fp string) APIKey { return APIKey{UserOCID: user, Fingerprint: fp, ID: fp} }
	listed := []APIKey{key(alice.OCID, "aa"), key(bob.OCID, "bb")}
	apiKeys := []Kind{KindAPIKeys}
	for _, tc := range []struct {
		rule   string
		named  *NamedCredential
		kinds  []Kind
		exempt []string
		wait   bool
		why    string
	}{
		{"a-credential-named-by-an-event-is-awaited", nil, apiKeys, nil, false, ""},
		{"a-credential-named-by-an-event-is-awaited", &NamedCredential{UserOCID: alice.OCID, Kind: KindAPIKeys, Fingerprint: "CC"}, apiKeys, nil, true, "not listed yet"},
		{"a-credential-named-by-an-event-is-awaited", &NamedCredential{UserOCID: alice.OCID, Kind: KindAPIKeys}, apiKeys, nil, false, NamedAlreadyListed},
		{"a-credential-named-by-an-event-is-awaited", &NamedCredential{UserOCID: "ocid1.user.dave", Kind: KindAPIKeys}, apiKeys, nil, true, "not listed yet"},
		{"a-credential-named-by-an-event-is-awaited", &NamedCredential{UserOCID: alice.OCID, Kind: KindAPIKeys, Fingerprint: "AA"}, apiKeys, nil, false, NamedAlreadyListed},
		{"a-credential-named-by-an-event-is-awaited", &NamedCredential{UserOCID: "ocid1.user.carol", Kind: KindAPIKeys, Fingerprint: "cc"}, apiKeys, nil, false, NamedNotAdministrator},
		{"a-credential-named-by-an-event-is-awaited", &NamedCredential{UserOCID: alice.OCID, Kind: KindAuthTokens}, apiKeys, nil, false, NamedKindNotEnforced},
		{"a-credential-named-by-an-event-is-awaited", &NamedCredential{UserOCID: alice.OCID, Kind: KindAuthTokens}, []Kind{KindAPIKeys, KindAuthTokens}, nil, true, "not listed yet"},
		{"a-credential-named-by-an-event-is-awaited", &NamedCredential{UserOCID: bob.OCID, Kind: KindAPIKeys, Fingerprint: "cc"}, apiKeys, []string{"BOB"}, false, NamedExempt},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			owner, wait, why := namedWait(tc.named, admins, listed, tc.kinds, NewExemptions(tc.exempt))
			if wait != tc.wait || !strings.Contains(why, tc.why) || (tc.why == "") != (why == "") || wait != (owner != nil) ||
				owner != nil && owner.OCID != tc.named.UserOCID {
				t.Errorf("%+v: owner %v wait %v why %q, want wait %v why %q", tc.named, owner, wait, why, tc.wait, tc.why)
			}
		})
	}
	// An owner this run did not list (not reached, or the listing failed) is not awaited: the
	// report says so already, and the next run lists them.
	listedAlice := []AdminResult{{OCID: alice.OCID}, {OCID: bob.OCID, Listing: &KeyResult{Outcome: OutcomeNotAttempted}}}
	for _, tc := range []struct {
		rule, owner string
		listed      bool
	}{
		{"a-credential-named-by-an-event-is-awaited", alice.OCID, true},
		{"a-credential-named-by-an-event-is-awaited", bob.OCID, false},
		{"a-credential-named-by-an-event-is-awaited", dave.OCID, false}, // not in the results at all
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := namedOwnerListed(listedAlice, tc.owner); got != tc.listed {
				t.Errorf("owner %s listed %v, want %v", tc.owner, got, tc.listed)
			}
		})
	}
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		looks    int
		waited   time.Duration
		deadline time.Time
		wait     time.Duration
		again    bool
	}{
		{0, 0, time.Time{}, time.Second, true},
		{1, time.Second, time.Time{}, 2 * time.Second, true},
		{2, 3 * time.Second, time.Time{}, 4 * time.Second, true},
		{3, 7 * time.Second, time.Time{}, 8 * time.Second, true},
		{9, 55 * time.Second, time.Time{}, 0, false},       // the minute is spent
		{0, 0, now.Add(1500 * time.Millisecond), 0, false}, // the reserve comes first
	} {
		if wait, again := nextLook(tc.looks, tc.waited, now, tc.deadline, time.Second); wait != tc.wait || again != tc.again {
			t.Errorf("a-credential-named-by-an-event-is-awaited: look %d after %v: wait %v again %v, want %v %v", tc.looks, tc.waited, wait, again, tc.wait, tc.again)
		}
	}
}

// A capability update answered 404 or 409 is settled the same way, by reading the user back:
// off is done ("already off"), still on after the reads is failed and says so.
func TestRulesForACapabilityReadBack(t *testing.T) {
	notFound := failure{fmt.Errorf("404: %w", ErrNotFound)}
	for _, tc := range []struct {
		rule    string
		answer  Answer
		outcome Outcome
		reason  string
	}{
		{"a-404-or-409-is-settled-by-what-oci-shows", Answer{Err: notFound, Relisted: true, Rechecks: 2}, OutcomeDisabled, ReasonAlreadyOff},
		{"a-404-or-409-is-settled-by-what-oci-shows", Answer{Err: notFound, Relisted: true, Rechecks: 4, StillListed: true}, OutcomeFailed, "still read on after 4 reads"},
		{"a-404-or-409-is-settled-by-what-oci-shows", Answer{Err: notFound, Relisted: true, Rechecks: 1, RelistErr: errors.New("503")}, OutcomeFailed, "503"},
	} {
		v := writeOutcome(OutcomeDisabled, stageDisable, tc.answer)
		if v.Outcome != tc.outcome || !strings.Contains(v.Reason, tc.reason) {
			t.Errorf("%s: %+v: %s %q, want %s %q", tc.rule, tc.answer, v.Outcome, v.Reason, tc.outcome, tc.reason)
		}
	}
}
