package deploytest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// maxFuncLines is issue 14's limit: no product function longer than this,
// counted from the `func` keyword to the closing brace, both inclusive.
const maxFuncLines = 50

// funcSpan is one function's name, start line and length in lines.
type funcSpan struct {
	name  string
	line  int
	lines int
}

// funcSpans returns every function and method declared in src, plus any
// function literal outside a declaration (a package-level var), since a
// long literal there is as hard to read as a long declaration.
func funcSpans(fset *token.FileSet, filename string, src []byte) ([]funcSpan, error) {
	f, err := parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var spans []funcSpan
	span := func(name string, from, to token.Pos) {
		start, end := fset.Position(from).Line, fset.Position(to).Line
		spans = append(spans, funcSpan{name: name, line: start, lines: end - start + 1})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch fn := n.(type) {
		case *ast.FuncDecl:
			if fn.Body != nil {
				span(funcDeclName(fn), fn.Pos(), fn.Body.Rbrace)
			}
			return false // literals inside count towards the declaration
		case *ast.FuncLit:
			span("func literal", fn.Pos(), fn.Body.Rbrace)
			return false
		}
		return true
	})
	return spans, nil
}

// funcDeclName is "Name" for a function and "Recv.Name" for a method.
func funcDeclName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	t := fn.Recv.List[0].Type
	for {
		switch r := t.(type) {
		case *ast.StarExpr:
			t = r.X
			continue
		case *ast.IndexExpr:
			t = r.X
			continue
		case *ast.IndexListExpr:
			t = r.X
			continue
		case *ast.Ident:
			return r.Name + "." + fn.Name.Name
		}
		return fn.Name.Name
	}
}

// productGoFiles walks the module for the files the limit applies to:
// every .go file except tests, testdata and the emulator (internal/ociemu),
// which issue 14 leaves out of the limit.
func productGoFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" ||
				d.Name() == "vendor" || rel == "internal/ociemu") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(rel, ".go") && !strings.HasSuffix(rel, "_test.go") {
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// tooLong returns "path:line name N lines" for every span over the limit.
func tooLong(path string, spans []funcSpan) []string {
	var out []string
	for _, s := range spans {
		if s.lines <= maxFuncLines {
			continue
		}
		out = append(out, fmt.Sprintf("%s:%d %s %d lines", path, s.line, s.name, s.lines))
	}
	return out
}

func TestFuncLength(t *testing.T) {
	root := repoRoot(t)
	fset := token.NewFileSet()
	var long []string
	for _, rel := range productGoFiles(t, root) {
		src, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		spans, err := funcSpans(fset, rel, src)
		if err != nil {
			t.Fatal(err)
		}
		long = append(long, tooLong(rel, spans)...)
	}
	if len(long) > 0 {
		t.Errorf("functions longer than %d lines (split them; issue 14):\n%s", maxFuncLines, strings.Join(long, "\n"))
	}
}

// TestFuncLengthCheckCanFail proves the counting on synthetic sources: a
// function of exactly the limit passes, one line more is reported, and
// methods and package-level literals are counted too.
func TestFuncLengthCheckCanFail(t *testing.T) {
	// body returns header with a body so that the whole spans n lines.
	body := func(header string, n int) string {
		return header + " {\n" + strings.Repeat("\t_ = 0\n", n-2) + "}\n"
	}
	cases := []struct {
		name, src string
		want      []string
	}{
		{"50 lines pass", body("func f()", 50), nil},
		{"51 lines fail", body("func f()", 51), []string{"x.go:3 f 51 lines"}},
		{"method", "type T struct{}\n" + body("func (t *T) m()", 51), []string{"x.go:4 T.m 51 lines"}},
		{"package-level literal", body("var v = func()", 51), []string{"x.go:3 func literal 51 lines"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := "package x\n\n" + c.src
			spans, err := funcSpans(token.NewFileSet(), "x.go", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			got := tooLong("x.go", spans)
			if !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}
