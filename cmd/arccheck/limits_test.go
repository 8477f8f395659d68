//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/report"
)

// underLimit runs the built binary under a shell's resource limit (ulimit ARGS) and returns its exit
// code, stdout and stderr.
func underLimit(t *testing.T, limit string, args ...string) (int, string, string) {
	t.Helper()
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	cmd := exec.Command("sh", "-c", "ulimit "+limit+" && exec "+binary(t)+" "+strings.Join(quoted, " "))
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "HTTPS_PROXY=", "HTTP_PROXY=", "ALL_PROXY=", "NO_PROXY=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return code, stdout.String(), stderr.String()
}

// manyEndpoints is --endpoint and --resolve arguments for n http:// hosts served by srv on loopback.
func manyEndpoints(srv string, n int) []string {
	_, port, _ := net.SplitHostPort(srv)
	args := []string{"--resolve", "*:" + port + ":127.0.0.1"}
	for i := range n {
		args = append(args, "--endpoint", fmt.Sprintf("http://h%d.example:%s/", i, port))
	}
	return args
}

// classesOf counts the failure classes of a check's JSON report ("" for a reachable row).
func classesOf(t *testing.T, stdout string) map[string]int {
	t.Helper()
	var doc report.CheckDocument
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc), stdout)
	out := map[string]int{}
	for _, r := range doc.Results {
		class := ""
		if r.Failure != nil {
			class = string(r.Failure.Class)
		}
		out[class]++
	}
	return out
}

// TestLowOpenFileLimit: with `ulimit -n 64` and 200 endpoints, the default concurrency fits the limit:
// every row gets the verdict it gets without the limit, none is a firewall, DNS or local failure.
func TestLowOpenFileLimit(t *testing.T) {
	srv := testnet.HTTPServer(t, "")
	args := append([]string{"check", "--agent", "off", "--catalog", "none", "--timeout", "10s", "-o", "json"}, manyEndpoints(srv.Addr, 200)...)
	_, free, _ := underLimit(t, "-n 4096", args...)
	code, stdout, stderr := underLimit(t, "-n 64", args...)
	want := classesOf(t, free)
	require.Len(t, want, 1, "every row alike without the limit: %v", want)
	assert.Equal(t, want, classesOf(t, stdout), "stderr: %s", stderr)
	assert.NotEqual(t, exitRuntime, code, stderr)
}

// TestOpenFilesExhausted: when the limit cannot hold even the concurrency asked for, the rows that ran
// out are local_resources, never a network verdict, and the run fails as a run: exit 4 and one line.
func TestOpenFilesExhausted(t *testing.T) {
	srv := testnet.HTTPServer(t, "")
	args := append([]string{"check", "--agent", "off", "--catalog", "none", "--timeout", "10s", "-o", "json",
		"--concurrency", "200"}, manyEndpoints(srv.Addr, 200)...)
	code, stdout, stderr := underLimit(t, "-n 24", args...)
	got := classesOf(t, stdout)
	assert.Positive(t, got["local_resources"], "%v", got)
	for class := range got {
		assert.NotContains(t, []string{"tcp_refused", "tcp_timeout", "dns_error", "dns_timeout", "dns_not_found", "no_route"}, class,
			"running out of descriptors is no network verdict: %v", got)
	}
	assert.Equal(t, exitRuntime, code)
	assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
	assert.Contains(t, stderr, "ran out of file descriptors")
	assert.Contains(t, stderr, "--concurrency")
}

// TestCAFileMustBeARegularFile: a directory or a FIFO given as --ca-file is refused at once (exit 2),
// never read until the timeout.
func TestCAFileMustBeARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "ca.pem")
	require.NoError(t, exec.Command("mkfifo", fifo).Run())
	large := filepath.Join(dir, "large.pem") // sparse: 16 MiB and one byte
	require.NoError(t, os.WriteFile(large, nil, 0o600))
	require.NoError(t, os.Truncate(large, maxPEMFile+1))
	r := runCLI(t, nil, "check", "--agent", "off", "--catalog", "none", "--endpoint", "https://x.example", "--ca-file", large)
	assert.Equal(t, exitBadInput, r.code)
	assert.Equal(t, "arccheck: --ca-file: "+large+" is larger than 16 MiB: not a PEM file of CA certificates\n", r.stderr)
	for _, path := range []string{dir, fifo} {
		r = runCLI(t, nil, "check", "--agent", "off", "--catalog", "none", "--endpoint", "https://x.example", "--ca-file", path)
		assert.Equal(t, exitBadInput, r.code)
		assert.Equal(t, "arccheck: --ca-file: "+path+" is not a regular file (a PEM file of CA certificates is)\n", r.stderr)
	}
}

// TestHostilePeersUnderAMemoryLimit: twenty endpoints that answer with endless headers, under a 1 GiB
// address-space limit (the attack grew arccheck to several GB and killed it): the run ends with its
// report, every row http_too_large, exit 1.
func TestHostilePeersUnderAMemoryLimit(t *testing.T) {
	h := testnet.EndlessHeaders(t, testnet.HostileOptions{})
	args := append([]string{"check", "--agent", "off", "--catalog", "none", "--timeout", "5s", "-o", "json"}, manyEndpoints(h.Addr, 20)...)
	code, stdout, stderr := underLimit(t, "-v 1048576", args...)
	assert.Equal(t, exitUnreachable, code, stderr)
	assert.Equal(t, map[string]int{"http_too_large": 20}, classesOf(t, stdout), stderr)
	// Sent counts what the kernel's socket buffers took too (a few MiB a connection on loopback).
	assert.Less(t, h.Sent.Load(), int64(20*(16<<20)), "each row read 64 KiB of the head, not the stream")
}

// TestGatewayModeNeedsItsURL: a gateway-mode check without --gateway-url cannot test the gateway every
// request goes through: bad input (exit 2), never a pass with the gateway left "not tested".
func TestGatewayModeNeedsItsURL(t *testing.T) {
	r := runCLI(t, nil, "check", "--agent", "off", "--mode", "gateway", "-l", "westeurope")
	assert.Equal(t, exitBadInput, r.code)
	assert.Equal(t, "arccheck: --mode gateway: give your gateway's URL with --gateway-url (https://<prefix>.gw.arc.azure.com, "+
		"from 'az arcgateway list'); without it the gateway every request goes through cannot be checked\n", r.stderr)
	assert.Empty(t, r.stdout)
}

// TestMisspeltCommandWithFlags: a misspelt command followed by flags is an unknown command with a
// suggestion, not an unknown flag of the root command.
func TestMisspeltCommandWithFlags(t *testing.T) {
	for _, args := range [][]string{{"chek", "-l", "westeurope"}, {"chek", "--timeout", "1s"}, {"chek"}} {
		r := runCLI(t, nil, args...)
		assert.Equal(t, exitBadInput, r.code, "%v", args)
		assert.Equal(t, "arccheck: unknown command \"chek\" (valid: catalog, check, completion, list, merge, version; did you mean check?)\n", r.stderr, "%v", args)
	}
	assert.Equal(t, exitOK, runCLI(t, nil, "help", "check").code)
}
