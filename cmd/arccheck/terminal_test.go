package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/mattn/go-runewidth"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// binary builds arccheck once for the tests that run it as users do.
func binary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "arccheck-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "arccheck")
		// As it is released (CGO_ENABLED=0, see .goreleaser.yaml): its threads do not take glibc's 8 MiB
		// stacks either, which an address-space limit (TestHostilePeersUnderAMemoryLimit) would count.
		cmd := exec.Command("go", "build", "-trimpath", "-o", builtBin, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = &exec.ExitError{Stderr: out}
		}
	})
	require.NoError(t, buildErr)
	return builtBin
}

// inTerminal runs the binary in a pseudo-terminal of the given width and returns all it wrote there.
func inTerminal(t *testing.T, cols int, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), "TERM=xterm")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: uint16(cols)})
	require.NoError(t, err)
	defer f.Close()
	var out bytes.Buffer
	_, _ = io.Copy(&out, f) // ends with EIO when the process exits
	_ = cmd.Wait()
	return out.String()
}

var escapes = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")

// screenLines splits terminal output into the lines the screen shows (a \r returns to the line's start).
func screenLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(escapes.ReplaceAllString(out, ""), "\n") {
		lines = append(lines, strings.Split(l, "\r")...)
	}
	return lines
}

// TestOutputFitsTheTerminal runs check (with warnings) and list in terminals of 80 and 120 columns:
// no line is wider than the terminal.
func TestOutputFitsTheTerminal(t *testing.T) {
	lab := testnet.NewLab(t, testnet.LabOptions{})
	ca := lab.CA.WritePEM(t)
	for _, cols := range []int{80, 120} {
		for _, args := range [][]string{
			{"check", "-l", "westeurope", "--ca-file", ca, "--resolve", "*:*:" + lab.IP, "--timeout", "3s"},
			{"list", "-l", "westeurope", "-e", "all"},
		} {
			out := inTerminal(t, cols, args...)
			require.Contains(t, out, "ENDPOINT", "%v", args)
			if args[0] == "check" {
				require.Regexp(t, `warn\s`, escapes.ReplaceAllString(out, ""), "a run with warnings (painted word by word)")
			}
			for _, l := range screenLines(out) {
				assert.LessOrEqual(t, runewidth.StringWidth(l), cols, "%d columns, %v: %q", cols, args, l)
			}
		}
	}
}

// TestProgressOnATerminalOnly: a run against a black-holed endpoint shows its progress line on a
// terminal's stderr while it waits; piped, nothing is on stderr. On the terminal the run's timeout is an
// hour and the run is stopped once the line is seen: the line came while the run waited, not at its end.
func TestProgressOnATerminalOnly(t *testing.T) {
	_, port, _ := net.SplitHostPort(testnet.BlackHole(t))
	args := []string{"check", "--catalog", "none", "--endpoint", "https://stuck.example:" + port,
		"--resolve", "stuck.example:*:127.0.0.1"}
	cmd := exec.Command(binary(t), append(args, "--timeout", "1h")...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 80})
	require.NoError(t, err)
	defer f.Close()
	watchdog := time.AfterFunc(testnet.HangGuard, func() { _ = cmd.Process.Kill() }) // a hang guard
	defer watchdog.Stop()
	seen := make(chan struct{})
	go func() {
		r := bufio.NewReader(f)
		var got strings.Builder
		for {
			b, err := r.ReadByte()
			if err != nil {
				return
			}
			got.WriteByte(b)
			if strings.Contains(got.String(), "checking: 0/1 done, waiting on https://stuck.example") {
				close(seen)
				_, _ = io.Copy(io.Discard, r)
				return
			}
		}
	}()
	testnet.Await(t, seen, "the progress line on the terminal")
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	_ = cmd.Wait()

	r := runCLI(t, nil, append(args, "--timeout", "2s")...)
	assert.Equal(t, exitUnreachable, r.code)
	assert.Empty(t, r.stderr, "piped: no progress")
}

// TestQuietHasNoProgressLine: with -q, the same run on a terminal shows its table but no progress line.
func TestQuietHasNoProgressLine(t *testing.T) {
	_, port, _ := net.SplitHostPort(testnet.BlackHole(t))
	cmd := exec.Command(binary(t), "check", "-q", "--catalog", "none", "--timeout", "1500ms", "--endpoint",
		"https://stuck.example:"+port, "--resolve", "stuck.example:*:127.0.0.1")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 80})
	require.NoError(t, err)
	defer f.Close()
	out, _ := io.ReadAll(f) // ends with EIO when the run exits
	_ = cmd.Wait()
	assert.Contains(t, string(out), "1 endpoint: 0 reachable, 1 unreachable", "the table is shown")
	assert.NotContains(t, string(out), "checking:", "-q: no progress line")
}

func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		r := runCLI(t, nil, "completion", shell)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, "arccheck", shell)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "check", "--cloud", ""}, "AzureUSGovernment"},
		{[]string{"__complete", "check", "--cloud", "usgov", "-l", ""}, "usgovvirginia"},
		{[]string{"__complete", "list", "-e", ""}, "keyvault"},
		{[]string{"__complete", "check", "--mode", ""}, "private-link"},
		{[]string{"__complete", "check", "-o", ""}, "junit"},
		{[]string{"__complete", "list", "-o", ""}, "plain"},
	} {
		r := runCLI(t, nil, tc.args...)
		assert.Contains(t, r.stdout, tc.want, "%v", tc.args)
	}
	r := runCLI(t, nil, "check", "--help")
	assert.Contains(t, r.stdout, "Examples:")
	assert.Contains(t, r.stdout, "-o junit --fail-on warning")
}
