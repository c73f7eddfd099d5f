package deploytest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// maxTrackedSize is the largest file the repository may track: sources, docs and fixtures are
// far below it; a build output (the function binary is ~10 MB) or a data dump is not.
const maxTrackedSize = 1 << 20

// The repository tracks sources, not build outputs: a committed executable cannot be reviewed,
// goes stale, and makes every clone carry it (an 11 MB `bench` binary once was). A tracked file
// over 1 MiB, or a compiled executable (ELF, Mach-O, PE, WebAssembly) of any size, fails this
// test; .gitignore and .dockerignore keep the usual outputs out.
func TestNoBinariesOrLargeFilesTracked(t *testing.T) {
	root := repoRoot(t)
	out, err := exec.CommandContext(t.Context(), "git", "-C", root, "ls-files", "-s", "-z").Output()
	if err != nil {
		t.Skipf("not a git checkout, or no git (a source archive): %v", err)
	}
	var problems []string
	for _, entry := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		// "<mode> <object> <stage>\t<path>"
		meta, path, ok := strings.Cut(entry, "\t")
		if !ok {
			t.Fatalf("unexpected git ls-files entry %q", entry)
		}
		if strings.HasPrefix(meta, "120000 ") || strings.HasPrefix(meta, "160000 ") {
			continue // symlink or submodule: no content of its own here
		}
		if p := trackedFileProblem(filepath.Join(root, path), strings.HasPrefix(meta, "100755 ")); p != "" {
			problems = append(problems, path+": "+p)
		}
	}
	if len(problems) > 0 {
		t.Errorf("tracked files that do not belong in the repository (git rm them; ignore build outputs):\n  %s", strings.Join(problems, "\n  "))
	}
}

// trackedFileProblem says why a tracked file must not be tracked, or "" when it may.
func trackedFileProblem(path string, executableMode bool) string {
	fi, err := os.Stat(path)
	if os.IsNotExist(err) {
		return "" // deleted in the working tree, not yet committed
	}
	if err != nil {
		return err.Error()
	}
	if fi.Size() > maxTrackedSize {
		return fmt.Sprintf("%d bytes, over the %d-byte limit", fi.Size(), maxTrackedSize)
	}
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	head := make([]byte, 4)
	n, _ := f.Read(head)
	if kind := executableFormat(head[:n]); kind != "" {
		return "a compiled executable (" + kind + ")"
	}
	if executableMode && !bytes.HasPrefix(head[:n], []byte("#!")) {
		return "executable mode but not a script (no #! line)"
	}
	return ""
}

// executableFormat names the executable format whose magic number starts head, or "".
func executableFormat(head []byte) string {
	for _, m := range []struct {
		magic []byte
		name  string
	}{
		{[]byte("\x7fELF"), "ELF"},
		{[]byte{0xfe, 0xed, 0xfa, 0xce}, "Mach-O"}, {[]byte{0xfe, 0xed, 0xfa, 0xcf}, "Mach-O"},
		{[]byte{0xce, 0xfa, 0xed, 0xfe}, "Mach-O"}, {[]byte{0xcf, 0xfa, 0xed, 0xfe}, "Mach-O"},
		{[]byte{0xca, 0xfe, 0xba, 0xbe}, "Mach-O universal"},
		{[]byte("MZ"), "PE"},
		{[]byte("\x00asm"), "WebAssembly"},
	} {
		if bytes.HasPrefix(head, m.magic) {
			return m.name
		}
	}
	return ""
}

// The check refuses what it must: this test's own binary (a real executable), an oversized
// file, an executable-mode file that is not a script; and accepts a script and a source file.
func TestTrackedFileProblemRefusesBinaries(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big := write("big.json", bytes.Repeat([]byte(" "), maxTrackedSize+1))
	script := write("run", []byte("#!/bin/sh\necho hi\n"))
	data := write("blob", []byte("\x01\x02\x03\x04"))
	source := write("x.go", []byte("package x\n"))
	pe := write("tool.exe", []byte("MZ\x90\x00"))
	for _, tc := range []struct {
		path       string
		executable bool
		refused    bool
	}{
		{self, true, true}, {self, false, true}, {big, false, true}, {data, true, true}, {pe, false, true},
		{script, true, false}, {source, false, false},
	} {
		if p := trackedFileProblem(tc.path, tc.executable); (p != "") != tc.refused {
			t.Errorf("%s (executable mode %v): problem %q, want refused=%v", filepath.Base(tc.path), tc.executable, p, tc.refused)
		}
	}
}

// buildOutputs are what the Makefile and `go build` in the repository root write.
var buildOutputs = []string{"bin/func", "bench", "demo", "ociemu", "stack", "admin-apikey-guard", "func",
	"internal/e2e/e2e.test", "cpu.prof", "guard.exe"}

// Build outputs are ignored by git and kept out of the image's build context.
func TestBuildOutputsAreIgnored(t *testing.T) {
	root := repoRoot(t)
	for _, p := range buildOutputs {
		cmd := exec.CommandContext(t.Context(), "git", "-C", root, "check-ignore", "-q", "--no-index", p)
		if err := cmd.Run(); err != nil {
			if _, exit := err.(*exec.ExitError); !exit {
				t.Skipf("no git: %v", err)
			}
			t.Errorf(".gitignore does not ignore the build output %s", p)
		}
	}
	for _, p := range []string{"cmd/bench/main.go", "func.go", "internal/guard/run.go", "deploy/terraform/main.tf"} {
		if err := exec.CommandContext(t.Context(), "git", "-C", root, "check-ignore", "-q", "--no-index", p).Run(); err == nil {
			t.Errorf(".gitignore ignores the source file %s", p)
		}
	}
}
