package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/report"
)

// TestWatchBadInput: a --watch interval that is empty, no duration, zero, negative or under a second,
// and --until-reachable without --watch, are bad input: exit 2, one line naming the flag and what is
// valid, nothing on stdout and no traffic.
func TestWatchBadInput(t *testing.T) {
	one := []string{"check", "--catalog", "none", "--endpoint", "https://127.0.0.1:1"}
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"--watch", ""}, "--watch: an empty value is not valid"},
		{[]string{"--watch", "soon"}, `--watch: "soon" is not a duration (want 1s or more, e.g. 30s or 5m)`},
		{[]string{"--watch", "30"}, `--watch: "30" is not a duration`},
		{[]string{"--watch", "0"}, "--watch: must be 1s or more, got 0s (e.g. 30s)"},
		{[]string{"--watch", "0s"}, "--watch: must be 1s or more, got 0s"},
		{[]string{"--watch", "-30s"}, "--watch: must be 1s or more, got -30s"},
		{[]string{"--watch", "500ms"}, "--watch: must be 1s or more, got 500ms"},
		{[]string{"--until-reachable"}, "--until-reachable: only with --watch INTERVAL (e.g. --watch 30s)"},
		{[]string{"--until-reachable", "--watch", "0s"}, "--watch: must be 1s or more"},
	} {
		name := strings.Join(tc.args, " ")
		r := runCLI(t, nil, append(one, tc.args...)...)
		assert.Equal(t, exitBadInput, r.code, "%s: %s", name, r.stderr)
		assert.Empty(t, r.stdout, name)
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "%s: one line: %q", name, r.stderr)
		assert.True(t, strings.HasPrefix(r.stderr, "arccheck: "+tc.says), "%s: %q", name, r.stderr)
		assert.NotContains(t, r.stderr, "`", "%s: the help's backquotes are not the message's", name)
	}
	r := runCLI(t, nil, "check", "--help")
	assert.Contains(t, r.stdout, "--watch INTERVAL")
}

// comingUp is an https endpoint of the lab that is down (connections refused) until up is called: a
// firewall rule added during a change window.
type comingUp struct {
	t    *testing.T
	addr string
	ca   *testnet.CA
	srv  atomic.Pointer[testnet.Server]
}

func newComingUp(t *testing.T) *comingUp {
	ln, err := net.Listen("tcp", testnet.RandomLoopback()+":0") // a port of its own, on an address of its own
	require.NoError(t, err)
	e := &comingUp{t: t, addr: ln.Addr().String(), ca: testnet.NewCA(t, "Watch Root", "Lab")}
	require.NoError(t, ln.Close())
	return e
}

// args are check's flags for the endpoint.
func (e *comingUp) args() []string {
	return []string{"check", "--catalog", "none", "--endpoint", "https://" + e.addr, "--ca-file", e.ca.WritePEM(e.t), "--timeout", "5s"}
}

// up starts the endpoint's TLS server.
func (e *comingUp) up() {
	host, _, _ := net.SplitHostPort(e.addr)
	e.srv.Store(testnet.TLSServer(e.t, testnet.TLSOptions{Addr: e.addr, Certificate: e.ca.ValidLeaf(e.t, host)}))
}

// answered counts the connections its server took: the origin's own log.
func (e *comingUp) answered() int64 {
	if s := e.srv.Load(); s != nil {
		s.Settle(e.t)
		return s.Accepted.Load()
	}
	return 0
}

// started runs the binary with stdout and stderr read line by line (each channel closes at EOF), under
// a hang guard.
func started(t *testing.T, args ...string) (cmd *exec.Cmd, stdout, stderr <-chan string) {
	t.Helper()
	cmd = exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	errp, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	watchdog := time.AfterFunc(testnet.HangGuard, func() { _ = cmd.Process.Kill() }) // a hang guard
	t.Cleanup(func() { watchdog.Stop() })
	return cmd, lines(out), lines(errp)
}

// lines sends each line read from r; the channel closes at EOF. It holds every line a watch ends in.
func lines(r io.Reader) <-chan string {
	ch := make(chan string, 1000)
	go func() {
		defer close(ch)
		s := bufio.NewScanner(r)
		s.Buffer(nil, 16<<20)
		for s.Scan() {
			ch <- s.Text()
		}
	}()
	return ch
}

// waitCode waits for cmd and returns its exit code.
func waitCode(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	err := cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	require.NoError(t, err)
	return 0
}

// decodeLine decodes one JSON line as a check document; an undeclared field fails the test.
func decodeLine(t *testing.T, line string) report.CheckDocument {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	dec.DisallowUnknownFields()
	var doc report.CheckDocument
	require.NoError(t, dec.Decode(&doc), line)
	require.False(t, dec.More(), "one document a line: %s", line)
	return doc
}

// TestWatchJSONLinesUntilReachable: piped, -o json writes each round's report on one line. The endpoint
// is down in round 1 and comes up once that round's line is read: the watch ends (exit 0) on the first
// round that reaches it, whose line is the last.
func TestWatchJSONLinesUntilReachable(t *testing.T) {
	ep := newComingUp(t)
	cmd, stdout, stderr := started(t, append(ep.args(), "--watch", "1s", "--until-reachable", "-o", "json")...)
	first := decodeLine(t, testnet.Await(t, stdout, "round 1's JSON line"))
	require.Len(t, first.Results, 1)
	assert.False(t, first.Results[0].Reachable)
	require.NotNil(t, first.Results[0].Failure)
	assert.Equal(t, "tcp_refused", string(first.Results[0].Failure.Class))
	ep.up()
	var docs []report.CheckDocument
	for l := range stdout {
		docs = append(docs, decodeLine(t, l))
	}
	var said []string
	for l := range stderr {
		said = append(said, l)
	}
	require.Equal(t, exitOK, waitCode(t, cmd), "stderr: %v", said)
	require.NotEmpty(t, docs, "at least a second round")
	last := docs[len(docs)-1]
	assert.True(t, last.Results[0].Reachable, "the last round reached the endpoint")
	for _, d := range docs[:len(docs)-1] {
		assert.False(t, d.Results[0].Reachable, "the watch ends on the first round that passes")
	}
	assert.Positive(t, ep.answered(), "the origin answered")
	assert.Empty(t, said)
}

// TestWatchCannotPassWithoutARegion: with --until-reachable, a selection whose required patterns need a
// region can pass no round: the watch ends after round 1, exit 1, saying so once.
func TestWatchCannotPassWithoutARegion(t *testing.T) {
	dns := testnet.NewDNSServer(t, testnet.DNSNXDomain, nil)
	r := runCLI(t, nil, "check", "--agent", "off", "--dns-server", dns.Addr, "--watch", "1s", "--until-reachable", "-o", "json")
	assert.Equal(t, exitUnreachable, r.code, r.stderr)
	doc := decodeLine(t, strings.TrimSuffix(r.stdout, "\n"))
	assert.Positive(t, doc.Summary.RequiredNeedRegion)
	assert.Regexp(t, `^arccheck: --until-reachable: \d+ required patterns not tested for want of a region; give the server's region `+
		`with -l/--location \(e\.g\. -l westeurope\); no round can pass without it\n$`, r.stderr)
}

// ptyOutput is what a process wrote to its terminal, read as it comes.
type ptyOutput struct {
	mu    sync.Mutex
	raw   strings.Builder
	waits map[string]chan struct{}
	// done closes when the terminal is closed (the process ended).
	done chan struct{}
}

func readPTY(f io.Reader) *ptyOutput {
	p := &ptyOutput{waits: map[string]chan struct{}{}, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			p.mu.Lock()
			p.raw.Write(buf[:n])
			p.notify()
			p.mu.Unlock()
			if err != nil {
				return // EIO when the process exits
			}
		}
	}()
	return p
}

// shows closes once the screen's text (escapes left out) holds text.
func (p *ptyOutput) shows(text string) <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch := make(chan struct{})
	p.waits[text] = ch
	p.notify()
	return ch
}

func (p *ptyOutput) notify() {
	seen := escapes.ReplaceAllString(p.raw.String(), "")
	for text, ch := range p.waits {
		if strings.Contains(seen, text) {
			close(ch)
			delete(p.waits, text)
		}
	}
}

// all is everything written, once the process ended.
func (p *ptyOutput) all(t *testing.T) string {
	testnet.Await(t, p.done, "the terminal's closing")
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.raw.String()
}

// inPTY starts the binary in a pseudo-terminal 160 columns wide, under a hang guard.
func inPTY(t *testing.T, args ...string) (*exec.Cmd, *os.File, *ptyOutput) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), "TERM=xterm")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 160})
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	watchdog := time.AfterFunc(testnet.HangGuard, func() { _ = cmd.Process.Kill() }) // a hang guard
	t.Cleanup(func() { watchdog.Stop() })
	return cmd, f, readPTY(f)
}

// lastScreen is the text of the last screen drawn: after the last clear, escapes left out.
func lastScreen(out string) string {
	return escapes.ReplaceAllString(out[strings.LastIndex(out, redraw)+len(redraw):], "")
}

// TestWatchRedrawsOnATerminal: on a terminal the table is redrawn in place (cursor home, screen cleared)
// under a header naming the round; the endpoint comes up after round 1 is drawn, and the final screen
// marks its row as changed, says the watch ended, and the exit is 0.
func TestWatchRedrawsOnATerminal(t *testing.T) {
	ep := newComingUp(t)
	// An entry of --resolve that matches no endpoint: its warning stays above every redrawn table.
	cmd, _, out := inPTY(t, append(ep.args(), "--watch", "1s", "--until-reachable", "--resolve", "nowhere.example:443:127.0.0.1")...)
	testnet.Await(t, out.shows("1 endpoint: 0 reachable, 1 unreachable (1 required)"), "round 1's table")
	ep.up()
	raw := out.all(t)
	require.Equal(t, exitOK, waitCode(t, cmd), raw)
	assert.GreaterOrEqual(t, strings.Count(raw, redraw), 2, "a screen per round")
	second := strings.Index(raw, "round 2 at")
	require.Positive(t, second, raw)
	first := escapes.ReplaceAllString(raw[:strings.LastIndex(raw[:second], redraw)], "")
	assert.Contains(t, first, "round 1 at ")
	assert.Regexp(t, `next in \d+s \(every 1s; Ctrl-C ends\)`, first)
	screen := lastScreen(raw)
	assert.Regexp(t, `(?m)^round \d+ at \d\d:\d\d:\d\d, the last: every required endpoint is reachable; 1 row changed since round \d+`, screen)
	assert.Regexp(t, `\| https://`+regexp.QuoteMeta(ep.addr)+` +\| changed \(was tcp_refused\) +\| true `, screen)
	assert.Contains(t, screen, "1 endpoint: 1 reachable, 0 unreachable (0 required)")
	assert.Contains(t, screen, "arccheck: warning: --resolve nowhere.example:443 matches no endpoint of this run",
		"a warning is not wiped by the redraw")
	assert.Positive(t, ep.answered(), "the origin answered")
}

// TestWatchCtrlCBetweenRounds: a signal between rounds ends the watch with the last round's report, in
// the format chosen, and the signal's exit code. Piped, JSON Lines end on round 1's line (not written
// again); JUnit, which cannot stream, is written once, at the end, with a line per round on stderr; on a
// terminal, Ctrl-C typed there redraws round 1 under a header that says the watch was interrupted.
func TestWatchCtrlCBetweenRounds(t *testing.T) {
	args := []string{"check", "--catalog", "none", "--endpoint", "https://" + testnet.RefusedPort(t), "--watch", "1h"}
	t.Run("json", func(t *testing.T) {
		cmd, stdout, stderr := started(t, append(args, "-o", "json")...)
		doc := decodeLine(t, testnet.Await(t, stdout, "round 1's JSON line"))
		require.NoError(t, cmd.Process.Signal(os.Interrupt))
		for l := range stdout {
			t.Errorf("a line after round 1's: %s", l)
		}
		said := <-stderr
		assert.Equal(t, 130, waitCode(t, cmd))
		assert.False(t, doc.Interrupt, "round 1 was complete")
		assert.Equal(t, "arccheck: interrupted (Ctrl-C): round 1, the last complete round, is the final report", said)
	})
	t.Run("junit", func(t *testing.T) {
		cmd, stdout, stderr := started(t, append(args, "-o", "junit")...)
		line := testnet.Await(t, stderr, "round 1's line on stderr")
		assert.Regexp(t, `^arccheck: round 1 at \d\d:\d\d:\d\d, next in (1h|\d+m\d+s) \(every 1h; Ctrl-C ends\)\. (PASSED|FAILED): 1 endpoint: 0 reachable, 1 unreachable`, line)
		require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
		var xml strings.Builder
		for l := range stdout {
			xml.WriteString(l + "\n")
		}
		assert.Equal(t, 143, waitCode(t, cmd))
		assert.Equal(t, 1, strings.Count(xml.String(), "<testsuites"), xml.String())
		assert.Contains(t, xml.String(), "tcp_refused")
	})
	t.Run("terminal", func(t *testing.T) {
		cmd, f, out := inPTY(t, args...)
		testnet.Await(t, out.shows("(every 1h; Ctrl-C ends)"), "round 1's screen")
		_, err := f.Write([]byte{3}) // Ctrl-C, as typed: the terminal sends SIGINT
		require.NoError(t, err)
		raw := out.all(t)
		assert.Equal(t, 130, waitCode(t, cmd), raw)
		screen := lastScreen(raw)
		assert.Regexp(t, `^round 1 at \d\d:\d\d:\d\d, the last complete round: the watch was interrupted\r?\n`, screen)
		assert.Contains(t, screen, "1 endpoint: 0 reachable, 1 unreachable (1 required)")
		assert.Contains(t, screen, "arccheck: interrupted (Ctrl-C): round 1, the last complete round, is the final report")
	})
}

// TestWatchCtrlCDuringARound: a signal during a round ends the watch at once; the report is the last
// complete round's, or round 1's as far as it went (the rest marked canceled) when none is complete.
// The endpoint answers round 1 (closing the connection) and then holds every connection, with a probe
// timeout of an hour: only the signal can end the round it is in.
func TestWatchCtrlCDuringARound(t *testing.T) {
	for _, tc := range []struct {
		name string
		// completeRounds answered before the endpoint holds connections.
		completeRounds int64
		says           string
	}{
		{"round 1", 0, "interrupted (Ctrl-C): results so far are shown, the rest are marked canceled"},
		{"round 2", 1, "interrupted (Ctrl-C): round 1, the last complete round, is the final report"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			holding := make(chan struct{}, 1)
			var conns atomic.Int64
			srv := testnet.Serve(t, func(c net.Conn) {
				if conns.Add(1) <= tc.completeRounds {
					return
				}
				select {
				case holding <- struct{}{}:
				default:
				}
				testnet.HandleSilent(c)
			})
			ctx, cancel := context.WithCancelCause(context.Background())
			go func() {
				select {
				case <-holding:
					cancel(signalCause{os.Interrupt})
				case <-t.Context().Done():
				}
			}()
			r := runCLIContext(t, ctx, nil, "check", "--catalog", "none", "--endpoint", "http://"+srv.Addr, "--timeout", "1h",
				"--watch", "1s", "-o", "json")
			assert.Equal(t, 130, r.code, r.stderr)
			assert.Equal(t, "arccheck: "+tc.says+"\n", r.stderr)
			out := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
			require.Len(t, out, 1, r.stdout)
			doc := decodeLine(t, out[0])
			assert.Equal(t, tc.completeRounds == 0, doc.Interrupt)
		})
	}
}
