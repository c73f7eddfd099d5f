package fnagent

import (
	"fmt"
	"os"
	"sort"
)

// Identity of the emulated function, as Fn passes it in FN_* variables.
// Options.Env may override them.
const (
	DefaultAppID   = "ocid1.fnapp.oc1.emu.aaaaaaaaapikeyguard"
	DefaultFnID    = "ocid1.fnfunc.oc1.emu.aaaaaaaaapikeyguard"
	DefaultAppName = "apikeyguard"
	DefaultFnName  = "admin-apikey-guard"
)

// passThrough are the only variables taken from the parent: enough for a Go
// binary to run, nothing that could make a test pass by accident (for
// example a developer's OCI_CLI_* or ADMIN_GROUPS).
var passThrough = []string{"PATH", "HOME", "TMPDIR"}

// reserved variables belong to the agent; letting Options.Env change them
// would make the agent wait on a socket the function never opens.
var reserved = map[string]bool{"FN_LISTENER": true}

// principal holds the resource-principal variables' values: either file
// paths or the inline secrets.
type principal struct {
	rpst, pem, region string
	set               bool
}

func buildEnv(listener string, p principal, config map[string]string) ([]string, error) {
	env := map[string]string{}
	for _, k := range passThrough {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	env["FN_LISTENER"] = listener
	env["FN_FORMAT"] = "http-stream"
	env["FN_APP_ID"] = DefaultAppID
	env["FN_FN_ID"] = DefaultFnID
	env["FN_APP_NAME"] = DefaultAppName
	env["FN_FN_NAME"] = DefaultFnName
	if p.set {
		env["OCI_RESOURCE_PRINCIPAL_VERSION"] = "2.2"
		env["OCI_RESOURCE_PRINCIPAL_RPST"] = p.rpst
		env["OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM"] = p.pem
	}
	if p.region != "" {
		env["OCI_RESOURCE_PRINCIPAL_REGION"] = p.region
	}
	for k, v := range config {
		if reserved[k] {
			return nil, fmt.Errorf("fnagent: Options.Env must not set %s: the agent owns it", k)
		}
		env[k] = v
	}
	list := make([]string, 0, len(env))
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	sort.Strings(list)
	return list, nil
}
