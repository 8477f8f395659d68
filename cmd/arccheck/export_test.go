package main

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestListExports: the firewall formats from the command line never print a placeholder or a path,
// and say on stderr what they could not name and which flag would.
func TestListExports(t *testing.T) {
	r := runCLI(t, nil, "list", "-l", "westeurope", "-e", "all", "-o", "allowlist")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.NotRegexp(t, `[<\[{/]`, r.stdout)
	assert.Contains(t, r.stdout, "www.microsoft.com 80 http\n")
	assert.Contains(t, r.stderr, "arccheck: not exported: <workspace-id>.ods.opinsights.azure.com (required): give --set workspace-id=VALUE")

	r = runCLI(t, nil, "list", "-l", "westeurope", "-o", "csv")
	require.Equal(t, exitOK, r.code, r.stderr)
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, "host_or_wildcard", rows[0][0])
	assert.Greater(t, len(rows), 10)

	for _, format := range []string{"squid", "azure-firewall"} {
		r = runCLI(t, nil, "list", "-l", "westeurope", "-o", format)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.NotContains(t, r.stdout, "<region>", format)
	}
	r = runCLI(t, nil, "list", "--changes", "-o", "csv")
	assert.Equal(t, exitBadInput, r.code)
	assert.Equal(t, "arccheck: --changes: shows as a table or as json, not with -o csv\n", r.stderr)
}
