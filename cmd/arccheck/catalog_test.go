package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/endpoints"
)

func TestCatalogExportRoundTripsThroughListCatalog(t *testing.T) {
	r := runCLI(t, nil, "catalog", "export")
	require.Equal(t, 0, r.code, r.stderr)
	file := filepath.Join(t.TempDir(), "catalog.txt")
	require.NoError(t, os.WriteFile(file, []byte(r.stdout), 0o644))

	emb := runCLI(t, nil, "list", "--agent", "off", "--cloud", "usgov", "-o", "plain")
	got := runCLI(t, nil, "list", "--agent", "off", "--cloud", "usgov", "-o", "plain", "--catalog", file)
	require.Equal(t, 0, got.code, got.stderr)
	assert.Equal(t, emb.stdout, got.stdout)

	// An edited file is honoured: a row removed is no longer listed.
	edited := strings.Replace(r.stdout, "Endpoint: pasff.usgovcloudapi.net\n", "Endpoint: pasff2.usgovcloudapi.net\n", 1)
	require.NoError(t, os.WriteFile(file, []byte(edited), 0o644))
	got = runCLI(t, nil, "list", "--agent", "off", "--cloud", "usgov", "-o", "plain", "--catalog", file)
	assert.Contains(t, got.stdout, "pasff2.usgovcloudapi.net")
	assert.NotContains(t, got.stdout, "pasff.usgovcloudapi.net\n")
}

func TestCatalogFlagRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	require.NoError(t, os.WriteFile(bad, []byte("Cloud: AzureCloud\n\nEndpoint: a.example\nPorts: ftp/21\n"), 0o644))
	cases := []struct{ value, want string }{
		{bad, "arccheck: --catalog: invalid catalog: " + bad + ":3: entry \"a.example\": List is missing\n"},
		{filepath.Join(dir, "none.txt"), "arccheck: --catalog: open " + filepath.Join(dir, "none.txt") + ": no such file or directory (want embedded or a catalog file; arccheck catalog export writes one)\n"},
		{"", "arccheck: --catalog: an empty value is not valid"},
	}
	for _, tc := range cases {
		r := runCLI(t, nil, "list", "--agent", "off", "--catalog", tc.value)
		assert.Equal(t, exitBadInput, r.code, tc.value)
		assert.Empty(t, r.stdout, "no partial output")
		assert.True(t, strings.HasPrefix(r.stderr, tc.want), "%q", r.stderr)
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line")
	}
}

func TestIncludeAllSelectsTheExtendedScenarios(t *testing.T) {
	plain := runCLI(t, nil, "list", "--agent", "off", "-o", "plain")
	all := runCLI(t, nil, "list", "--agent", "off", "-o", "plain", "--include-all")
	require.Equal(t, 0, all.code, all.stderr)
	assert.NotContains(t, plain.stdout, "dls.microsoft.com")
	assert.Contains(t, all.stdout, "dls.microsoft.com\n")
	r := runCLI(t, nil, "list", "--agent", "off", "-o", "plain", "-e", "payg")
	assert.Contains(t, r.stdout, "dls.microsoft.com\n")
}

func TestCatalogDiff(t *testing.T) {
	docs := filepath.Join("..", "..", "pkg", "catalogdiff", "testdata", "docs")
	r := runCLI(t, nil, "catalog", "diff", docs)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "CLOUD")
	assert.Regexp(t, `AzureCloud +standard +missing +new\.example\.com`, r.stdout)

	r = runCLI(t, nil, "catalog", "diff", docs, "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	var out diffJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
	emb, err := endpoints.Load()
	require.NoError(t, err)
	assert.Equal(t, "embedded", out.Catalog)
	assert.Equal(t, emb.SHA256, out.SHA256)
	assert.Contains(t, out.Differences, differenceJSON{Cloud: "AzureCloud", List: "standard", Kind: "missing", Endpoint: "new.example.com",
		Docs: "articles/azure-arc/servers/includes/network-requirements.md:13"})

	for _, args := range [][]string{{"catalog", "diff"}, {"catalog", "diff", t.TempDir()}, {"catalog", "diff", docs, "-o", "xml"}, {"catalog"}, {"catalog", "export", "x"}} {
		r := runCLI(t, nil, args...)
		assert.Equal(t, exitBadInput, r.code, "%v", args)
		assert.Empty(t, r.stdout, "%v", args)
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "%v: %q", args, r.stderr)
	}
}
