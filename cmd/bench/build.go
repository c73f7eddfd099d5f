package main

import (
	"context"
	"os"

	"github.com/apikeyguard/admin-apikey-guard/internal/testing/gobuild"
)

// buildStripped builds the function the way the Dockerfile and `make build` do (gobuild's
// Release), so the size and start-up figures are those of what ships, and returns its size.
func buildStripped(ctx context.Context, out string) (int64, error) {
	if err := gobuild.Build(ctx, out, gobuild.Options{Release: true}); err != nil {
		return 0, err
	}
	fi, err := os.Stat(out)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}
