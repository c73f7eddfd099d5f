package version

import (
	"runtime/debug"
	"testing"
)

func TestBuildInfoFirstStampedArgumentsOnlyWhereItHasNone(t *testing.T) {
	vcs := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v0.2.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "1a2b3c4d5e6f7a8b9c0d"}, {Key: "vcs.time", Value: "2026-12-03T07:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	noVCS := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}}
	for name, tc := range map[string]struct {
		bi                *debug.BuildInfo
		version, revision string
		want              Info
		wantString        string
	}{
		"checkout build": {vcs, "", "", Info{Version: "v0.2.0", Revision: "1a2b3c4d5e6f7a8b9c0d", Time: "2026-12-03T07:00:00Z", Modified: true, Go: "go1.26.0"},
			"v0.2.0 (rev 1a2b3c4d5e6f, modified)"},
		"build info wins over build arguments": {vcs, "v9", "ffff", Info{Version: "v0.2.0", Revision: "1a2b3c4d5e6f7a8b9c0d", Time: "2026-12-03T07:00:00Z", Modified: true, Go: "go1.26.0"},
			"v0.2.0 (rev 1a2b3c4d5e6f, modified)"},
		"container build with build arguments": {noVCS, " v0.2.0 ", "abc123", Info{Version: "v0.2.0", Revision: "abc123", Go: "go1.26.0"}, "v0.2.0 (rev abc123)"},
		"container build without":              {noVCS, "", "", Info{Version: "(devel)", Go: "go1.26.0"}, "(devel) (revision unknown)"},
		"no build info":                        {nil, "", "", Info{Version: "(devel)"}, "(devel) (revision unknown)"},
	} {
		got := fromBuildInfo(tc.bi, tc.version, tc.revision)
		if got != tc.want {
			t.Errorf("%s: %+v, want %+v", name, got, tc.want)
		}
		if s := got.String(); s != tc.wantString {
			t.Errorf("%s: String %q, want %q", name, s, tc.wantString)
		}
	}
}
