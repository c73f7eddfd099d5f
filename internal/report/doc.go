// Package report is the response envelope and its rendering. Report wraps the guard's Result
// with what only the handler knows (mode, call id, trigger, API calls, notification, timings);
// Title, Text and Message render it for people (the notification sent to operators and the
// summary the demo prints). Whether a notification is sent is the guard's decision
// (guard.NotifyDecision); this package only renders. It shows users, fingerprints and outcomes,
// never secrets.
package report
