package deploytest

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/apikeyguard/admin-apikey-guard/internal/config"
)

// readmeMaxLines keeps README.md an operator's ten-minute read; the reference lives in docs/.
const readmeMaxLines = 250

// markdownDocs are the documents whose links are checked: README.md, BENCHMARKS.md and every
// file in docs/.
func markdownDocs(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(repoRoot(t), "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) == 0 {
		t.Fatal("docs/ holds no .md file")
	}
	out := []string{"README.md", "BENCHMARKS.md"}
	for _, d := range docs {
		out = append(out, filepath.ToSlash(strings.TrimPrefix(d, repoRoot(t)+string(filepath.Separator))))
	}
	return out
}

var markdownLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestDocLinksResolve: every relative link in README.md, BENCHMARKS.md and docs/ names a file
// or directory of the repository, and every #anchor a heading of the target document, so that
// moving text between documents cannot leave a reader at a dead link.
func TestDocLinksResolve(t *testing.T) {
	root := repoRoot(t)
	checked := 0
	for _, doc := range markdownDocs(t) {
		text := readRepoFile(t, doc)
		for _, m := range markdownLink.FindAllStringSubmatch(outsideCode(text), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			checked++
			file, anchor, _ := strings.Cut(target, "#")
			resolved := doc
			if file != "" {
				resolved = filepath.ToSlash(filepath.Join(filepath.Dir(doc), file))
				if _, err := os.Stat(filepath.Join(root, resolved)); err != nil {
					t.Errorf("%s links to %q: %s does not exist", doc, target, resolved)
					continue
				}
			}
			if anchor == "" {
				continue
			}
			if !strings.HasSuffix(resolved, ".md") {
				t.Errorf("%s links to %q: an anchor into a file that is not markdown", doc, target)
				continue
			}
			if !headingAnchors(readRepoFile(t, resolved))[anchor] {
				t.Errorf("%s links to %q: %s has no heading with anchor #%s", doc, target, resolved, anchor)
			}
		}
	}
	if checked < 20 {
		t.Fatalf("checked %d relative links, expected the documents to link to each other", checked)
	}
}

// outsideCode returns text with fenced code blocks and inline code blanked out, so that a
// shell comment is not read as a heading and a bracket in code not as a link.
func outsideCode(text string) string {
	var b strings.Builder
	fenced := false
	for _, line := range strings.SplitAfter(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			b.WriteString("\n")
			continue
		}
		if fenced {
			b.WriteString("\n")
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}

var headingLine = regexp.MustCompile(`(?m)^#{1,6} +(.+?) *#*$`)

// headingAnchors are the anchors GitHub gives a document's headings: lower case, punctuation
// other than '-' and '_' dropped, spaces turned to '-', and "-1", "-2" … on repeats.
func headingAnchors(text string) map[string]bool {
	anchors := map[string]bool{}
	seen := map[string]int{}
	for _, m := range headingLine.FindAllStringSubmatch(outsideCode(text), -1) {
		slug := githubSlug(m[1])
		if n := seen[slug]; n > 0 {
			anchors[slug+"-"+strconv.Itoa(n)] = true
		} else {
			anchors[slug] = true
		}
		seen[slug]++
	}
	return anchors
}

func githubSlug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestGithubSlug(t *testing.T) {
	for heading, want := range map[string]string{
		"Domain role (Identity Domains API)":          "domain-role-identity-domains-api",
		"`make demo` (excerpt)":                       "make-demo-excerpt",
		"Path A: fn CLI":                              "path-a-fn-cli",
		"Why these, and not less":                     "why-these-and-not-less",
		"Identity Domains rate limits, both families": "identity-domains-rate-limits-both-families",
	} {
		if got := githubSlug(heading); got != want {
			t.Errorf("githubSlug(%q) = %q, want %q", heading, got, want)
		}
	}
	got := headingAnchors("# A\n```sh\n# not a heading\n```\n## A\n")
	if !got["a"] || !got["a-1"] || got["not-a-heading"] {
		t.Errorf("headingAnchors = %v, want a and a-1 and no heading from the code block", got)
	}
}

// TestReadmeIsShort: README.md is for the operator; reference text belongs in docs/.
func TestReadmeIsShort(t *testing.T) {
	n := strings.Count(readRepoFile(t, "README.md"), "\n")
	if n > readmeMaxLines {
		t.Errorf("README.md has %d lines, more than %d: move reference text to docs/ and link to it", n, readmeMaxLines)
	}
}

// TestConfigKeysDocumented: every key the function reads (config.Keys) has its row in
// docs/configuration.md, with its default, and its line in the README's list.
func TestConfigKeysDocumented(t *testing.T) {
	full := readRepoFile(t, "docs/configuration.md")
	readme := readRepoFile(t, "README.md")
	for _, k := range config.Keys {
		row := regexp.MustCompile("(?m)^\\| `" + regexp.QuoteMeta(k.Name) + "` \\| ([^|]*) \\|").FindStringSubmatch(full)
		switch {
		case row == nil:
			t.Errorf("docs/configuration.md has no table row for %s", k.Name)
		case k.Default != "" && !strings.Contains(row[1], "`"+k.Default+"`"):
			t.Errorf("docs/configuration.md gives %s the default %q, want `%s`", k.Name, strings.TrimSpace(row[1]), k.Default)
		}
		if !strings.Contains(readme, "`"+k.Name+"`") {
			t.Errorf("README.md's configuration list lacks %s", k.Name)
		}
	}
}
