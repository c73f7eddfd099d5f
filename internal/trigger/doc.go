// Package trigger reads the invocation body. Only one kind of body can change what a run does,
// the options object, and it is read strictly: a body may make a run safer (dry run) but never
// wider, and an options object it does not fully understand stops the run, so a typo such as
// {"dryrun": true} can never turn into a real deletion. An OCI Events envelope changes nothing
// (the run uses the configuration) and is only recorded, so it is read leniently: fields OCI
// adds later cannot stop every event-triggered run.
package trigger
