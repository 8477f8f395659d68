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

// fixtureCatalog is a catalog in the data/ format that differs from the fixture pages in known ways.
const fixtureCatalog = `Cloud: AzureCloud

Endpoint: download.microsoft.com
List: standard
Description: d
When: install
PrivateLink: public
Ports: https/443
Source: network requirements, 2026-04 | t

Endpoint: login.microsoftonline.com
List: standard
Description: d
When: always
PrivateLink: private
Ports: https/443
Bypass: AAD
Source: network requirements, 2026-04 | t

Endpoint: *.login.microsoft.com
List: standard
Description: d
When: always
PrivateLink: public
Ports: https/443
Bypass: AAD
NotTested: wildcard
Source: network requirements, 2026-04 | t

Endpoint: *.his.arc.azure.com
List: standard
Description: d
When: always
PrivateLink: private
Ports: https/443
Bypass: Arc
NotTested: wildcard
Source: network requirements, 2026-04 | t

Endpoint: dc.services.visualstudio.com
List: standard
Description: d
When: always
PrivateLink: public
Ports: https/443
Source: network requirements, 2026-04 | t

Endpoint: <azure-keyvault-name>.vault.azure.net
List: standard
Description: d
When: scenario
Scenarios: sql
PrivateLink: unspecified
Ports: https/443
Source: network requirements, 2026-04 | t

Endpoint: www.microsoft.com/pkiops/certs
List: standard
Description: d
When: scenario
Scenarios: esu
PrivateLink: public
Ports: https/443
Source: network requirements, 2026-04 | t

Endpoint: gone.example.com
List: standard
Description: d
When: always
PrivateLink: public
Ports: https/443
Source: network requirements, 2026-04 | t

Endpoint: old.example.com
List: standard
Description: d
When: always
PrivateLink: public
Ports: https/443
Legacy: dropped long ago
Source: network requirements, 2026-04 | t

Endpoint: direct.example.com
List: extensions
Description: d
When: scenario
Scenarios: hrw
PrivateLink: unspecified
Ports: https/443
Gateway: direct
Source: network requirements, 2026-04 | t

Cloud: AzureUSGovernment

Endpoint: login.microsoftonline.us
List: standard
Description: d
When: always
PrivateLink: public
Ports: https/443
Source: network requirements, 2026-04 | t

Endpoint: *.blob.core.usgovcloudapi.net
List: standard
Description: d
When: always
PrivateLink: unspecified
Ports: https/443
NotTested: wildcard
Source: network requirements, 2026-04 | t

Cloud: AzureCloud
Regions: westeurope

Cloud: AzureUSGovernment
Regions: usgovvirginia
`

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
	cat, err := endpoints.ParseFile("fixture.txt", strings.NewReader(fixtureCatalog))
	require.NoError(t, err)
	d, err := Read(filepath.Join("testdata", "docs"))
	require.NoError(t, err)
	var got []string
	for _, x := range Compare(cat, d) {
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

func TestReadRefusesADirectoryWithoutThePages(t *testing.T) {
	_, err := Read(t.TempDir())
	assert.ErrorIs(t, err, ErrNotADocsCheckout)
}

func TestReadBoundsIncludes(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, PageNetwork)
	require.NoError(t, os.MkdirAll(filepath.Dir(page), 0o755))
	require.NoError(t, os.WriteFile(page, []byte("[!INCLUDE [self](./network-requirements.md)]\n"), 0o644))
	_, err := Read(dir)
	assert.ErrorContains(t, err, "nested deeper")
}
