// Command printversion prints the build as internal/version sees it, as JSON. The Dockerfile
// stamping test builds it with the Dockerfile's own -ldflags.
package main

import (
	"encoding/json"
	"os"

	"github.com/apikeyguard/admin-apikey-guard/internal/version"
)

func main() {
	if err := json.NewEncoder(os.Stdout).Encode(version.Current()); err != nil {
		os.Exit(1)
	}
}
