package deploytest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/version"
)

// `fn deploy` runs a plain `docker build`. Without BuildKit (a Linux host without the buildx
// plugin, DOCKER_BUILDKIT=0) that is the classic builder, which rejects BuildKit-only syntax:
// RUN flags (--mount, --network, --security), COPY/ADD flags other than --from and --chown
// (--chmod, --link, --parents, --exclude, --checksum, --keep-git-dir), heredocs, and FROM
// --platform=$BUILDPLATFORM (the automatic platform ARGs are BuildKit's: the classic builder
// leaves them empty and fails with `"" is an invalid OS component`). A `# syntax=` directive
// would make a BuildKit build fetch a frontend image; the classic builder ignores it, so a
// Dockerfile relying on it works with one builder only.
func TestDockerfileBuildsWithTheClassicBuilder(t *testing.T) {
	text := readRepoFile(t, "Dockerfile")
	if problems := buildKitOnly(text); len(problems) > 0 {
		t.Errorf("the Dockerfile uses BuildKit-only syntax, which `fn deploy`'s plain `docker build` may reject:\n  %s", strings.Join(problems, "\n  "))
	}
}

// The check itself finds every construct it is meant to refuse, and accepts the classic ones.
func TestBuildKitOnlyCheckFindsEachConstruct(t *testing.T) {
	for _, bad := range []string{
		"# syntax=docker/dockerfile:1\nFROM scratch\n",
		"# check=skip=all\nFROM scratch\n",
		"FROM golang AS b\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\n",
		"FROM golang AS b\nRUN --network=none true\n",
		"FROM golang AS b\nRUN \\\n  --mount=type=secret,id=k cat /run/secrets/k\n",
		"FROM --platform=$BUILDPLATFORM golang AS b\n",
		"FROM --platform=${TARGETPLATFORM} golang AS b\n",
		"FROM scratch\nCOPY --chmod=755 a /a\n",
		"FROM scratch\nCOPY --link a /a\n",
		"FROM scratch\nADD --checksum=sha256:00 https://x /a\n",
		"FROM golang\nRUN <<EOF\necho hi\nEOF\n",
		"FROM scratch\nCOPY <<EOF /a\nhi\nEOF\n",
	} {
		if len(buildKitOnly(bad)) == 0 {
			t.Errorf("not refused:\n%s", bad)
		}
	}
	ok := "# a comment\nARG GO_VERSION=1.26\nFROM --platform=linux/amd64 golang:${GO_VERSION} AS b\nARG TARGETOS\n" +
		"RUN echo a \\\n  && echo b\nFROM scratch\nCOPY --from=b --chown=65532:65532 /out/f /f\nADD --chown=1:1 a /a\nENTRYPOINT [\"/f\"]\n"
	if p := buildKitOnly(ok); len(p) > 0 {
		t.Errorf("classic syntax refused: %q", p)
	}
}

// buildKitOnly lists the BuildKit-only constructs in a Dockerfile's text.
func buildKitOnly(text string) []string {
	var problems []string
	lines := strings.Split(text, "\n")
	// Parser directives are `# key=value` lines before anything else.
	directive := regexp.MustCompile(`^#\s*([a-zA-Z]+)\s*=`)
	for _, l := range lines {
		m := directive.FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			break
		}
		if d := strings.ToLower(m[1]); d == "syntax" || d == "check" {
			problems = append(problems, "parser directive "+strings.TrimSpace(l))
		}
	}
	heredoc := regexp.MustCompile(`<<-?["']?[A-Za-z_]+["']?(\s|$)`)
	for n, l := range lines {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") && heredoc.MatchString(l) {
			problems = append(problems, "line "+strconv.Itoa(n+1)+": heredoc")
		}
	}
	// Flags are read from logical lines (continuations joined), up to the first word that is
	// not a flag: RUN may have none, COPY and ADD only the classic ones.
	allowedFlags := map[string][]string{"FROM": {"--platform"}, "COPY": {"--from", "--chown"}, "ADD": {"--chown"}, "RUN": nil}
	automaticPlatform := regexp.MustCompile(`\$\{?(BUILD|TARGET)(PLATFORM|OS|ARCH|VARIANT)\b`)
	for _, l := range logicalLines(text) {
		fields := strings.Fields(l)
		cmd := strings.ToUpper(fields[0])
		allowed, checked := allowedFlags[cmd]
		if !checked {
			continue
		}
		for _, f := range fields[1:] {
			if !strings.HasPrefix(f, "--") {
				break
			}
			name, value, _ := strings.Cut(f, "=")
			if !slices.Contains(allowed, name) {
				problems = append(problems, cmd+" "+name)
			}
			if cmd == "FROM" && automaticPlatform.MatchString(value) {
				problems = append(problems, "FROM "+f+" (the automatic platform ARGs are BuildKit's)")
			}
		}
	}
	return problems
}

// logicalLines are the Dockerfile's instructions, continuations joined, comments and blank
// lines dropped.
func logicalLines(text string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if strings.HasSuffix(trimmed, `\`) {
			cur.WriteString(strings.TrimSuffix(trimmed, `\`) + " ")
			continue
		}
		cur.WriteString(trimmed)
		out = append(out, cur.String())
		cur.Reset()
	}
	return out
}

// The image says which build it is: the Dockerfile's go build, with its own -ldflags and the
// VERSION and VCS_REVISION build arguments, and without .git (as in the build context, which
// .dockerignore keeps .git out of), gives a binary whose internal/version reports them.
func TestDockerfileStampsTheVersion(t *testing.T) {
	_, stages := parseDockerfile(t, readRepoFile(t, "Dockerfile"))
	builder := stages[0]
	var args []string
	for _, a := range builder.all("ARG") {
		args = append(args, strings.Fields(a)...)
	}
	for _, a := range []string{"VERSION", "VCS_REVISION"} {
		if !slices.Contains(args, a) {
			t.Errorf("builder stage does not declare ARG %s", a)
		}
	}
	var build string
	for _, r := range builder.all("RUN") {
		if strings.Contains(r, "go build") {
			build = r
		}
	}
	m := regexp.MustCompile(`-ldflags="([^"]*)"`).FindStringSubmatch(build)
	if m == nil {
		t.Fatalf("go build has no quoted -ldflags: %q", build)
	}
	ldflags := os.Expand(m[1], func(k string) string {
		return map[string]string{"VERSION": "v9.9.9-test", "VCS_REVISION": "0123456789abcdef0123"}[k]
	})
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "printversion")
	build2 := exec.CommandContext(t.Context(), "go", "build", "-buildvcs=false", "-trimpath", "-ldflags="+ldflags, "-o", bin, "./internal/deploytest/testdata/printversion")
	build2.Dir = repoRoot(t)
	if out, err := build2.CombinedOutput(); err != nil {
		t.Fatalf("go build with the Dockerfile's -ldflags: %v\n%s", err, out)
	}
	out, err := exec.CommandContext(t.Context(), bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	var got version.Info
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.Version != "v9.9.9-test" || got.Revision != "0123456789abcdef0123" {
		t.Errorf("the image's binary reports %+v, want the build arguments' version and revision", got)
	}
}
