//go:build windows

package agent

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"
)

// treeAgentEnv names testdata/treeagent built for windows: go test cannot build it where this test
// runs (under wine).
const treeAgentEnv = "ARCCHECK_TREEAGENT"

// running tells whether a process has not exited yet.
func running(pid int) bool {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return false
	}
	defer windows.CloseHandle(h)
	var code uint32
	return windows.GetExitCodeProcess(h, &code) == nil && code == 259 // STILL_ACTIVE
}

// TestJobKillsTheAgentsChildren: on windows the agent runs in a job object, so that a hanging agent's
// child dies with it at the timeout, and one left holding the output after an answer dies after it.
func TestJobKillsTheAgentsChildren(t *testing.T) {
	agent := os.Getenv(treeAgentEnv)
	if agent == "" {
		t.Skipf("set %s to testdata/treeagent built for windows (GOOS=windows go build -o treeagent.exe ./pkg/agent/testdata/treeagent) "+
			"and run this package's windows test binary under wine", treeAgentEnv)
	}
	for _, mode := range []string{"hang", "linger"} {
		// Not in t.TempDir(): wine fails to remove it (unlinkat: Invalid function).
		pidFile := filepath.Join(os.TempDir(), "arccheck-treeagent-"+strconv.Itoa(os.Getpid())+"-"+mode)
		t.Cleanup(func() { _ = os.Remove(pidFile) })
		// The lingering agent's timeout is an hour: answered at all, it was answered when it exited.
		timeout := map[string]time.Duration{"hang": 3 * time.Second, "linger": time.Hour}[mode]
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		var out []byte
		var err error
		done := make(chan struct{})
		go func() {
			defer close(done)
			out, err = runProcess(ctx, agent, mode, pidFile)
		}()
		select {
		case <-done:
		case <-time.After(2 * time.Minute):
			t.Fatalf("hung: %s: runProcess did not return", mode)
		}
		cancel()
		if mode == "hang" {
			assert.ErrorIs(t, err, ErrNoAnswer)
		} else {
			require.NoError(t, err)
			assert.Equal(t, "{\"location\":\"westeurope\"}\n", string(out))
		}
		b, err := os.ReadFile(pidFile)
		require.NoError(t, err)
		pid, err := strconv.Atoi(string(b))
		require.NoError(t, err)
		assert.Eventually(t, func() bool { return !running(pid) }, 2*time.Minute, 10*time.Millisecond, "%s: the child %d still runs", mode, pid)
	}
}
