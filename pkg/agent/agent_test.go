package agent

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fake answers each command from a table, as azcmagent would.
func fake(answers map[string]string, fail map[string]error) func(context.Context, string, ...string) ([]byte, error) {
	return func(ctx context.Context, _ string, args ...string) ([]byte, error) {
		key := ""
		for _, a := range args {
			key += a + " "
		}
		key = key[:len(key)-1]
		if err := fail[key]; err != nil {
			return nil, err
		}
		return []byte(answers[key]), nil
	}
}

func TestReadParsesTheDocumentedShapes(t *testing.T) {
	run := fake(map[string]string{
		"show -j": `{"Status":"Connected","agentVersion":"1.61.02989.1843","LOCATION":"westeurope","cloud":"AzureCloud",
			"httpsProxy":"http://localhost:40343","upstreamProxy":"http://proxy.corp:3128","gatewayUrl":"https://contoso.gw.arc.azure.com",
			"privateLinkScope":"","resourceName":"srv01"}`,
		"config get proxy.url":    "http://proxy.corp:3128\n",
		"config get proxy.bypass": "[AAD, Arc]\n",
		"extension list": "Name                      Type                       Status\n" +
			"AzureMonitorLinuxAgent    AzureMonitorLinuxAgent     Succeeded\n" +
			"MDE.Linux                 MDE.Linux                  Succeeded\n" +
			"LinuxAgent.SqlServer      LinuxAgent.SqlServer       Succeeded\n",
		"winhttp show proxy": "Current WinHTTP proxy settings:\n\n    Proxy Server(s) :  proxy.corp:8080\n    Bypass List     :  (none)\n",
	}, nil)
	s, problems := Read(context.Background(), "/opt/azcmagent/bin/azcmagent", Options{Run: run, GOOS: "windows"})
	require.Empty(t, problems)
	assert.Equal(t, Settings{Path: "/opt/azcmagent/bin/azcmagent", Version: "1.61.02989.1843", Status: "Connected", OS: "windows",
		Cloud: "AzureCloud", Location: "westeurope", GatewayURL: "https://contoso.gw.arc.azure.com",
		HTTPSProxy: "http://localhost:40343", UpstreamProxy: "http://proxy.corp:3128", ProxyURL: "http://proxy.corp:3128",
		ProxyBypass: []string{"AAD", "Arc"}, Extensions: []string{"ama", "mde", "sql"}, ProxyKnown: true, WinHTTPProxy: "proxy.corp:8080"}, s)
}

func TestReadBypassShapes(t *testing.T) {
	for out, want := range map[string][]string{
		"[]\n": nil, "": nil, `["ARM","AAD"]`: {"ARM", "AAD"}, "ArcData,AMA": {"ArcData", "AMA"}, "Arc\nARM\n": {"Arc", "ARM"},
	} {
		var s Settings
		require.NoError(t, parseBypass(&s, []byte(out)), out)
		assert.Equal(t, want, s.ProxyBypass, out)
	}
	var s Settings
	assert.Error(t, parseBypass(&s, []byte("<html>oops</html>")))
}

// TestBrokenAgentIsNeverFatal: a failing, garbled or hanging azcmagent is a problem per command, and
// the rest is still read; a hanging one costs at most the timeout.
func TestBrokenAgentIsNeverFatal(t *testing.T) {
	const timeout = 300 * time.Millisecond
	var hung struct { // the hanging command's context: its deadline, from when it began, and its end
		began, deadline time.Time
		ctx             context.Context
	}
	began := make(chan struct{}) // closed once hung is written
	run := func(ctx context.Context, _ string, args ...string) ([]byte, error) {
		switch args[0] {
		case "show":
			return []byte("not json at all"), nil
		case "extension":
			hung.began = time.Now()
			hung.deadline, _ = ctx.Deadline()
			hung.ctx = ctx
			close(began)
			<-ctx.Done() // hangs until the timeout
			return nil, errors.New("no answer")
		}
		if args[2] == "proxy.url" {
			return nil, errors.New("exit status 1")
		}
		return []byte("[Arc]"), nil
	}
	s, problems := Read(context.Background(), "azcmagent", Options{Run: run, GOOS: "linux", Timeout: timeout})
	// The hanging command cost at most the timeout: it was given a deadline of at most the timeout, and
	// it was that deadline, no other, that ended it (a structural bound: TESTING.md has no wall-clock
	// thresholds).
	<-began
	require.False(t, hung.deadline.IsZero(), "the hanging command had a deadline")
	assert.LessOrEqual(t, hung.deadline.Sub(hung.began), timeout)
	assert.ErrorIs(t, context.Cause(hung.ctx), ErrNoAnswer, "its timeout ended it")
	assert.Equal(t, []string{"Arc"}, s.ProxyBypass, "what could be read is used")
	require.Len(t, problems, 3)
	assert.Contains(t, problems[0].Error(), "azcmagent show -j: not a JSON object")
	assert.False(t, s.ProxyKnown, "the proxy could not be read: the caller must not take it for 'none'")

	// An answer is never quoted: it may hold a proxy password.
	leaky := func(context.Context, string, ...string) ([]byte, error) {
		return []byte("Proxy URL: http://alice:s3cret@proxy:3128"), nil
	}
	_, problems = Read(context.Background(), "azcmagent", Options{Run: leaky, GOOS: "linux"})
	require.NotEmpty(t, problems)
	for _, p := range problems {
		assert.NotContains(t, p.Error(), "s3cret")
	}
}

func TestFindLooksOnPathThenAtTheInstallLocation(t *testing.T) {
	dir := t.TempDir()
	_, err := Find(Options{Getenv: func(string) string { return dir }, GOOS: "linux"})
	if _, statErr := os.Stat("/opt/azcmagent/bin/azcmagent"); statErr != nil {
		assert.ErrorIs(t, err, ErrNotFound, "no agent: the normal case before onboarding")
	}
	bin := filepath.Join(dir, "azcmagent")
	require.NoError(t, os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755))
	got, err := Find(Options{Getenv: func(string) string { return "/nonexistent" + string(os.PathListSeparator) + dir }, GOOS: "linux"})
	require.NoError(t, err)
	assert.Equal(t, bin, got)

	// Windows: %ProgramW6432%\AzureConnectedMachineAgent\azcmagent.exe when it is not on PATH.
	pf := t.TempDir()
	exe := filepath.Join(pf, "AzureConnectedMachineAgent", "azcmagent.exe")
	require.NoError(t, os.MkdirAll(filepath.Dir(exe), 0o755))
	require.NoError(t, os.WriteFile(exe, nil, 0o644))
	env := map[string]string{"PATH": t.TempDir(), "ProgramW6432": pf}
	got, err = Find(Options{Getenv: func(k string) string { return env[k] }, GOOS: "windows"})
	require.NoError(t, err)
	assert.Equal(t, exe, got)
}

func TestUsedProxyIsThePathBeyondTheLocalArcProxy(t *testing.T) {
	for _, c := range []struct {
		name string
		s    Settings
		want string
	}{
		{"gateway mode: the upstream proxy", Settings{GatewayURL: "https://gw.arc.azure.com", HTTPSProxy: "http://localhost:40343", UpstreamProxy: "http://proxy.corp:3128"}, "http://proxy.corp:3128"},
		{"gateway mode without an upstream proxy: direct", Settings{GatewayURL: "https://gw.arc.azure.com", HTTPSProxy: "http://localhost:40343", ProxyURL: "http://proxy.corp:3128"}, ""},
		{"the proxy it reports using", Settings{HTTPSProxy: "http://a.corp:8080", ProxyURL: "http://b.corp:3128"}, "http://a.corp:8080"},
		{"its proxy.url setting", Settings{ProxyURL: "http://b.corp:3128"}, "http://b.corp:3128"},
		{"the local Arc proxy is skipped", Settings{HTTPSProxy: "http://127.0.0.1:40343", ProxyURL: "http://b.corp:3128"}, "http://b.corp:3128"},
		{"the local Arc proxy over IPv6 is skipped", Settings{HTTPSProxy: "http://[::1]:40343"}, ""},
		{"port 40343 elsewhere is a real proxy", Settings{HTTPSProxy: "http://proxy.corp:40343"}, "http://proxy.corp:40343"},
		{"none", Settings{}, ""},
	} {
		assert.Equal(t, c.want, c.s.UsedProxy(), c.name)
	}
}

// TestReadEndsWithTheCallersContext: even a Run that ignores its context (a stuck process) does not
// hold Read past the caller's context, nor past the timeout, by more than a grace.
func TestReadEndsWithTheCallersContext(t *testing.T) {
	stuck := make(chan struct{})
	t.Cleanup(func() { close(stuck) })
	started := make(chan struct{}, 8)
	run := func(context.Context, string, ...string) ([]byte, error) {
		started <- struct{}{}
		<-stuck
		return nil, errors.New("never")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan []Problem, 1)
	go func() {
		_, problems := Read(ctx, "azcmagent", Options{Run: run, GOOS: "linux", Timeout: time.Hour})
		done <- problems
	}()
	<-started
	cancel()
	select {
	case problems := <-done:
		require.Len(t, problems, 4)
		for _, p := range problems {
			assert.ErrorIs(t, p, context.Canceled)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Read did not end with its context")
	}

	_, problems := Read(context.Background(), "azcmagent", Options{Run: run, GOOS: "linux", Timeout: 200 * time.Millisecond})
	require.Len(t, problems, 4)
	for _, p := range problems {
		assert.ErrorIs(t, p, ErrNoAnswer)
		assert.Equal(t, p.Command+": no answer within 200ms", p.Error())
	}
}

// TestAnswersAreNeverTrusted: what the agent says is escaped before it is kept, a value too long to be
// real is not used, an answer longer than MaxOutput is refused, and an error is always one safe line.
func TestAnswersAreNeverTrusted(t *testing.T) {
	long := strings.Repeat("a", MaxValue+1)
	run := fake(map[string]string{
		"show -j": "\ufeff" + `{"location":"west\u001b[2Jeurope\u202e","cloud":"AzureCloud","big":1e999,"deep":[[[[[{"a":null}]]]]],` +
			`"gatewayUrl":"https://` + long + `","Location":"ignored: the documented spelling wins"}`,
		"config get proxy.url":    "http://proxy.corp:3128\x07\n",
		"config get proxy.bypass": strings.Repeat("Arc,", maxBypass+1),
		"extension list":          strings.Repeat("x", MaxOutput+1),
		"winhttp show proxy":      "Proxy Server(s) :  \x1b]0;owned\x07:8080\n",
	}, map[string]error{})
	s, problems := Read(context.Background(), "azcmagent", Options{Run: run, GOOS: "windows"})
	assert.Equal(t, `west\x1b[2Jeurope\u202e`, s.Location, "escaped, never raw")
	assert.Equal(t, "AzureCloud", s.Cloud, "huge numbers and nesting elsewhere do not spoil the answer")
	assert.Empty(t, s.GatewayURL, "too long to be real: not used, not cut")
	assert.Equal(t, `http://proxy.corp:3128\x07`, s.ProxyURL)
	assert.Empty(t, s.ProxyBypass)
	assert.Empty(t, s.Extensions)
	assert.Equal(t, `\x1b]0;owned\x07:8080`, s.WinHTTPProxy)
	var msgs []string
	for _, p := range problems {
		msgs = append(msgs, p.Error())
	}
	assert.Equal(t, []string{
		"azcmagent show -j: its gatewayUrl is 521 bytes long, more than the 512 read: not used",
		"azcmagent config get proxy.bypass: more than 16 proxy bypass categories (68 bytes on 1 line; not shown, as it may hold a password)",
		"azcmagent extension list: wrote more than 1 MiB on stdout: not the agent's answer",
	}, msgs)

	// An error of a Run is one line, escaped, whatever it says.
	run = fake(nil, map[string]error{"show -j": errors.New("line one\nline two \x1b[2J")})
	_, problems = Read(context.Background(), "azcmagent", Options{Run: run, GOOS: "linux"})
	require.NotEmpty(t, problems)
	assert.Equal(t, `azcmagent show -j: line one\x0aline two \x1b[2J`, problems[0].Error())
}
