package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/agext/levenshtein"
)

// overrides are keys Load reads that are not in Keys: endpoint overrides for private
// endpoints and the emulator (docs/configuration.md).
var overrides = []string{"OCI_IDENTITY_ENDPOINT", "OCI_NOTIFICATION_ENDPOINT"}

// platformPrefixes name variables that belong to the platform, never to this function: Fn's
// own (FN_APP_ID, FN_FN_ID, FN_LISTENER, FN_FORMAT, FN_MEMORY, ...) and the resource
// principal's (OCI_RESOURCE_PRINCIPAL_*). They are not compared with the keys.
var platformPrefixes = []string{"FN_", "OCI_RESOURCE_PRINCIPAL_"}

// nearMisses finds names in env that are not configuration keys but are so close to one that
// they were surely meant as it: the same letters in another case or with other separators
// (dry_run, DryRun, DRY-RUN), or one or two letters off (DRY_RUM, EXEMPT_USER). Such a name
// would otherwise be ignored without a word, and DRYRUN=true would give a real, enforcing run.
// Function configuration arrives as environment variables beside the platform's own (fdk-go
// hands the handler the whole environment), so names that are merely unknown (PATH, HOME,
// HOSTNAME, OCI_SDK_*, ...) are left alone. Values are never shown: they need not be config.
func nearMisses(env map[string]string) []error {
	known := make([]string, 0, len(Keys)+len(overrides))
	for _, k := range Keys {
		known = append(known, k.Name)
	}
	known = append(known, overrides...)
	names := make([]string, 0, len(env))
	for name := range env {
		names = append(names, name)
	}
	slices.Sort(names)
	var errs []error
	for _, name := range names {
		if slices.Contains(known, name) || hasAnyPrefix(name, platformPrefixes) {
			continue
		}
		if k, ok := nearMiss(name, known); ok {
			errs = append(errs, fmt.Errorf("%s is not a configuration key but looks like %s (a different case, separator or a letter or two); rename or remove it", name, k))
		}
	}
	return errs
}

// nearMiss returns the known key that name is a near miss of. Names are compared without
// case and separators; then a Levenshtein distance of at most 2 (agext/levenshtein, the
// library HCL uses for its "did you mean" suggestions) counts as a near miss. Names shorter
// than 4 letters are too short to tell a typo from an unrelated variable.
func nearMiss(name string, known []string) (string, bool) {
	n := normalize(name)
	if len(n) < 4 {
		return "", false
	}
	for _, k := range known {
		if d := levenshtein.Distance(n, normalize(k), nil); d <= 2 {
			return k, true
		}
	}
	return "", false
}

func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// IgnoredVariables are warnings for variables in env that would change what the process
// prints, and that the function deliberately overrides: OCI_GO_SDK_DEBUG (any level but "null")
// would make the oci-go-sdk dump requests and responses to stderr, key material included, past
// the function's redaction, so the function switches the SDK's logging off (handler.SilenceSDKLog)
// and says so here rather than ignore the variable without a word. The value is not repeated.
func IgnoredVariables(env map[string]string) []string {
	var out []string
	// common/log.go, NewSDKLogger: the variable's presence turns logging on; "null" is off.
	if v, set := env["OCI_GO_SDK_DEBUG"]; set && !strings.EqualFold(strings.TrimSpace(v), "null") {
		out = append(out, "OCI_GO_SDK_DEBUG is ignored: the SDK's debug output would print requests and responses, "+
			"key material included, past the function's redaction, so the function keeps the SDK silent; "+
			"remove it (the function's own log lines say what each run did)")
	}
	return out
}
