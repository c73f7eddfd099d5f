// Package config turns the function's configuration (Fn passes it as environment variables)
// into a validated Config. Every problem is reported at once, and an invalid configuration
// stops the run before anything is changed.
package config
