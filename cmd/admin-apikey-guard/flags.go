package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/config"
)

// options are the command line.
type options struct {
	auth       authSettings
	enforce    bool
	confirm    string
	reportPath string
	logFormat  string
	timeout    time.Duration
	// keys are the function's configuration keys given as flags (--exempt-users for
	// EXEMPT_USERS, …): they win over the same key in the environment.
	keys map[string]string
}

// keyFlag is the flag of a configuration key: EXEMPT_USERS is --exempt-users.
func keyFlag(key string) string { return strings.ToLower(strings.ReplaceAll(key, "_", "-")) }

// parseFlags reads args. The function's configuration keys are flags too, one per key of
// config.Keys, so that the command can never lag behind the function's configuration; DRY_RUN
// is the exception, since the command decides the mode itself (--enforce).
func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	o := options{auth: defaultAuth(getenv), keys: map[string]string{}}
	fs := flag.NewFlagSet("admin-apikey-guard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.auth.method, "auth", o.auth.method, "how to sign: "+strings.Join(authMethods, ", ")+" (default from OCI_CLI_AUTH, which Cloud Shell sets to instance_obo_user)")
	fs.StringVar(&o.auth.configFile, "config-file", o.auth.configFile, "OCI config file (default from OCI_CLI_CONFIG_FILE or OCI_CONFIG_FILE)")
	fs.StringVar(&o.auth.profile, "profile", o.auth.profile, "profile of the config file (default from OCI_CLI_PROFILE)")
	fs.StringVar(&o.auth.region, "region", o.auth.region, "region, instead of the profile's (default from OCI_CLI_REGION)")
	fs.StringVar(&o.auth.delegationToken, "delegation-token-file", o.auth.delegationToken, "Cloud Shell's delegation token, for --auth instance_obo_user (default from OCI_DELEGATION_TOKEN_FILE)")
	fs.BoolVar(&o.enforce, "enforce", false, "delete (and disable) what the preview shows, after typing the confirmation; without it the run only reports")
	fs.StringVar(&o.confirm, "confirm", "", `the confirmation phrase the preview asks for ("delete 8 keys"), for a run without a terminal`)
	fs.StringVar(&o.reportPath, "report", "admin-apikey-guard-report.json", "file the JSON report is written to (mode 0600); empty: none")
	fs.StringVar(&o.logFormat, "log", "text", "the run's log lines on stderr: text, json (the function's format) or off")
	fs.DurationVar(&o.timeout, "timeout", 0, "stop starting writes this long after the start (0: no deadline); what is left is not-attempted")
	for _, k := range config.Keys {
		if k.Name == "DRY_RUN" {
			continue
		}
		name := k.Name
		fs.Func(keyFlag(name), fmt.Sprintf("%s (env %s; default %q)", k.Meaning, name, k.Default), func(v string) error {
			o.keys[name] = v
			return nil
		})
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected argument %q", fs.Arg(0))
		fmt.Fprintln(stderr, err)
		fs.Usage()
		return o, err
	}
	if o.logFormat != "text" && o.logFormat != "json" && o.logFormat != "off" {
		err := fmt.Errorf("-log %q: want text, json or off", o.logFormat)
		fmt.Fprintln(stderr, err)
		return o, err
	}
	return o, nil
}

// configEnv is the configuration the run reads: the whole environment, as a function's
// configuration arrives in its environment (so config.Load catches a near-miss name such as
// EXEMPT_USER here too), with the flags on top.
func (o options) configEnv(environ []string) (map[string]string, error) {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	for k, v := range o.keys {
		env[k] = v
	}
	if dry, err := strconv.ParseBool(strings.TrimSpace(env["DRY_RUN"])); err == nil && dry && o.enforce {
		return nil, errDryRunConflict
	}
	return env, nil
}
