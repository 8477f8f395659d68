package main

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/report"
)

// listSelections cover every cloud, list, mode and scenario the catalog has.
var listSelections = [][]string{
	{"-l", "westeurope", "-e", "all", "--include-all", "--set", "workspace-id=" + workspace, "--set", "dce=mydce", "--set", "vault=myvault"},
	{"--esu", "-e", "all"},
	{"--mode", "private-link", "-l", "westeurope"},
	{"--gateway-url", "https://contoso.gw.arc.azure.com", "-l", "westeurope", "-e", "all"},
	{"--profile", "legacy-preview"},
	{"--cloud", "usgov", "-l", "usgovvirginia", "-e", "all"},
	{"--cloud", "usgov", "--esu"},
	{"--cloud", "china", "-l", "chinaeast2", "-e", "all"},
	{"--cloud", "china", "--esu"},
}

// projectWords are words a user cannot look up: the project's own documents (the reference's seed files
// and Markdown notes, its audit) rather than Microsoft's pages. A file name inside a URL a person can
// open (a source's revision on GitHub) is not one: urlText is removed first.
var (
	projectWords = regexp.MustCompile(`(?i)seed|reference readme|reference names|\baudit|[\w-]+\.md\b|\b\d{3}_[0-9a-f]{16}\.txt\b`)
	urlText      = regexp.MustCompile(`https?://[^\s"',;|)]+`)
)

// TestListOutputNamesNoProjectDocuments: no output of list, in any of its formats or those of --changes
// (stdout, and stderr with -v), names a document only the project has; sources are Microsoft's pages.
func TestListOutputNamesNoProjectDocuments(t *testing.T) {
	for _, sel := range listSelections {
		var runs [][]string
		for _, f := range listFormats {
			runs = append(runs, append([]string{"list", "-v", "-o", f.name}, sel...))
		}
		for _, f := range changesFormats {
			runs = append(runs, append([]string{"list", "--changes", "-o", f.name}, sel...))
		}
		for _, args := range runs {
			r := runCLI(t, nil, args...)
			require.Equal(t, exitOK, r.code, "%v: %s", args, r.stderr)
			for _, out := range []string{r.stdout, r.stderr} {
				plain := urlText.ReplaceAllString(out, "URL")
				assert.Empty(t, projectWords.FindAllString(plain, 5), "%v", args)
			}
		}
	}
}

// TestListSourcesArePages: every source list -o json gives is a page a person can open: a title, an
// https address on a Microsoft documentation site, the table or section of it, and, for a page on
// learn.microsoft.com, the date of the version read and its source at that version.
func TestListSourcesArePages(t *testing.T) {
	microsoft := []string{"learn.microsoft.com", "docs.azure.cn"} // the latter: Azure operated by 21Vianet's docs
	for _, sel := range listSelections {
		doc := listJSON(t, sel...)
		sources := map[string][]report.SourceJSON{}
		for _, e := range doc.Endpoints {
			sources["endpoint "+e.Endpoint] = e.Sources
		}
		for _, tag := range doc.ServiceTags {
			sources["service tag "+tag.Name] = tag.Sources
		}
		for _, n := range doc.Notices {
			sources["notice "+n.Notice] = n.Sources
		}
		require.NotEmpty(t, sources, "%v", sel)
		for what, list := range sources {
			require.NotEmpty(t, list, "%v: %s", sel, what)
			for _, s := range list {
				u, err := url.Parse(s.URL)
				require.NoError(t, err, what)
				assert.Equal(t, "https", u.Scheme, "%s: %s", what, s.URL)
				assert.Contains(t, microsoft, u.Host, "%s: %s", what, s.URL)
				assert.NotEmpty(t, s.Title, what)
				assert.NotEmpty(t, s.Table, what)
				if u.Host == "learn.microsoft.com" {
					assert.Regexp(t, `^20\d\d-\d\d(-\d\d)?$`, s.Date, "%s: %s", what, s.Title)
					assert.True(t, strings.HasPrefix(s.Revision, "https://github.com/MicrosoftDocs/"), "%s: %s", what, s.Revision)
				}
			}
		}
	}
}
