package catalogdiff

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/endpoints"
)

// fixtureCatalog is the path of a catalog in the data/ format that differs from the fixture pages in
// known ways.
var fixtureCatalog = filepath.Join("testdata", "catalog.txt")

func TestReadFixturePages(t *testing.T) {
	d, err := Read(filepath.Join("testdata", "docs"))
	require.NoError(t, err)
	var got []string
	for _, r := range d.Rows {
		got = append(got, r.Cloud+" "+r.List+" "+r.Endpoint)
	}
	assert.Equal(t, []string{
		"AzureCloud standard download.microsoft.com", "AzureCloud standard login.microsoftonline.com",
		"AzureCloud standard *.login.microsoft.com", "AzureCloud standard *.his.arc.azure.com",
		"AzureCloud standard new.example.com", "AzureCloud standard dc.services.visualstudio.com",
		"AzureCloud standard <azure-keyvault-name>.vault.azure.net", "AzureCloud standard www.microsoft.com/pkiops/certs",
		"AzureUSGovernment standard login.microsoftonline.us", "AzureUSGovernment standard *.blob.core.usgovcloudapi.net",
		"AzureChinaCloud standard login.chinacloudapi.cn", "AzureCloud esu login.microsoftonline.com",
	}, got)
	assert.Equal(t, []string{"*.his.arc.azure.com", "direct.example.com:443"}, d.GatewayCarried)
	assert.Equal(t, map[string]string{"login.microsoftonline.com": "AAD", "pas.windows.net": "AAD", "his.arc.azure.com": "Arc"}, d.Bypass)
	dc := d.Rows[5]
	assert.False(t, dc.Required, "Optional")
	assert.Equal(t, "articles/azure-arc/servers/includes/network-requirements.md", dc.Page)
	assert.Equal(t, 14, dc.Line)
	assert.Equal(t, []endpoints.Port{{Scheme: "http", Number: 80}, {Scheme: "https", Number: 443}}, d.Rows[7].Ports)
	assert.Equal(t, endpoints.PrivateLinkNotUsed, d.Rows[9].PrivateLink)
	assert.Equal(t, endpoints.PrivateLinkUnspecified, d.Rows[10].PrivateLink, "the 21Vianet table has no such column")
}

func TestCompareFixture(t *testing.T) {
	cat, err := endpoints.ParseFile(fixtureCatalog)
	require.NoError(t, err)
	d, err := Read(filepath.Join("testdata", "docs"))
	require.NoError(t, err)
	diffs, err := Compare(cat, d)
	require.NoError(t, err)
	var got []string
	for _, x := range diffs {
		s := x.Cloud + " " + x.List + " " + string(x.Kind) + " " + x.Endpoint
		if x.Field != "" {
			s += " " + string(x.Field) + ": " + x.Docs + " / " + x.Catalog
		}
		if x.Known {
			s += " (known)"
		}
		got = append(got, s)
	}
	assert.Equal(t, []string{
		"AzureChinaCloud standard missing login.chinacloudapi.cn",
		"AzureCloud esu missing login.microsoftonline.com",
		"AzureCloud extensions differs direct.example.com gateway: carried / direct",
		"AzureCloud standard differs *.login.microsoft.com bypass:  / AAD",
		"AzureCloud standard differs <azure-keyvault-name>.vault.azure.net private-link: public / unspecified",
		"AzureCloud standard differs dc.services.visualstudio.com required: optional / required",
		"AzureCloud standard differs login.microsoftonline.com private-link: public / private",
		"AzureCloud standard differs www.microsoft.com/pkiops/certs port: http/80,https/443 / https/443",
		"AzureCloud standard dropped gone.example.com",
		"AzureCloud standard dropped old.example.com (known)",
		"AzureCloud standard missing new.example.com",
		"AzureUSGovernment standard differs *.blob.core.usgovcloudapi.net private-link: not-used / unspecified",
	}, got)
}

// A cloud of the catalog that no table describes is an error naming it, not "no differences".
func TestCompareRefusesACloudThePagesLack(t *testing.T) {
	text, err := os.ReadFile(fixtureCatalog)
	require.NoError(t, err)
	extra := strings.Replace(string(text), "Cloud: AzureCloud\nRegions:", "Cloud: AzureStack\n\n"+
		"Endpoint: a.example\nList: standard\nDescription: d\nWhen: always\nPrivateLink: public\nPorts: https/443\n"+
		"Source: network-requirements@b703da5a | t\n\nCloud: AzureStack\nRegions: local\n\nCloud: AzureCloud\nRegions:", 1)
	cat := fixture(t, extra)
	require.Contains(t, extra, "Cloud: AzureStack")
	d, err := Read(filepath.Join("testdata", "docs"))
	require.NoError(t, err)
	diffs, err := Compare(cat, d)
	assert.Nil(t, diffs)
	assert.ErrorIs(t, err, ErrNotFound)
	assert.EqualError(t, err, pageNetwork+": not found: no endpoint table for AzureStack, a cloud of the "+cat.Name+" catalog")
}

// fixture parses a catalog text as --catalog FILE does.
func fixture(t *testing.T, text string) *endpoints.Catalog {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fixture.txt")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	cat, err := endpoints.ParseFile(path)
	require.NoError(t, err)
	return cat
}

func TestReadRefusesADirectoryWithoutThePages(t *testing.T) {
	for _, dir := range []string{t.TempDir(), filepath.Join(t.TempDir(), "none"), ""} {
		_, err := Read(dir)
		assert.ErrorIs(t, err, ErrNotADocsCheckout, dir)
	}
}

// copyFixture copies the fixture checkout to a directory the test may change.
func copyFixture(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "docs")
	require.NoError(t, os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "docs"))))
	return dir
}

// writePage writes a page of a checkout, relative to its root.
func writePage(t *testing.T, dir, page, text string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, page)), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, page), []byte(text), 0o644))
}

// TestReadRefusesWhatItCannotTrust: every page or include that is missing, outside the checkout, too
// large, nested too deep, or lacks the tables it is known to hold is an error naming the page and the
// reason; none reads as an empty list.
func TestReadRefusesWhatItCannotTrust(t *testing.T) {
	const include = "articles/azure-arc/servers/includes/network-requirements.md"
	const esu = "articles/azure-arc/servers/includes/esu-network-requirements.md"
	cases := []struct {
		name   string
		change func(t *testing.T, dir string)
		is     error
		want   string
	}{
		{"include loop", func(t *testing.T, dir string) {
			writePage(t, dir, pageNetwork, "[!INCLUDE [self](./network-requirements.md)]\n")
		}, ErrIncludesTooDeep, pageNetwork + ": includes nested too deep: more than 4 levels (an include loop?)"},
		{"missing include", func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, esu)))
		}, ErrNotFound, pageNetwork + ":14: the included ./includes/esu-network-requirements.md: not found: no such file"},
		{"include out of the root", func(t *testing.T, dir string) {
			writePage(t, dir, pageNetwork, "[!INCLUDE [x](../../../../etc/passwd)]\n")
		}, ErrOutsideCheckout, "../etc/passwd: outside the checkout: the path leaves the checkout's root"},
		{"symbolic link out of the checkout", func(t *testing.T, dir string) {
			outside := filepath.Join(t.TempDir(), "secret.md")
			require.NoError(t, os.WriteFile(outside, []byte("| `secret` |\n"), 0o644))
			require.NoError(t, os.Remove(filepath.Join(dir, esu)))
			require.NoError(t, os.Symlink(outside, filepath.Join(dir, esu)))
		}, ErrOutsideCheckout, esu + ": outside the checkout: a symbolic link to "},
		{"page too large", func(t *testing.T, dir string) {
			writePage(t, dir, include, strings.Repeat("x", maxPage+1))
		}, ErrTooLarge, include + ": too large: larger than 2097152 bytes"},
		{"includes too large together", func(t *testing.T, dir string) {
			writePage(t, dir, "articles/azure-arc/servers/big.md", strings.Repeat("x", maxPage-1)+"\n")
			writePage(t, dir, pageNetwork, strings.Repeat("[!INCLUDE [big](./big.md)]\n", maxTotal/maxPage+1))
		}, ErrTooLarge, "articles/azure-arc/servers/big.md: too large: the pages and their includes add up to more than 16777216 bytes"},
		{"a page is a directory", func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, esu)))
			require.NoError(t, os.Mkdir(filepath.Join(dir, esu), 0o755))
		}, ErrNotRegularFile, esu + ": not a regular file"},
		{"a cloud tab without a table", func(t *testing.T, dir string) {
			text, err := os.ReadFile(filepath.Join(dir, include))
			require.NoError(t, err)
			writePage(t, dir, include, strings.Replace(string(text), "(#tab/azure-government)", "(#tab/azure-gov)", 1))
		}, ErrNotFound, pageNetwork + ": not found: no endpoint table under the #tab/azure-government tab (AzureUSGovernment), in it or its includes"},
		{"no ESU table", func(t *testing.T, dir string) {
			writePage(t, dir, esu, "The ESU table moved.\n")
		}, ErrNotFound, pageNetwork + ": not found: no endpoint table of the ESU include (includes/esu-*.md)"},
		{"no gateway page", func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, pageGateway)))
		}, ErrNotFound, pageGateway + ": not found: no such file"},
		{"no gateway hosts", func(t *testing.T, dir string) {
			writePage(t, dir, pageGateway, "# Arc gateway endpoint list\n\nSee elsewhere.\n")
		}, ErrNotFound, pageGateway + ": not found: no code block of host names"},
		{"no bypass table", func(t *testing.T, dir string) {
			writePage(t, dir, pageProxy, "| Proxy bypass value | Affected endpoints |\n| --- | --- |\n| AAD | login.microsoftonline.com |\n")
		}, ErrNotFound, pageProxy + ": not found: no proxy-bypass table (`AAD` | `host`)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyFixture(t)
			tc.change(t, dir)
			d, err := Read(dir)
			assert.Nil(t, d)
			assert.ErrorIs(t, err, tc.is)
			var pe *PageError
			require.ErrorAs(t, err, &pe)
			assert.True(t, strings.HasPrefix(err.Error(), tc.want), "%q", err)
		})
	}
	_, err := Read(copyFixture(t))
	assert.NoError(t, err, "the copy itself is read")
}
