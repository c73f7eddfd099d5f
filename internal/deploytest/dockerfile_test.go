package deploytest

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// instruction is one logical Dockerfile line (continuations joined).
type instruction struct {
	cmd  string // upper case: FROM, RUN, ...
	args string
}

type stage struct {
	from         string // image reference as written
	name         string // AS name, may be empty
	instructions []instruction
}

func parseDockerfile(t *testing.T, text string) (globalArgs []string, stages []stage) {
	t.Helper()
	var logical []string
	var cur strings.Builder
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if strings.HasPrefix(trimmed, "#") { // comment inside a continuation
			continue
		}
		if strings.HasSuffix(trimmed, `\`) {
			cur.WriteString(strings.TrimSuffix(trimmed, `\`))
			cur.WriteString(" ")
			continue
		}
		cur.WriteString(trimmed)
		logical = append(logical, cur.String())
		cur.Reset()
	}
	if cur.Len() != 0 {
		t.Fatal("Dockerfile ends inside a line continuation")
	}
	for _, l := range logical {
		cmd, args, _ := strings.Cut(l, " ")
		in := instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)}
		switch {
		case in.cmd == "FROM":
			f := strings.Fields(in.args)
			f = slices.DeleteFunc(f, func(s string) bool { return strings.HasPrefix(s, "--platform=") })
			st := stage{from: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.name = f[2]
			}
			stages = append(stages, st)
		case len(stages) == 0:
			if in.cmd != "ARG" {
				t.Fatalf("instruction %s before the first FROM", in.cmd)
			}
			globalArgs = append(globalArgs, in.args)
		default:
			stages[len(stages)-1].instructions = append(stages[len(stages)-1].instructions, in)
		}
	}
	return globalArgs, stages
}

func (s stage) all(cmd string) []string {
	var out []string
	for _, in := range s.instructions {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

func TestDockerfile(t *testing.T) {
	globalArgs, stages := parseDockerfile(t, readRepoFile(t, "Dockerfile"))
	if len(stages) < 2 {
		t.Fatalf("want a multi-stage build, got %d stage(s)", len(stages))
	}

	// The builder's Go version is go.mod's, so a go.mod bump cannot leave the
	// image on an older toolchain.
	wantGo := goModMinor(t)
	if !slices.Contains(globalArgs, "GO_VERSION="+wantGo) {
		t.Errorf("global ARGs %q: want GO_VERSION=%s (go.mod)", globalArgs, wantGo)
	}
	builder := stages[0]
	if builder.from != "golang:${GO_VERSION}" {
		t.Errorf("builder FROM %q, want golang:${GO_VERSION}", builder.from)
	}
	if builder.name == "" {
		t.Error("builder stage has no name")
	}

	var targetArgs []string
	for _, a := range builder.all("ARG") {
		targetArgs = append(targetArgs, strings.Fields(a)...)
	}
	for _, a := range []string{"TARGETOS", "TARGETARCH"} {
		if !slices.Contains(targetArgs, a) {
			t.Errorf("builder stage does not declare ARG %s", a)
		}
	}

	var build string
	for _, r := range builder.all("RUN") {
		if strings.Contains(r, "go build") {
			build = r
		}
	}
	if build == "" {
		t.Fatal("no RUN ... go build in the builder stage")
	}
	for _, want := range []string{"CGO_ENABLED=0", "GOOS=$TARGETOS", "GOARCH=$TARGETARCH", "-trimpath", `-ldflags="-s -w `} {
		if !strings.Contains(build, want) {
			t.Errorf("go build line lacks %s: %q", want, build)
		}
	}
	if strings.Contains(build, "-buildvcs=false") {
		t.Errorf("go build turns VCS stamping off: %q", build)
	}
	m := regexp.MustCompile(`-o (\S+)`).FindStringSubmatch(build)
	if m == nil {
		t.Fatalf("go build has no -o: %q", build)
	}
	binary := m[1]

	final := stages[len(stages)-1]
	if !strings.HasPrefix(final.from, "gcr.io/distroless/static") && final.from != "scratch" {
		t.Errorf("final FROM %q, want distroless static or scratch", final.from)
	}
	if runs := final.all("RUN"); len(runs) > 0 {
		t.Errorf("final stage runs commands %q; it has no shell and should only copy the binary", runs)
	}

	copies := final.all("COPY")
	if len(copies) != 1 {
		t.Fatalf("final stage COPY lines %q, want exactly the binary", copies)
	}
	cp := strings.Fields(copies[0])
	if len(cp) != 3 || cp[0] != "--from="+builder.name || cp[1] != binary {
		t.Fatalf("final COPY %q, want --from=%s %s <dest>", copies[0], builder.name, binary)
	}
	dest := cp[2]

	users := final.all("USER")
	if len(users) == 0 {
		t.Error("final stage has no USER")
	} else if u := users[len(users)-1]; !slices.Contains([]string{"nonroot", "nonroot:nonroot", "65532", "65532:65532"}, u) {
		t.Errorf("final USER %q, want the distroless non-root user", u)
	}

	eps := final.all("ENTRYPOINT")
	if len(eps) != 1 {
		t.Fatalf("final stage ENTRYPOINT lines %q, want one", eps)
	}
	var ep []string
	if err := json.Unmarshal([]byte(eps[0]), &ep); err != nil {
		t.Fatalf("ENTRYPOINT %q is not exec (JSON) form: %v", eps[0], err)
	}
	if len(ep) != 1 || ep[0] != dest {
		t.Errorf("ENTRYPOINT %q, want [%q] (the copied binary)", ep, dest)
	}
}

func TestDockerignore(t *testing.T) {
	var patterns []string
	for _, l := range strings.Split(readRepoFile(t, ".dockerignore"), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			patterns = append(patterns, l)
		}
	}
	for _, want := range []string{".git", "deploy", "**/*.tfstate", "**/*.tfvars", "**/*.pem", "**/*.key", ".env",
		"bin", "bench", "demo", "ociemu", "stack", "func", "**/*.test"} { // build outputs too (tracked_test.go)
		if !slices.Contains(patterns, want) {
			t.Errorf(".dockerignore lacks %q", want)
		}
	}
	for _, p := range patterns {
		// The build needs these; ignoring them would break or empty the image.
		if slices.Contains([]string{"go.mod", "go.sum", "*.go", "**/*.go", "internal"}, p) {
			t.Errorf(".dockerignore excludes %q, which the build needs", p)
		}
	}
}
