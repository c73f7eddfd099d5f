// Package report is the response envelope and its rendering. Report wraps the guard's Result
// with what only the handler knows (mode, call id, trigger, API calls, notification, timings);
// Title, Text and Message render it for people (the notification sent to operators and the
// summary the demo prints); Decide is the one rule for when a notification is sent. It shows
// users, fingerprints and outcomes, never secrets.
package report
