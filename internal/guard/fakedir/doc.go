// Package fakedir is an in-memory guard.Directory for tests of the pure core: property tests,
// planning edge cases and failure handling, without HTTP. Its tenancy is described in the one
// model every test and command uses, ociemu.Tenancy: build it with FromTenancy (for example
// from a generated tenancy), or with the AddDomain/AddUser/AddGroup/AddKey shorthands, which
// add to that same model.
package fakedir
