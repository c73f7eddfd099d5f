// Package deploytest holds tests of the deployment files (Dockerfile,
// .dockerignore, func.yaml, deploy/terraform, README.md (Deploy section)). They read the
// files from the repository and compare them with the Go sources of truth, so
// a change to one without the other fails `go test`.
package deploytest
