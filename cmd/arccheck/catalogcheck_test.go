package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCheckCatalogFile: check --catalog FILE probes the file's endpoints, records its name and SHA-256
// in the JSON, and refuses a bad file naming the file and line.
func TestCheckCatalogFile(t *testing.T) {
	r := runCLI(t, nil, "catalog", "export")
	require.Equal(t, exitOK, r.code, r.stderr)
	edited := strings.Replace(r.stdout, "Target: https://gbl.his.arc.azure.com\n", "Target: https://gbl2.his.arc.azure.com\n", 1)
	require.NotEqual(t, r.stdout, edited)
	file := filepath.Join(t.TempDir(), "catalog.txt")
	require.NoError(t, os.WriteFile(file, []byte(edited), 0o644))
	sum := sha256.Sum256([]byte(edited))

	doc, res := checkJSON(t, nil, "--agent", "off", "--catalog", file, "-l", "westeurope", "--timeout", "2s", "--resolve", "*:*:127.0.0.1")
	require.Equal(t, exitUnreachable, res.code, res.stderr)
	assert.Equal(t, file, doc.Settings.Catalog)
	assert.Equal(t, hex.EncodeToString(sum[:]), doc.Settings.CatalogSHA256)
	var urls []string
	for _, x := range doc.Results {
		urls = append(urls, x.Endpoint)
	}
	assert.Contains(t, urls, "https://gbl2.his.arc.azure.com", "the file's endpoint is probed")
	assert.NotContains(t, urls, "https://gbl.his.arc.azure.com", "the endpoint the file dropped is not")

	doc, res = checkJSON(t, nil, "--agent", "off", "-l", "westeurope", "--timeout", "2s", "--resolve", "*:*:127.0.0.1")
	require.Equal(t, exitUnreachable, res.code, res.stderr)
	assert.Equal(t, "embedded", doc.Settings.Catalog)
	assert.Len(t, doc.Settings.CatalogSHA256, 64)

	bad := filepath.Join(t.TempDir(), "bad.txt")
	require.NoError(t, os.WriteFile(bad, []byte("Cloud: AzureCloud\n\nEndpoint: a.example\nPorts: ftp/21\n"), 0o644))
	res = runCLI(t, nil, "check", "--agent", "off", "--catalog", bad, "-l", "westeurope")
	assert.Equal(t, exitBadInput, res.code)
	assert.Contains(t, res.stderr, "arccheck: --catalog: invalid catalog: "+bad+":3: ")
	assert.Empty(t, res.stdout, "nothing probed")
}

// TestCheckIncludeAll: check --include-all probes the extended scenarios' endpoint (dls.microsoft.com,
// licence validation) and records the scenarios; with --catalog none, which has no scenarios, it is
// refused before anything is probed.
func TestCheckIncludeAll(t *testing.T) {
	args := []string{"--agent", "off", "-l", "westeurope", "--timeout", "2s", "--resolve", "*:*:127.0.0.1"}
	doc, res := checkJSON(t, nil, append(args, "--include-all")...)
	require.Equal(t, exitUnreachable, res.code, res.stderr)
	var urls []string
	for _, x := range doc.Results {
		urls = append(urls, x.Endpoint)
	}
	assert.Contains(t, urls, "https://dls.microsoft.com")
	require.NotNil(t, doc.Settings.Selection)
	assert.Subset(t, doc.Settings.Selection.Scenarios, []string{"benefits", "hotpatch", "payg"})

	doc, res = checkJSON(t, nil, args...)
	require.Equal(t, exitUnreachable, res.code, res.stderr)
	urls = nil
	for _, x := range doc.Results {
		urls = append(urls, x.Endpoint)
	}
	assert.NotContains(t, urls, "https://dls.microsoft.com", "not without --include-all")

	res = runCLI(t, nil, "check", "--catalog", "none", "--endpoint", "https://127.0.0.1:1", "--include-all")
	assert.Equal(t, exitBadInput, res.code)
	assert.Empty(t, res.stdout, "nothing probed")
	assert.Equal(t, "arccheck: --include-all: selects catalog endpoints, which --catalog none leaves out; drop one of them\n", res.stderr)
}
