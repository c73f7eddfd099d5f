// Package reportschema validates a report (the function's response body) against
// docs/report.schema.json, the JSON Schema operators and their tools read. The end-to-end tests
// validate every report they read with it, so the schema and the function cannot drift apart:
// a field added to the report without the schema, or a value outside an enumeration, fails them.
package reportschema

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/apikeyguard/admin-apikey-guard/internal/testing/gobuild"
)

// Path is the schema's place in the repository.
const Path = "docs/report.schema.json"

// schemaURL names the schema for the compiler; it is the file's own $id.
const schemaURL = "https://github.com/apikeyguard/admin-apikey-guard/docs/report.schema.json"

// compiled is the schema, read and compiled once per test binary.
var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	raw, err := moduleFile(Path)
	if err != nil {
		return nil, err
	}
	return compile(Path, raw)
})

// moduleFile reads a file of the repository by its path from the module root.
func moduleFile(rel string) ([]byte, error) {
	root, err := gobuild.ModuleRoot(context.Background())
	if err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(root, rel))
}

// compile compiles the schema text raw (read from path), with format assertions on: a
// date-time is checked, not only annotated.
func compile(path string, raw []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s is not JSON: %w", path, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s, err := c.Compile(schemaURL)
	if err != nil {
		return nil, fmt.Errorf("%s does not compile: %w", path, err)
	}
	return s, nil
}

// Validate checks one report body against docs/report.schema.json; the error names every
// violation with its place in the report.
func Validate(body []byte) error {
	s, err := compiled()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("the report is not JSON: %w", err)
	}
	if err := s.Validate(v); err != nil {
		return fmt.Errorf("the report does not match %s: %w", Path, err)
	}
	return nil
}
