//go:build unix

package agent

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests run real processes: fake azcmagent scripts in t.TempDir(), as hostile as an agent can be.
// Windows has no shell scripts: the windows binary reads a Go fake agent under wine
// (cmd/arccheck/crossrun_test.go).

// hangGuard is how long a test waits for what must happen (a process to start or die, a read to
// return) before it fails as hung: far above what it takes on a loaded machine, so that it decides
// nothing but a hang (as internal/testnet's HangGuard: that package builds on Linux only, and these
// tests run on macOS too).
// The bounds these tests check are structural: which cause ended a command, not how long it took.
const hangGuard = 2 * time.Minute

// fakeAgent writes an azcmagent shell script with body and returns its path. The script's directory is
// in $dir, for files it writes (pids).
func fakeAgent(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "azcmagent")
	require.NoError(t, os.WriteFile(path, []byte("#!/bin/sh\ndir="+strconv.Quote(dir)+"\n"+body), 0o755))
	t.Cleanup(func() { // even when the test failed, no process it started is left behind
		b, _ := os.ReadFile(filepath.Join(dir, "pids"))
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil && pid > 0 && alive(pid) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	return path
}

// pidsOf reads the pids the fake agent and its children wrote into $dir/pids, waiting (briefly) for at
// least n of them: the agent writes them as it starts.
func pidsOf(t *testing.T, agent string, n int) []int {
	t.Helper()
	var pids []int
	require.Eventually(t, func() bool {
		b, _ := os.ReadFile(filepath.Join(filepath.Dir(agent), "pids"))
		pids = pids[:0]
		for _, f := range strings.Fields(string(b)) {
			pid, err := strconv.Atoi(f)
			require.NoError(t, err)
			pids = append(pids, pid)
		}
		return len(pids) >= n
	}, hangGuard, 5*time.Millisecond, "the fake agent did not start")
	return pids
}

// alive tells whether a process runs: a zombie (killed, not yet reaped by init) does not.
func alive(pid int) bool {
	if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil {
		_, rest, _ := strings.Cut(string(b), ") ")
		return !strings.HasPrefix(rest, "Z") && !strings.HasPrefix(rest, "X")
	} else if _, statErr := os.Stat("/proc/self"); statErr == nil {
		return false
	}
	return syscall.Kill(pid, 0) == nil
}

// assertDead asserts that every pid ends soon: killing is immediate, dying takes the scheduler a moment.
func assertDead(t *testing.T, pids []int) {
	t.Helper()
	for _, pid := range pids {
		assert.Eventually(t, func() bool { return !alive(pid) }, hangGuard, 10*time.Millisecond, "pid %d still runs", pid)
	}
}

// returns runs f and fails the test as hung if it has not returned within hangGuard.
func returns(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(hangGuard):
		t.Fatalf("hung: %s did not return within %v", what, hangGuard)
	}
}

// answers is a fake agent's case statement answering each command as the documented agent does.
const answers = `case "$*" in
"show -j") echo '{"status":"Connected","agentVersion":"1.61","location":"westeurope","cloud":"AzureCloud"}' ;;
"config get proxy.url") echo 'http://proxy.corp:3128' ;;
"config get proxy.bypass") echo '[Arc]' ;;
"extension list") echo 'AzureMonitorLinuxAgent Succeeded' ;;
esac
`

// TestFloodingAgentIsStoppedAtTheCap: an agent that writes 200 MB is stopped at MaxOutput, at once,
// never buffered beyond it, and none of what it wrote is parsed; the same on stderr at MaxStderr. That
// the cap stopped it, not the 30 s timeout, is the problem's type: an OutputLimitError is the cause
// only when the cap was reached first (a timeout would be ErrNoAnswer).
func TestFloodingAgentIsStoppedAtTheCap(t *testing.T) {
	for _, c := range []struct {
		flood, stream, words string
	}{
		{"exec head -c 200000000 /dev/zero", "stdout", "wrote more than 1 MiB on stdout: not the agent's answer"},
		{"exec yes", "stdout", "wrote more than 1 MiB on stdout: not the agent's answer"},
		{"exec yes >&2", "stderr", "wrote more than 64 KiB on stderr: not the agent's answer"},
	} {
		agent := fakeAgent(t, c.flood+"\n")
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		s, problems := Read(context.Background(), agent, Options{GOOS: "linux", Timeout: 30 * time.Second})
		runtime.ReadMemStats(&after)

		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(32<<20), "%s: never buffered beyond the cap", c.flood)
		require.Len(t, problems, 4, c.flood)
		for _, p := range problems {
			var limit *OutputLimitError
			require.ErrorAs(t, p, &limit, c.flood)
			assert.Equal(t, c.stream, limit.Stream)
			assert.Equal(t, p.Command+": "+c.words, p.Error())
		}
		assert.Equal(t, Settings{Path: agent, OS: "linux"}, s, "nothing of it is used")
	}
}

// TestAnswerOfExactlyTheCap: MaxOutput bytes are an answer; one more is not.
func TestAnswerOfExactlyTheCap(t *testing.T) {
	show := `{"location":"westeurope"}`
	for _, extra := range []int{0, 1} {
		pad := filepath.Join(t.TempDir(), "show.json")
		require.NoError(t, os.WriteFile(pad, []byte(show+strings.Repeat(" ", MaxOutput-len(show)+extra)), 0o644))
		agent := fakeAgent(t, "cat "+strconv.Quote(pad)+"\n")
		out, err := runProcess(context.Background(), agent, "show", "-j")
		if extra == 0 {
			require.NoError(t, err)
			var s Settings
			require.NoError(t, parseShow(&s, out))
			assert.Equal(t, "westeurope", s.Location)
			continue
		}
		var limit *OutputLimitError
		assert.ErrorAs(t, err, &limit)
		assert.True(t, out == nil, "nothing of it is used")
	}
}

// TestHangingAgentAndItsChildrenAreKilled: an agent that hangs with children holding its output
// answers "no answer within" its timeout (ErrNoAnswer: its timeout, no other cause, ended it), and
// neither it nor its children outlive the read.
func TestHangingAgentAndItsChildrenAreKilled(t *testing.T) {
	agent := fakeAgent(t, `echo $$ >> "$dir/pids"
sleep 1000 & echo $! >> "$dir/pids"
sleep 1000 & echo $! >> "$dir/pids"
wait
`)
	const timeout = 500 * time.Millisecond
	var problems []Problem
	returns(t, "reading the agent", func() {
		_, problems = Read(context.Background(), agent, Options{GOOS: "linux", Timeout: timeout})
	})
	require.Len(t, problems, 4)
	for _, p := range problems {
		assert.ErrorIs(t, p, ErrNoAnswer)
		assert.Equal(t, p.Command+": no answer within 500ms", p.Error())
	}
	assertDead(t, pidsOf(t, agent, 12))
}

// TestAnswerKeptWhenAChildHoldsTheOutput: an agent that answers, leaves a helper holding its stdout
// and exits 0 is answered when it exits (within waitDelay), not at the timeout, and the helper is
// killed. The timeout is an hour: answered at all, it was answered at the agent's exit.
func TestAnswerKeptWhenAChildHoldsTheOutput(t *testing.T) {
	agent := fakeAgent(t, answers+`sleep 1000 &
echo $! >> "$dir/pids"
exit 0
`)
	var s Settings
	var problems []Problem
	returns(t, "reading the agent", func() {
		s, problems = Read(context.Background(), agent, Options{GOOS: "linux", Timeout: time.Hour})
	})
	require.Empty(t, problems)
	assert.Equal(t, "westeurope", s.Location)
	assert.Equal(t, "http://proxy.corp:3128", s.ProxyURL)
	assert.Equal(t, []string{"Arc"}, s.ProxyBypass)
	assert.Equal(t, []string{"ama"}, s.Extensions)
	assert.True(t, s.ProxyKnown)
	assertDead(t, pidsOf(t, agent, 4))
}

// TestInterruptStopsTheAgentAtOnce: Ctrl-C (the caller's context canceled) while the agent hangs
// returns at once, with a canceled error, and kills the agent and its children. The timeout is an hour:
// returned at all, and canceled, Read returned on the interrupt.
func TestInterruptStopsTheAgentAtOnce(t *testing.T) {
	agent := fakeAgent(t, `echo $$ >> "$dir/pids"
sleep 1000 & echo $! >> "$dir/pids"
wait
`)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan []Problem, 1)
	go func() {
		_, problems := Read(ctx, agent, Options{GOOS: "linux", Timeout: time.Hour})
		done <- problems
	}()
	pids := pidsOf(t, agent, 8) // every command started, with its child
	cancel()
	var problems []Problem
	select {
	case problems = <-done:
	case <-time.After(hangGuard):
		t.Fatal("hung: Read did not return after the context was canceled")
	}
	require.Len(t, problems, 4)
	for _, p := range problems {
		assert.ErrorIs(t, p, context.Canceled)
		assert.Equal(t, p.Command+": interrupted: context canceled", p.Error())
	}
	assertDead(t, pids)
}

// TestFailingAgentSaysWhy: a failing agent's last line on stderr is quoted, escaped, cut, and without
// the password of a URL in it.
// TestLastWordsHideEveryPassword: user information runs to the last '@' of a word, as URL parsers read it;
// a password with '@', '/' or ':' and one without a scheme are hidden whole.
func TestLastWordsHideEveryPassword(t *testing.T) {
	for in, want := range map[string]string{
		"via http://arc:S3cr3t@Pw@proxy.corp:3128 failed": "via http://***@proxy.corp:3128 failed",
		"via http://arc:S3cr3t/Pw@proxy.corp:3128 failed": "via http://***@proxy.corp:3128 failed",
		"via arc:S3cr3tPw@proxy:3128 failed":              "via ***@proxy:3128 failed",
		"via 'https://u:p@ss@h:1' failed":                 "via ***@h:1' failed",
	} {
		got := lastWords([]byte(in))
		assert.Equal(t, want, got)
		assert.NotContains(t, got, "S3cr3t")
	}
}

func TestFailingAgentSaysWhy(t *testing.T) {
	agent := fakeAgent(t, `echo 'starting' >&2
printf 'cannot reach http://alice:s3cret@proxy.corp:3128 \033[2J\342\200\256 %0300d\n' 0 >&2
exit 3
`)
	_, err := runProcess(context.Background(), agent, "show", "-j")
	require.Error(t, err)
	var exit interface{ ExitCode() int }
	require.True(t, errors.As(err, &exit))
	assert.Equal(t, 3, exit.ExitCode())
	msg := err.Error()
	assert.True(t, strings.HasPrefix(msg, `exit status 3 (stderr: cannot reach http://***@proxy.corp:3128 \x1b[2J\u202e 000`), msg)
	assert.NotContains(t, msg, "s3cret")
	assert.NotContains(t, msg, "starting", "the last line only")
	assert.True(t, strings.HasSuffix(msg, "…)"), "cut: %s", msg)
	assert.LessOrEqual(t, len(lastWords([]byte(msg))), MaxQuote)
}
