package fnagent

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// PeakRSS returns the process's peak resident set size in bytes (VmHWM,
// Linux only). It fails once the process has exited.
func (a *Agent) PeakRSS() (int64, error) {
	if a.cmd == nil || a.cmd.Process == nil {
		return 0, fmt.Errorf("fnagent: function not started")
	}
	select {
	case <-a.exited:
		// The pid may already belong to another process.
		return 0, fmt.Errorf("fnagent: peak RSS: function has exited")
	default:
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", a.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("fnagent: peak RSS: %w", err)
	}
	return parseVmHWM(status)
}

func parseVmHWM(status []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("fnagent: unexpected VmHWM line %q", sc.Text())
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("fnagent: VmHWM: %w", err)
		}
		return kb * 1024, nil
	}
	return 0, fmt.Errorf("fnagent: no VmHWM in /proc status (zombie or non-Linux?)")
}
