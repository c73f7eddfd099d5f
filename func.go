// Command admin-apikey-guard is the OCI Function: it deletes the API keys of tenancy
// administrators (CIS OCI Foundations Benchmark 1.12). The behaviour lives in
// internal/handler (entry), internal/guard (the rules) and internal/oci (the OCI calls).
package main

import (
	"os"

	fdk "github.com/fnproject/fdk-go"

	"github.com/apikeyguard/admin-apikey-guard/internal/handler"
)

func main() {
	fdk.Handle(handler.New(os.Stderr))
}
