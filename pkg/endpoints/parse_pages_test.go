package endpoints

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseReadsTheSourcesTable(t *testing.T) {
	c, err := Parse(fstest.MapFS{
		"azurecloud.txt": {Data: []byte(goodCloud + goodEntry)},
		"regions.txt":    {Data: []byte(goodRegions)},
		"sources.txt":    {Data: []byte("# the pages\n" + goodPage + "Short: Network requirements\nBaseline: yes\n")},
	})
	require.NoError(t, err)
	require.Len(t, c.Pages, 1)
	p := c.Pages[0]
	assert.Equal(t, "network-requirements@9f3f69f6", p.ID)
	assert.Equal(t, "Connected Machine agent network requirements", p.Title)
	assert.Equal(t, "Network requirements", p.Short)
	assert.Equal(t, "https://learn.microsoft.com/en-us/azure/azure-arc/servers/network-requirements", p.URL)
	assert.Equal(t, "2024-03-19", p.Date.Raw)
	assert.True(t, p.Baseline)
	assert.Equal(t, "sources.txt:2", p.Pos)
	src := c.Clouds[0].Entries[0].Sources
	require.Len(t, src, 1)
	assert.Same(t, p, src[0].Page, "rows share the table's page")
	assert.Equal(t, "Azure Cloud table", src[0].Table)

	// Short defaults to the Title; a page that publishes no history has no Date nor Revision.
	c, err = Parse(fstest.MapFS{
		"azurecloud.txt": {Data: []byte(goodCloud + strings.Replace(goodEntry, "network-requirements@9f3f69f6", "network-requirements-21vianet", 1))},
		"regions.txt":    {Data: []byte(goodRegions)},
		"sources.txt": {Data: []byte("Page: network-requirements-21vianet\nTitle: Connected Machine agent network requirements\n" +
			"URL: https://docs.azure.cn/en-us/azure-arc/servers/network-requirements\n")},
	})
	require.NoError(t, err)
	assert.Equal(t, c.Pages[0].Title, c.Pages[0].Short)
	assert.True(t, c.Pages[0].Date.IsZero())
}

func TestParseRejectsBadPages(t *testing.T) {
	page := func(old, new string) string { return strings.Replace(goodPage, old, new, 1) }
	cases := []struct{ name, pages, want string }{
		{"unknown key", goodPage + "Author: me\n", `sources.txt:6: unknown page key "Author" (valid: Page, Title, Short, URL, Date, Revision, Baseline)`},
		{"file name as ID", page("network-requirements@9f3f69f6", "002_13d341821de41fb0.txt"),
			`sources.txt:1: page "002_13d341821de41fb0.txt": bad Page ID`},
		{"no title", page("Title: Connected Machine agent network requirements\n", ""), `page "network-requirements@9f3f69f6": Title is missing`},
		{"no URL", page("URL: https://learn.microsoft.com/en-us/azure/azure-arc/servers/network-requirements\n", ""), `URL "": want the page's https:// address`},
		{"http URL", page("https://learn", "http://learn"), `URL "http://learn.microsoft.com/en-us/azure/azure-arc/servers/network-requirements": want the page's https:// address`},
		{"a file, not a URL", page("URL: https://learn.microsoft.com/en-us/azure/azure-arc/servers/network-requirements", "URL: servers/includes/network-requirements.md"),
			`URL "servers/includes/network-requirements.md"`},
		{"revision at another commit", page("9f3f69f6c7e3", "5c2ac4f31be1"), `Revision must be the page's source at commit 9f3f69f6, as the ID says`},
		{"ID names a commit, no revision", page("Revision:", "#Revision:"), `Revision must be the page's source at commit 9f3f69f6`},
		{"bad date", page("Date: 2024-03-19", "Date: March 2024"), `Date: want the version's date`},
		{"agent version as date", page("Date: 2024-03-19", "Date: agent 1.57"), `Date: want the version's date`},
		{"bad baseline", goodPage + "Baseline: maybe\n", `unknown Baseline "maybe" (valid: yes)`},
		{"defined twice", goodPage + "\n" + goodPage, `sources.txt:7: page "network-requirements@9f3f69f6" is already defined at sources.txt:1`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(fstest.MapFS{"azurecloud.txt": {Data: []byte(goodCloud + goodEntry)}, "regions.txt": {Data: []byte(goodRegions)},
				"sources.txt": {Data: []byte(tc.pages)}})
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidCatalog)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// A one-file catalog (--catalog FILE) holds its Page stanzas anywhere; a Source naming a page it lacks
// is refused with the file and line of that Source.
func TestParseFileReadsPagesAnywhere(t *testing.T) {
	regions := "Cloud: AzureCloud\nRegions: westeurope\n"
	for _, text := range []string{goodPage + "\n" + goodCloud + goodEntry + "\n" + regions, goodCloud + goodEntry + "\n" + regions + "\n" + goodPage} {
		c, err := ParseFile(writeFile(t, "one.txt", text))
		require.NoError(t, err)
		require.Len(t, c.Pages, 1)
		assert.Equal(t, "Connected Machine agent network requirements", c.Clouds[0].Entries[0].Sources[0].Page.Title)
	}
	_, err := ParseFile(writeFile(t, "one.txt", goodCloud+goodEntry+"Source: blog | t\n\n"+regions+"\n"+goodPage))
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrInvalidCatalog)
	assert.Contains(t, err.Error(), `one.txt:11: entry "example.com": unknown Source page "blog"`)
	assert.NotContains(t, err.Error(), "export it again")
	_, err = ParseFile(writeFile(t, "old.txt", goodCloud+goodEntry+"Source: 002_13d341821de41fb0.txt | t\n\n"+regions+"\n"+goodPage))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a catalog exported by an older arccheck names documents by file: export it again (arccheck catalog export)")
}
