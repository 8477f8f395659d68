package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/report"
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
	big := filepath.Join(dir, "big.txt")
	require.NoError(t, os.WriteFile(big, make([]byte, 4<<20+1), 0o644))
	cases := []struct{ value, want string }{
		{bad, "arccheck: --catalog: invalid catalog: " + bad + ":3: entry \"a.example\": List is missing\n"},
		{filepath.Join(dir, "none.txt"), "arccheck: --catalog: " + filepath.Join(dir, "none.txt") + ": no such file or directory (want embedded or a catalog file; arccheck catalog export writes one)\n"},
		{dir, "arccheck: --catalog: " + dir + ": not a regular file (want embedded or a catalog file; arccheck catalog export writes one)\n"},
		{big, "arccheck: --catalog: invalid catalog: " + big + ": catalog file too large: more than 4194304 bytes\n"},
		{"none", "arccheck: --catalog: none is for check only (it checks only --endpoint URLs); here give embedded or a catalog file\n"},
		{"", "arccheck: --catalog: an empty value is not valid"},
	}
	fifo := mkfifo(t)
	cases = append(cases, struct{ value, want string }{fifo, "arccheck: --catalog: " + fifo + ": not a regular file (want embedded or a catalog file; arccheck catalog export writes one)\n"})
	for _, tc := range cases {
		for _, args := range [][]string{{"list", "--agent", "off"}, {"catalog", "diff", docsFixture}} {
			r := runCLI(t, nil, append(args, "--catalog", tc.value)...)
			assert.Equal(t, exitBadInput, r.code, tc.value)
			assert.Empty(t, r.stdout, "no partial output")
			assert.True(t, strings.HasPrefix(r.stderr, tc.want), "%v %q: %q", args, tc.value, r.stderr)
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line")
		}
	}
}

// mkfifo makes a FIFO in a test's directory. Reading it would block until a writer came: arccheck must
// refuse it instead.
func mkfifo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(path, 0o644))
	return path
}

// list -o json records the catalog file and its SHA-256 the listing came from.
func TestListJSONNamesTheCatalogFile(t *testing.T) {
	file, sum := exportedCatalog(t)
	r := runCLI(t, nil, "list", "--agent", "off", "-o", "json", "--catalog", file)
	require.Equal(t, exitOK, r.code, r.stderr)
	var doc report.ListDocument
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	assert.Equal(t, file, doc.Catalog)
	assert.Equal(t, sum, doc.CatalogSHA256)
	require.NotEmpty(t, doc.Endpoints)
	assert.Regexp(t, "^"+regexp.QuoteMeta(file)+":[0-9]+$", doc.Endpoints[0].Catalog, "each endpoint names its line in the file")

	r = runCLI(t, nil, "list", "--agent", "off", "-o", "json")
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	assert.Equal(t, "embedded", doc.Catalog)
	assert.Equal(t, sum, doc.CatalogSHA256, "an exported copy has the embedded catalog's checksum")
}

// exportedCatalog writes what catalog export writes to a file; it returns the path and its SHA-256.
func exportedCatalog(t *testing.T) (path, sha string) {
	t.Helper()
	r := runCLI(t, nil, "catalog", "export")
	require.Equal(t, exitOK, r.code, r.stderr)
	path = filepath.Join(t.TempDir(), "catalog.txt")
	require.NoError(t, os.WriteFile(path, []byte(r.stdout), 0o644))
	sum := sha256.Sum256([]byte(r.stdout))
	return path, hex.EncodeToString(sum[:])
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

// docsFixture is the fixture checkout of Microsoft's pages, and fixtureCatalog a catalog that differs
// from it in known ways.
var (
	docsFixture    = filepath.Join("..", "..", "pkg", "catalogdiff", "testdata", "docs")
	fixtureCatalog = filepath.Join("..", "..", "pkg", "catalogdiff", "testdata", "catalog.txt")
)

func TestCatalogDiff(t *testing.T) {
	r := runCLI(t, nil, "catalog", "diff", docsFixture, "--catalog", fixtureCatalog)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stderr)
	golden(t, "catalog-diff-fixture.txt", r.stdout)

	r = runCLI(t, nil, "catalog", "diff", docsFixture, "--catalog", fixtureCatalog, "-o", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "catalog-diff-fixture.json", r.stdout)
	assert.NotContains(t, r.stdout, `\u003c`, "no HTML escaping: <region> reads as written")
	var doc report.CatalogDiffDocument
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	assert.Equal(t, report.CatalogDiffSchema, doc.Schema)
	assert.Equal(t, docsFixture, doc.Docs)
	assert.Equal(t, fixtureCatalog, doc.Catalog)
	raw, err := os.ReadFile(fixtureCatalog)
	require.NoError(t, err)
	sum := sha256.Sum256(raw)
	assert.Equal(t, hex.EncodeToString(sum[:]), doc.CatalogSHA256)
	assert.Contains(t, doc.Differences, report.DifferenceJSON{Cloud: "AzureCloud", List: "standard", Kind: "missing", Endpoint: "new.example.com",
		Docs: "articles/azure-arc/servers/includes/network-requirements.md:13"})
	assert.Contains(t, doc.Differences, report.DifferenceJSON{Cloud: "AzureCloud", List: "standard", Kind: "differs",
		Endpoint: "<azure-keyvault-name>.vault.azure.net", Field: "private-link", Docs: "public", Catalog: "unspecified"})

	// The embedded catalog by default, named with its checksum.
	r = runCLI(t, nil, "catalog", "diff", docsFixture, "-o", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	emb, err := endpoints.Load()
	require.NoError(t, err)
	assert.Equal(t, "embedded", doc.Catalog)
	assert.Equal(t, emb.SHA256, doc.CatalogSHA256)
	assert.Contains(t, doc.Differences, report.DifferenceJSON{Cloud: "AzureCloud", List: "standard", Kind: "missing", Endpoint: "new.example.com",
		Docs: "articles/azure-arc/servers/includes/network-requirements.md:13"})

	// An exported copy of the embedded catalog compares as the embedded one does, named as the file.
	file, sha := exportedCatalog(t)
	r2 := runCLI(t, nil, "catalog", "diff", docsFixture, "-o", "json", "--catalog", file)
	require.Equal(t, exitOK, r2.code, r2.stderr)
	var fromFile report.CatalogDiffDocument
	require.NoError(t, json.Unmarshal([]byte(r2.stdout), &fromFile))
	assert.Equal(t, file, fromFile.Catalog)
	assert.Equal(t, sha, fromFile.CatalogSHA256)
	assert.Equal(t, len(doc.Differences), len(fromFile.Differences))

	cases := []struct {
		args []string
		want string
	}{
		{[]string{"catalog", "diff"}, "arccheck: catalog diff: give one DOCS_DIR, a checkout of MicrosoftDocs/azure-management-docs (got 0 arguments)\n"},
		{[]string{"catalog", "diff", ""}, "arccheck: catalog diff: DOCS_DIR is empty; give a checkout of MicrosoftDocs/azure-management-docs\n"},
		{[]string{"catalog", "diff", docsFixture, "-o", "xml"}, "arccheck: -o/--output: unknown format \"xml\" (valid: table, json)\n"},
		{[]string{"catalog"}, "arccheck: catalog: name a subcommand: export or diff (see 'arccheck catalog --help')\n"},
		{[]string{"catalog", "export", "x"}, ""},
	}
	for _, tc := range cases {
		r := runCLI(t, nil, tc.args...)
		assert.Equal(t, exitBadInput, r.code, "%v", tc.args)
		assert.Empty(t, r.stdout, "%v", tc.args)
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "%v: %q", tc.args, r.stderr)
		if tc.want != "" {
			assert.Equal(t, tc.want, r.stderr, "%v", tc.args)
		}
	}
	empty := t.TempDir()
	r = runCLI(t, nil, "catalog", "diff", empty)
	assert.Equal(t, exitBadInput, r.code)
	assert.Equal(t, "arccheck: catalog diff: not a checkout of MicrosoftDocs/azure-management-docs: "+empty+
		" has no articles/azure-arc/servers/network-requirements.md\n", r.stderr)
}

// TestCatalogDiffRefusesPagesItCannotTrust: a checkout whose pages cannot be read within the bounds, lead
// out of it, or lack their tables is bad input (exit 2) naming the file and the reason, never
// "no differences".
func TestCatalogDiffRefusesPagesItCannotTrust(t *testing.T) {
	const (
		network = "articles/azure-arc/servers/network-requirements.md"
		esu     = "articles/azure-arc/servers/includes/esu-network-requirements.md"
		gateway = "articles/azure-arc/servers/arc-gateway-endpoints.md"
	)
	cases := []struct {
		name   string
		change func(t *testing.T, dir string)
		page   string
		reason string
	}{
		{"include loop", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, network), "[!INCLUDE [self](./network-requirements.md)]\n")
		}, network, "includes nested too deep: more than 4 levels (an include loop?)"},
		{"missing include", func(t *testing.T, dir string) { require.NoError(t, os.Remove(filepath.Join(dir, esu))) },
			network + ":14", "the included ./includes/esu-network-requirements.md: not found: no such file"},
		{"symbolic link out of the checkout", func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, gateway)))
			require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(dir, gateway)))
		}, gateway, "outside the checkout: a symbolic link to /etc/passwd"},
		{"page too large", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, gateway), strings.Repeat("x", 2<<20+1))
		}, gateway, "too large: larger than 2097152 bytes"},
		{"no table", func(t *testing.T, dir string) { writeFile(t, filepath.Join(dir, esu), "The ESU table moved.\n") },
			network, "not found: no endpoint table of the ESU include (includes/esu-*.md)"},
		{"a FIFO", func(t *testing.T, dir string) {
			fifo := mkfifo(t)
			require.NoError(t, os.Remove(filepath.Join(dir, gateway)))
			require.NoError(t, os.Rename(fifo, filepath.Join(dir, gateway)))
		}, gateway, "not a regular file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "docs")
			require.NoError(t, os.CopyFS(dir, os.DirFS(docsFixture)))
			tc.change(t, dir)
			r := runCLI(t, nil, "catalog", "diff", dir)
			assert.Equal(t, exitBadInput, r.code)
			assert.Empty(t, r.stdout)
			assert.Equal(t, "arccheck: catalog diff: "+filepath.Join(dir, tc.page)+": "+tc.reason+"\n", r.stderr)
		})
	}
}

// writeFile writes text to path.
func writeFile(t *testing.T, path, text string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
}

// list -v says which catalog file the listing came from.
func TestListVerboseNamesTheCatalogFile(t *testing.T) {
	file, _ := exportedCatalog(t)
	r := runCLI(t, nil, "list", "--agent", "off", "-v", "-o", "plain", "--catalog", file)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `(?m)^arccheck: .*, [0-9]+ left out, from the `+regexp.QuoteMeta(file)+` catalog$`, r.stderr, "the file named once")
	assert.Equal(t, 1, strings.Count(r.stderr, file), r.stderr)
	r = runCLI(t, nil, "list", "--agent", "off", "-v", "-o", "plain")
	assert.Regexp(t, `(?m)^arccheck: .*, [0-9]+ left out, from the embedded catalog \(azurecloud\.txt\)$`, r.stderr)
}
