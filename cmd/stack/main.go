// Command stack builds the zip that OCI Resource Manager takes as a stack's
// configuration: the .tf files and schema.yaml of deploy/terraform, at the
// zip's root ("Extending Console Pages Using Schema Documents": the schema
// document sits in the root folder of the configuration). The zip is
// reproducible: sorted entries, fixed timestamps.
//
//	go run ./cmd/stack -o bin/admin-apikey-guard-stack.zip
package main

import (
	"archive/zip"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// stackFiles are the files of dir that belong in the zip: every .tf file and
// schema.yaml (not terraform.tfvars.example, not local state).
func stackFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	hasSchema := false
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			continue
		}
		if name == "schema.yaml" {
			hasSchema = true
		}
		if strings.HasSuffix(name, ".tf") || name == "schema.yaml" {
			out = append(out, name)
		}
	}
	if !hasSchema {
		return nil, fmt.Errorf("%s has no schema.yaml", dir)
	}
	sort.Strings(out)
	return out, nil
}

// writeZip writes the stack zip of dir to w and returns the names it holds.
func writeZip(w io.Writer, dir string) ([]string, error) {
	names, err := stackFiles(dir)
	if err != nil {
		return nil, err
	}
	zw := zip.NewWriter(w)
	stamp := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return nil, err
		}
		if _, err := f.Write(b); err != nil {
			return nil, err
		}
	}
	return names, zw.Close()
}

func main() {
	dir := flag.String("dir", "deploy/terraform", "stack directory")
	out := flag.String("o", "bin/admin-apikey-guard-stack.zip", "zip to write")
	flag.Parse()
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "stack:", err)
		os.Exit(1)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "stack:", err)
		os.Exit(1)
	}
	names, err := writeZip(f, *dir)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*out)
		fmt.Fprintln(os.Stderr, "stack:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %s\n", *out, strings.Join(names, " "))
}
