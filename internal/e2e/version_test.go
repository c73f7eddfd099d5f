package e2e

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/emutest"
)

// Every report, log summary and notification says which build wrote it: what Go recorded in
// the binary's build info (`go version -m` reads the same record from outside), the module
// version and, when Go stamped it (a build in a git clone; not in a git worktree, and not with
// -buildvcs=false), the commit.
func TestReportLogAndNotificationNameTheBuild(t *testing.T) {
	tn := decoyTenancy(20)
	emu := emutest.New(t, tn, ociemu.Options{})
	f := start(t, emu, map[string]string{"NOTIFICATION_TOPIC_ID": tn.Topics[0].ID})
	rep := invoke(t, f, "")
	out, err := exec.Command("go", "version", "-m", binary).Output()
	if err != nil {
		t.Fatal(err)
	}
	var wantVersion, wantRevision string
	for _, line := range strings.Split(string(out), "\n") {
		switch fields := strings.Fields(line); {
		case len(fields) >= 3 && fields[0] == "mod":
			wantVersion = fields[2]
		case len(fields) == 2 && strings.HasPrefix(fields[1], "vcs.revision="):
			wantRevision = strings.TrimPrefix(fields[1], "vcs.revision=")
		}
	}
	if wantVersion == "" || rep.Version.Version != wantVersion || rep.Version.Revision != wantRevision {
		t.Errorf("report version %+v, the binary's build info says version %q revision %q", rep.Version, wantVersion, wantRevision)
	}
	var summary struct {
		Version struct{ Version, Revision string }
	}
	if err := json.Unmarshal([]byte(summaryLine(t, f)), &summary); err != nil {
		t.Fatal(err)
	}
	if summary.Version.Version != rep.Version.Version || summary.Version.Revision != rep.Version.Revision {
		t.Errorf("log summary version %+v, report %+v", summary.Version, rep.Version)
	}
	msgs := emu.Published()
	if len(msgs) != 1 || !strings.Contains(msgs[0].Body, "Version: "+rep.Version.String()) {
		t.Errorf("the notification does not name the build %q: %+v", rep.Version.String(), msgs)
	}
}
