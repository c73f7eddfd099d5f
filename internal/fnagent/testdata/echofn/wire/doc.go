// Package wire is what echofn answers, shared by echofn and the fnagent tests that read it.
package wire
