package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// brokenPipe is the error of a write to a pipe whose reader has gone, as os.Stdout returns it.
var brokenPipe = &fs.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.EPIPE}

// failingWriter accepts ok bytes, then fails every write with err.
type failingWriter struct {
	ok     int
	err    error
	writes int
}

func (f *failingWriter) Write(p []byte) (int, error) {
	f.writes++
	if len(p) <= f.ok {
		f.ok -= len(p)
		return len(p), nil
	}
	n := f.ok
	f.ok = 0
	return n, f.err
}

func TestStdoutWriterKeepsTheFirstError(t *testing.T) {
	fw := &failingWriter{ok: 4, err: brokenPipe}
	w := &stdoutWriter{w: fw}
	n, err := w.Write([]byte("abc"))
	assert.Equal(t, 3, n)
	require.NoError(t, err)
	_, err = w.Write([]byte("defg"))
	assert.ErrorIs(t, err, syscall.EPIPE)
	_, err = w.Write([]byte("h"))
	assert.ErrorIs(t, err, syscall.EPIPE)
	assert.Equal(t, 2, fw.writes, "nothing is written after a failure")
	assert.Same(t, brokenPipe, w.failed())

	short := &stdoutWriter{w: writerFunc(func(p []byte) (int, error) { return len(p) - 1, nil })}
	_, err = short.Write([]byte("ab"))
	assert.ErrorIs(t, err, io.ErrShortWrite)
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestWithStdoutFailure: a failed write is exit 3 unless the command said something more specific.
func TestWithStdoutFailure(t *testing.T) {
	failed := &stdoutWriter{err: brokenPipe}
	for _, tc := range []struct {
		name string
		err  error
		code int
	}{
		{"success", nil, exitWriteFailed},
		{"a verdict nobody read", &exitError{code: exitUnreachable}, exitWriteFailed},
		{"the write error, untyped", brokenPipe, exitWriteFailed},
		{"the command's own word on the write", writeFailed(brokenPipe), exitWriteFailed},
		{"bad input", badInput("-o: no"), exitBadInput},
		{"a runtime error", errors.New("broke"), exitRuntime},
	} {
		code, msg := exitCode(orOK(withStdoutFailure(tc.err, failed)))
		assert.Equal(t, tc.code, code, tc.name)
		if tc.err == nil {
			assert.Equal(t, "writing to stdout: broken pipe", msg)
		}
	}
	assert.NoError(t, withStdoutFailure(nil, &stdoutWriter{}))
}

func orOK(err error) error {
	if err == nil {
		return &exitError{code: exitOK}
	}
	return err
}

// TestEveryCommandSaysItsStdoutFailed runs each command in-process with a stdout that fails at the
// first write, or after some bytes: exit 3 and one line naming stdout, even where the writer (cobra's
// help, --version, completion) ignores the error or returns it untyped.
func TestEveryCommandSaysItsStdoutFailed(t *testing.T) {
	reports := fleetReports(t)
	for _, args := range stdoutCommands(reports) {
		for _, ok := range []int{0, 10} {
			var stderr bytes.Buffer
			e := env{Stdout: &failingWriter{ok: ok, err: brokenPipe}, Stderr: &stderr, Context: context.Background(),
				Getenv: func(string) string { return "" }, Hostname: func() (string, error) { return "h", nil }}
			code := Execute("test", args, e)
			assert.Equal(t, exitWriteFailed, code, "%v after %d bytes: %s", args, ok, stderr.String())
			assert.Regexp(t, `^arccheck: writing (to stdout|the report: write /dev/stdout): broken pipe\n$`, stderr.String(), "%v", args)
		}
	}
}

// stdoutCommands are the command lines whose output goes to stdout, one of each command.
func stdoutCommands(reports string) [][]string {
	return [][]string{
		{"list", "-l", "westeurope"},
		{"list", "-o", "json"},
		{"check", "--catalog", "none", "--endpoint", "https://127.0.0.1:1", "--timeout", "2s"},
		{"merge", reports},
		{"merge", reports, "-o", "json"},
		{"catalog", "export"},
		{"catalog", "diff", docsFixture},
		{"completion", "bash"},
		{"completion", "zsh"},
		{"completion", "fish"},
		{"completion", "powershell"},
		{"--version"},
		{"version"},
		{"--help"},
		{"help"},
		{"help", "check"},
		{"list", "--help"},
		{"catalog", "--help"},
	}
}

// TestClosedOrBrokenStdoutOnTheBinary runs the built binary with stdout closed (`>&-`), a pipe whose
// reader is gone, and /dev/full: exit 3 and one line on stderr naming stdout, where Go alone would exit
// 0 (a closed stdout is /dev/null to the runtime) or die of SIGPIPE (141) without a word.
func TestClosedOrBrokenStdoutOnTheBinary(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh and /dev/full")
	}
	bin := binary(t)
	reports := fleetReports(t)
	for _, args := range stdoutCommands(reports) {
		code, stderr := runBinary(t, bin, nil, "exec \"$0\" \"$@\" >&-", args...)
		assert.Equal(t, exitWriteFailed, code, "%v >&-: %s", args, stderr)
		assert.Regexp(t, `^arccheck: writing (to stdout|the report): stdout is closed\n$`, stderr, "%v >&-", args)

		r, w, err := os.Pipe()
		require.NoError(t, err)
		require.NoError(t, r.Close())
		code, stderr = runBinary(t, bin, w, "", args...)
		assert.Equal(t, exitWriteFailed, code, "%v | (closed): %s", args, stderr)
		assert.Regexp(t, `^arccheck: writing (to stdout|the report: write /dev/stdout): broken pipe\n$`, stderr, "%v | (closed)", args)

		code, stderr = runBinary(t, bin, nil, "exec \"$0\" \"$@\" >/dev/full", args...)
		assert.Equal(t, exitWriteFailed, code, "%v >/dev/full: %s", args, stderr)
		assert.Regexp(t, `^arccheck: writing (to stdout|the report: write /dev/stdout): no space left on device\n$`, stderr, "%v >/dev/full", args)
	}

	// A reader that takes one byte and goes, as `| head -c1` does, with more output than a pipe holds.
	r, w, err := os.Pipe()
	require.NoError(t, err)
	cmd := exec.Command(bin, "catalog", "export")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = w, &stderr
	require.NoError(t, cmd.Start())
	require.NoError(t, w.Close())
	_, err = io.ReadFull(r, make([]byte, 1))
	require.NoError(t, err)
	require.NoError(t, r.Close())
	assert.Equal(t, exitWriteFailed, exitOf(t, cmd.Wait()), stderr.String())
	assert.Equal(t, "arccheck: writing the report: write /dev/stdout: broken pipe\n", stderr.String())
}

// TestDiscardedStdoutIsNoFailure: output sent to /dev/null on purpose is written, as a shell's `>
// /dev/null` does it, and as a daemon's stdio is set (/dev/null read-write on stdout and stderr).
func TestDiscardedStdoutIsNoFailure(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh")
	}
	bin := binary(t)
	for _, redirect := range []string{">/dev/null", "1<>/dev/null 2<>/dev/null"} {
		code, stderr := runBinary(t, bin, nil, "exec \"$0\" \"$@\" "+redirect, "list")
		assert.Equal(t, exitOK, code, "%s: %s", redirect, stderr)
	}
}

// runBinary runs bin with args, through sh when script is given ("$0" is bin), with stdout to out
// (/dev/null, write-only, when nil), and returns its exit code and stderr.
func runBinary(t *testing.T, bin string, out *os.File, script string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	if script != "" {
		cmd = exec.Command("sh", append([]string{"-c", script, bin}, args...)...)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if out != nil {
		cmd.Stdout = out
	}
	require.NoError(t, cmd.Start())
	if out != nil {
		require.NoError(t, out.Close())
	}
	return exitOf(t, cmd.Wait()), stderr.String()
}

// exitOf is the exit code of a finished process; a death by signal fails the test.
func exitOf(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	require.True(t, errors.As(err, &ee), "%v", err)
	require.True(t, ee.Exited(), "killed by a signal: %v", err)
	return ee.ExitCode()
}

// hostile is text a peer may send to a terminal: clear the screen, ring the bell, reverse the line.
const hostile = "\x1b[2J\a\u202e"

// TestVerboseEscapesPeerText: -v prints each result with its diagnosis, which quotes the certificate's
// names: a CA named with escape sequences is shown escaped, never as it came.
func TestVerboseEscapesPeerText(t *testing.T) {
	ca := testnet.NewCA(t, "Evil"+hostile+"Root", "Evil"+hostile+"Org")
	srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.ValidLeaf(t, "evil.example")})
	_, port, _ := net.SplitHostPort(srv.Addr)
	r := runCLI(t, nil, "check", "-v", "--catalog", "none", "--endpoint", "https://evil.example:"+port,
		"--resolve", "evil.example:*:127.0.0.1", "--timeout", "5s")
	assert.Equal(t, exitUnreachable, r.code, r.stderr)
	assert.Contains(t, r.stderr, `Evil\x1b[2J\x07\u202eRoot`, "the CA's name is in the -v line, escaped")
	assertNoControls(t, r.stderr)
}

// TestStderrIsEscaped: whatever a command writes to stderr (a file name in an error) is escaped, line
// by line; the progress line's own control sequences still reach the terminal.
func TestStderrIsEscaped(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "srv"+hostile+".json")
	require.NoError(t, os.WriteFile(name, []byte(`{"schema":`), 0o644))
	r := runCLI(t, nil, "merge", dir)
	assert.Equal(t, exitBadInput, r.code)
	assert.Contains(t, r.stderr, `srv\x1b[2J\x07\u202e.json: not an arccheck check report`)
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"))
	assertNoControls(t, r.stderr)

	var buf bytes.Buffer
	p := startProgress(stderrWriter{w: &buf}, 200)
	p.end() // no redraw runs beside the one below
	p.queued("https://evil.example/" + hostile)
	p.draw()
	assert.True(t, strings.HasPrefix(buf.String(), "\r\x1b[K"), "%q", buf.String())
	assert.Contains(t, buf.String(), `waiting on https://evil.example/\x1b[2J\x07\u202e`)
	assertNoControls(t, strings.ReplaceAll(buf.String(), "\r\x1b[K", ""))
}

func assertNoControls(t *testing.T, s string) {
	t.Helper()
	for _, c := range []string{"\x1b", "\a", "\u202e", "\r"} {
		assert.NotContains(t, s, c, "raw %q on stderr: %q", c, s)
	}
}

// TestMergeStopsOnSignalsOnTheBinary: a merge reading a named pipe whose writer says nothing stops at
// once on Ctrl-C, SIGTERM and SIGHUP, with one line and 128 plus the signal's number.
func TestMergeStopsOnSignalsOnTheBinary(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("named pipes and signals are Unix's")
	}
	bin := binary(t)
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
		says string
	}{
		{syscall.SIGINT, 130, "arccheck: interrupted (Ctrl-C): nothing was merged\n"},
		{syscall.SIGTERM, 143, "arccheck: interrupted by SIGTERM: nothing was merged\n"},
		{syscall.SIGHUP, 129, "arccheck: interrupted by SIGHUP: nothing was merged\n"},
	} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			fifo := filepath.Join(t.TempDir(), "report.json")
			require.NoError(t, syscall.Mkfifo(fifo, 0o600))
			cmd := exec.Command(bin, "merge", fifo)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			require.NoError(t, cmd.Start())
			// Opening the pipe's writing end returns once merge has opened it to read: merge is blocked
			// in the read then, its signal handlers long installed.
			opened := make(chan *os.File, 1)
			go func() {
				w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
				if err == nil {
					opened <- w
				}
			}()
			// A hang guard: merge would wait on the pipe for ever; returned at all, it stopped on the signal.
			watchdog := time.AfterFunc(testnet.HangGuard, func() { _ = cmd.Process.Kill() })
			defer watchdog.Stop()
			w := testnet.Await(t, opened, "merge opening the named pipe")
			defer w.Close()
			require.NoError(t, cmd.Process.Signal(tc.sig))
			code := exitOf(t, cmd.Wait())
			assert.Equal(t, tc.code, code)
			assert.Equal(t, tc.says, stderr.String())
			assert.Empty(t, stdout.String())
		})
	}
}
