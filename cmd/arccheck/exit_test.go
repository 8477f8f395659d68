package main

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/endpoints"
)

// TestWriteFailureHasItsOwnExitCode writes the report to /dev/full, as `arccheck list > /dev/full` does:
// one line on stderr and exit 3, for list (every format) and check.
func TestWriteFailureHasItsOwnExitCode(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full here: %v", err)
	}
	defer full.Close()
	for _, args := range [][]string{
		{"list", "-l", "westeurope"},
		{"list", "-o", "json"},
		{"list", "-o", "plain"},
		{"check", "--catalog", "none", "--endpoint", "https://127.0.0.1:1", "--timeout", "2s"},
		{"check", "--catalog", "none", "--endpoint", "https://127.0.0.1:1", "--timeout", "2s", "-o", "json"},
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
	assert.Equal(t, "arccheck: --endpoint: \"https://127.0.0.1:1\": user information (user:password@) is not used by a reachability check; remove it\n", r.stderr)
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
