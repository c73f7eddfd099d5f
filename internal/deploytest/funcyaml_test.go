package deploytest

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// funcYAML is func.yaml: flat scalars plus one level of maps (config:).
// A tiny parser, because no YAML library is in the module graph and this
// file only needs that much; anything it does not understand fails the test.
type funcYAML struct {
	scalars map[string]string
	maps    map[string]map[string]string
}

func parseFuncYAML(t *testing.T, text string) funcYAML {
	t.Helper()
	f := funcYAML{scalars: map[string]string{}, maps: map[string]map[string]string{}}
	var current string // top-level key whose map is being filled
	for n, raw := range strings.Split(text, "\n") {
		line := stripYAMLComment(raw)
		if strings.TrimSpace(line) == "" {
			continue
		}
		indented := strings.HasPrefix(line, "  ")
		key, value, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || strings.ContainsAny(key, " \t") {
			t.Fatalf("func.yaml line %d: not a 'key: value' line: %q", n+1, raw)
		}
		value = unquoteYAML(t, strings.TrimSpace(value))
		switch {
		case indented && current == "":
			t.Fatalf("func.yaml line %d: indented line outside a map: %q", n+1, raw)
		case indented:
			if _, dup := f.maps[current][key]; dup {
				t.Fatalf("func.yaml: duplicate key %s.%s", current, key)
			}
			f.maps[current][key] = value
		case value == "":
			current = key
			f.maps[key] = map[string]string{}
		default:
			current = ""
			if _, dup := f.scalars[key]; dup {
				t.Fatalf("func.yaml: duplicate key %s", key)
			}
			f.scalars[key] = value
		}
	}
	return f
}

func stripYAMLComment(line string) string {
	inQuote := false
	for i, r := range line {
		switch {
		case r == '"':
			inQuote = !inQuote
		case r == '#' && !inQuote && (i == 0 || line[i-1] == ' '):
			return line[:i]
		}
	}
	return line
}

func unquoteYAML(t *testing.T, v string) string {
	t.Helper()
	if strings.HasPrefix(v, `"`) {
		u, err := strconv.Unquote(v)
		if err != nil {
			t.Fatalf("func.yaml: bad quoted value %s: %v", v, err)
		}
		return u
	}
	return v
}

func TestFuncYAML(t *testing.T) {
	f := parseFuncYAML(t, readRepoFile(t, "func.yaml"))

	want := map[string]string{
		"schema_version": "20180708",
		"name":           "admin-apikey-guard",
		"runtime":        "docker", // builds the repository's Dockerfile
	}
	for k, v := range want {
		if f.scalars[k] != v {
			t.Errorf("func.yaml %s = %q, want %q", k, f.scalars[k], v)
		}
	}
	if f.scalars["version"] == "" {
		t.Error("func.yaml has no version")
	}

	// OCI Functions accepts these memory sizes and at most 300 s
	// ("Changing Default Memory and Timeout Settings", OCI Functions docs).
	mem, err := strconv.Atoi(f.scalars["memory"])
	if err != nil || !slices.Contains([]int{128, 256, 512, 1024, 2048, 3072}, mem) {
		t.Errorf("func.yaml memory = %q, want one of 128, 256, 512, 1024, 2048, 3072", f.scalars["memory"])
	}
	timeout, err := strconv.Atoi(f.scalars["timeout"])
	if err != nil || timeout < 1 || timeout > 300 {
		t.Errorf("func.yaml timeout = %q, want 1..300", f.scalars["timeout"])
	}

	config, ok := f.maps["config"]
	if !ok {
		t.Fatal("func.yaml has no config map")
	}
	var got []string
	for k := range config {
		got = append(got, k)
	}
	sort.Strings(got)
	wantKeys := slices.Clone(functionConfigKeys)
	sort.Strings(wantKeys)
	if !slices.Equal(got, wantKeys) {
		t.Errorf("func.yaml config keys = %q, want %q", got, wantKeys)
	}
	// The first deployment must not delete anything before someone has read a report.
	if config["DRY_RUN"] != "true" {
		t.Errorf("func.yaml DRY_RUN = %q, want \"true\" for the first deployment", config["DRY_RUN"])
	}
	if config["ADMIN_GROUPS"] != "Administrators" {
		t.Errorf("func.yaml ADMIN_GROUPS = %q, want the default Administrators", config["ADMIN_GROUPS"])
	}
	for _, k := range []string{"DISABLE_API_KEY_CAPABILITY", "INCLUDE_POLICY_ADMINS", "INCLUDE_ESCALATION_ADMINS"} {
		if config[k] != "false" {
			t.Errorf("func.yaml %s = %q, want \"false\"", k, config[k])
		}
	}
}

func TestFuncYAMLParser(t *testing.T) {
	f := parseFuncYAML(t, "a: 1 # c\nm:\n  K: \"x # y\"\n  E: \"\"\nb: two\n")
	if f.scalars["a"] != "1" || f.scalars["b"] != "two" || f.maps["m"]["K"] != "x # y" || f.maps["m"]["E"] != "" {
		t.Errorf("parsed %+v", f)
	}
}
