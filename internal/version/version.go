// Package version says which build of the function is running, for every report, log summary
// and notification: an operator reading a report must be able to tell which code wrote it.
//
// The facts come from runtime/debug.ReadBuildInfo: the main module's version (Go stamps it
// from the VCS tag, or a pseudo-version, when building in a checkout; "(devel)" otherwise) and
// the VCS settings (vcs.revision, vcs.time, vcs.modified). A container build has no .git in its
// context (.dockerignore keeps it out: it is large and may hold credentials in remote URLs), so
// Go cannot stamp it there; the Dockerfile's VERSION and VCS_REVISION build arguments are then
// linked in with -X instead (docs/deploy.md, "Build the image"). Build info wins where it has the fact.
package version

import (
	"runtime/debug"
	"strings"
	"sync"
)

// Set with -ldflags "-X ..." by the Dockerfile (build arguments VERSION and VCS_REVISION);
// empty otherwise.
var (
	stampedVersion  string
	stampedRevision string
)

// Info identifies the running build.
type Info struct {
	// Version is the module version ("v0.2.0", a pseudo-version, or "(devel)").
	Version string `json:"version"`
	// Revision is the VCS commit the binary was built from; empty when unknown.
	Revision string `json:"revision,omitempty"`
	// Time is the commit's time (RFC 3339), when Go stamped it.
	Time string `json:"time,omitempty"`
	// Modified says the working tree had uncommitted changes.
	Modified bool `json:"modified,omitempty"`
	// Go is the toolchain that built the binary.
	Go string `json:"go,omitempty"`
}

// Current is the running build's Info, read once.
var Current = sync.OnceValue(func() Info {
	bi, _ := debug.ReadBuildInfo()
	return fromBuildInfo(bi, stampedVersion, stampedRevision)
})

// unknownVersion is what Go reports for a main module built outside a VCS checkout.
const unknownVersion = "(devel)"

// fromBuildInfo combines the build info with the stamped build arguments: the build info's
// facts first, the stamped ones only where the build info has none.
func fromBuildInfo(bi *debug.BuildInfo, version, revision string) Info {
	info := Info{Version: unknownVersion}
	if bi != nil {
		info.Go = bi.GoVersion
		if v := bi.Main.Version; v != "" {
			info.Version = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.Revision = s.Value
			case "vcs.time":
				info.Time = s.Value
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
	}
	if v := strings.TrimSpace(version); v != "" && info.Version == unknownVersion {
		info.Version = v
	}
	if r := strings.TrimSpace(revision); r != "" && info.Revision == "" {
		info.Revision = r
	}
	return info
}

// String is the build in one line: "v0.2.0 (rev 1a2b3c4d5e6f, modified)".
func (i Info) String() string {
	s := i.Version
	switch {
	case i.Revision == "":
		return s + " (revision unknown)"
	case len(i.Revision) > 12:
		s += " (rev " + i.Revision[:12]
	default:
		s += " (rev " + i.Revision
	}
	if i.Modified {
		s += ", modified"
	}
	return s + ")"
}
