package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// TestMain runs the tests as root of a user and network namespace of their own when the user is not
// root (see testnet.EnterUserNamespace: the lab's ports 443 and 80), and makes the test binary the
// arccheck command of the scripts.
func TestMain(m *testing.M) {
	testnet.EnterUserNamespace()
	testscript.Main(m, map[string]func(){
		"arccheck": func() { os.Exit(Execute("test", os.Args[1:], newSystemEnv())) },
	})
}

// TestScripts runs the command-line scripts of testdata/script (see testscript's documentation).
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: filepath.Join("testdata", "script")})
}

// result is what one in-process run of the command line printed and returned.
type result struct {
	stdout, stderr string
	code           int
}

// runCLI runs the command line in-process with the given environment variables (nothing else leaks in).
func runCLI(t *testing.T, vars map[string]string, args ...string) result {
	t.Helper()
	return runCLIContext(t, context.Background(), vars, args...)
}

func runCLIContext(t *testing.T, ctx context.Context, vars map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := env{Stdout: &out, Stderr: &errb, Context: ctx,
		Getenv:   func(k string) string { return vars[k] },
		Hostname: func() (string, error) { return "testhost", nil }}
	code := Execute("test", args, e)
	return result{out.String(), errb.String(), code}
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run 'go test ./cmd/arccheck -update' to create it")
	assert.Equal(t, string(want), got, "golden file %s differs; review and rerun with -update", path)
}

func TestListGolden(t *testing.T) {
	cases := []struct {
		name string
		args []string
	}{
		{"list-azurecloud-westeurope.txt", []string{"list", "-l", "westeurope"}},
		{"list-azurecloud-all.json", []string{"list", "--cloud", "AzureCloud", "-l", "westeurope", "-e", "all", "-o", "json"}},
		{"list-azurecloud-all.plain", []string{"list", "-l", "westeurope", "-e", "all", "-o", "plain"}},
		{"list-usgov-esu.txt", []string{"list", "--cloud", "usgov", "--esu"}},
		{"list-china.json", []string{"list", "--cloud", "AzureChinaCloud", "-j"}},
		{"list-china-esu.plain", []string{"list", "--cloud", "china", "--esu", "-o", "plain"}},
		{"list-gateway.plain", []string{"list", "--gateway-url", "https://contoso.gw.arc.azure.com", "-l", "westeurope", "-o", "plain"}},
		{"list-private-link.txt", []string{"list", "--mode", "private-link", "-l", "uksouth"}},
		{"list-legacy-preview.plain", []string{"list", "--profile", "legacy-preview", "-o", "plain"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, nil, tc.args...)
			require.Equal(t, 0, r.code, r.stderr)
			assert.Empty(t, r.stderr)
			golden(t, tc.name, r.stdout)
		})
	}
}
