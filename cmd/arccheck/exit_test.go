package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/endpoints"
)

// TestWriteFailureHasItsOwnExitCode writes the report to /dev/full, as `arccheck list > /dev/full` does:
// one line on stderr and exit 3, for list (every format) and check.
func TestWriteFailureHasItsOwnExitCode(t *testing.T) {
	full := testnet.RequireFile(t, "/dev/full", os.O_WRONLY, "a device whose writes fail with ENOSPC")
	for _, args := range [][]string{
		{"list", "-l", "westeurope"},
		{"list", "-o", "json"},
		{"list", "-o", "plain"},
		{"check", "--catalog", "none", "--endpoint", "https://127.0.0.1:1", "--timeout", "2s"},
		{"check", "--catalog", "none", "--endpoint", "https://127.0.0.1:1", "--timeout", "2s", "-o", "json"},
		{"catalog", "export"},
		{"catalog", "diff", docsFixture},
		{"catalog", "diff", docsFixture, "-o", "json"},
	} {
		var stderr bytes.Buffer
		e := env{Stdout: full, Stderr: &stderr, Getenv: func(string) string { return "" },
			Hostname: func() (string, error) { return "testhost", nil }}
		code := Execute("test", args, e)
		assert.Equal(t, exitWriteFailed, code, "%v", args)
		assert.Regexp(t, `^arccheck: writing the report: .*no space left on device\n$`, stderr.String(), "%v", args)
	}
}

// TestUnknownErrorsAreNotBadInput: only errors known to be the user's exit 2.
func TestUnknownErrorsAreNotBadInput(t *testing.T) {
	code, msg := exitCode(errors.New("something broke"))
	assert.Equal(t, exitRuntime, code)
	assert.Equal(t, "something broke", msg)
	code, msg = exitCode(&endpoints.SelectionError{Field: endpoints.FieldCloud, Value: "mars", Reason: "unknown cloud", Valid: []string{"AzureCloud"}})
	assert.Equal(t, exitBadInput, code)
	assert.Equal(t, `--cloud: unknown cloud "mars" (valid: AzureCloud)`, msg)
	code, _ = exitCode(writeFailed(errors.New("broken pipe")))
	assert.Equal(t, exitWriteFailed, code)
}

// TestNoPasswordInAnyOutput: user information in --endpoint and a proxy password never show, in any
// format, on stdout or stderr.
func TestNoPasswordInAnyOutput(t *testing.T) {
	r := runCLI(t, nil, "check", "--catalog", "none", "--endpoint", "https://bob:Secr3t@127.0.0.1:1", "-o", "json")
	assert.Equal(t, exitBadInput, r.code)
	assert.Equal(t, "arccheck: --endpoint: user information (user:password@) is not used by a reachability check; remove it (the value is not shown: it may hold a password)\n", r.stderr)
	for _, out := range []string{r.stdout, r.stderr} {
		assert.NotContains(t, out, "Secr3t")
		assert.NotContains(t, out, "bob")
	}
	for _, format := range []string{"json", "table"} {
		for _, proxy := range []string{"http://bob:Secr3t@127.0.0.1:1", "socks5h://bob:Secr3t@127.0.0.1:1"} {
			r := runCLI(t, map[string]string{"HTTPS_PROXY": "http://eve:Env5ecret@127.0.0.1:1"}, "check", "--catalog", "none",
				"--endpoint", "https://management.azure.com", "--proxy", proxy, "-o", format, "--timeout", "2s", "-v")
			require.Equal(t, exitUnreachable, r.code, r.stderr)
			assert.Contains(t, r.stdout, "proxy_unreachable")
			for _, out := range []string{r.stdout, r.stderr} {
				assert.NotContains(t, out, "Secr3t")
				assert.NotContains(t, out, "Env5ecret")
			}
		}
		r := runCLI(t, map[string]string{"HTTPS_PROXY": "http://eve:Env5ecret@127.0.0.1:1"}, "check", "--catalog", "none",
			"--endpoint", "https://management.azure.com", "-o", format, "--timeout", "2s")
		assert.True(t, strings.Contains(r.stdout, "http://127.0.0.1:1"), "the proxy from the environment is shown")
		assert.NotContains(t, r.stdout+r.stderr, "Env5ecret")
	}
}

// TestNothingProbedIsNoPass: endpoints that were never probed to a verdict (a timeout too short to
// start, or no slot before the run's deadline) fail the run, and the summary says why.
func TestNothingProbedIsNoPass(t *testing.T) {
	r := runCLI(t, nil, "check", "--catalog", "none", "--endpoint", "https://a.example",
		"--resolve", "a.example:*:127.0.0.1", "--timeout", "1us")
	assert.Equal(t, exitUnreachable, r.code, r.stdout+r.stderr)

	hole := testnet.BlackHole(t)
	_, port, _ := net.SplitHostPort(hole)
	args := []string{"check", "--catalog", "none", "--timeout", "500ms", "--concurrency", "2"}
	for i := range 5 {
		host := fmt.Sprintf("hole%d.example", i)
		args = append(args, "--endpoint", "https://"+host+":"+port, "--resolve", host+":*:127.0.0.1")
	}
	r = runCLI(t, nil, args...)
	assert.Equal(t, exitUnreachable, r.code)
	assert.Contains(t, r.stdout, "5 endpoints: 0 reachable, 2 unreachable (2 required), 3 not probed (3 required: not started before the run's deadline)")
}

// TestListsAreInAStableOrder: the not-tested patterns and the discoveries come out in the same order
// on every run, whatever order the probes finished in.
func TestListsAreInAStableOrder(t *testing.T) {
	dns := testnet.NewDNSServer(t, testnet.DNSNXDomain, nil)
	var first string
	for i := range 5 {
		r := runCLI(t, nil, "check", "-l", "westeurope", "-e", "all", "--dns-server", dns.Addr, "-o", "json", "--timeout", "3s")
		require.Equal(t, exitUnreachable, r.code, r.stderr)
		doc := decodeCheck(t, r)
		b, err := json.Marshal([]any{doc.NotTested, doc.Discoveries})
		require.NoError(t, err)
		lists := string(b)
		if i == 0 {
			first = lists
			require.NotEmpty(t, doc.NotTested)
			require.NotEmpty(t, doc.Discoveries)
			continue
		}
		assert.Equal(t, first, lists, "run %d", i)
	}
}

// TestVerboseEverywhere: -v is --verbose before or after the command, as in azcmagent.
func TestVerboseEverywhere(t *testing.T) {
	srv := testnet.HTTPServer(t, "")
	for _, args := range [][]string{
		{"-v", "check", "--catalog", "none", "--endpoint", "http://" + srv.Addr},
		{"check", "-v", "--catalog", "none", "--endpoint", "http://" + srv.Addr},
	} {
		r := runCLI(t, nil, args...)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stderr, "arccheck: http://"+srv.Addr+" reachable", args)
	}
	r := runCLI(t, nil, "-v", "list", "-l", "westeurope", "-o", "plain")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "arccheck: Azure Cloud (AzureCloud), direct, list standard, region westeurope")
	r = runCLI(t, nil, "--version")
	assert.Equal(t, "arccheck test\n", r.stdout)
}

// TestUnusedResolveIsAWarning: a --resolve entry that matches no endpoint of the run is most likely a
// typing mistake: said on stderr, and the run goes on.
func TestUnusedResolveIsAWarning(t *testing.T) {
	srv := testnet.HTTPServer(t, "")
	_, port, _ := net.SplitHostPort(srv.Addr)
	r := runCLI(t, nil, "check", "--catalog", "none", "--endpoint", "http://fine.example:"+port,
		"--resolve", "fine.example:*:127.0.0.1", "--resolve", "fnie.example:443:127.0.0.1", "--resolve", "*:9:127.0.0.1")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "arccheck: warning: --resolve *:9 matches no endpoint of this run\n"+
		"arccheck: warning: --resolve fnie.example:443 matches no endpoint of this run\n", r.stderr)
	r = runCLI(t, nil, "check", "--catalog", "none", "--endpoint", "http://any.example:"+port, "--resolve", "*:*:127.0.0.1,::1")
	require.Equal(t, exitOK, r.code, "curl's * host and address lists: %s", r.stdout+r.stderr)
	assert.Empty(t, r.stderr)
}
