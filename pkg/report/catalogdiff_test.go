package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/catalogdiff"
	"github.com/arccheck/arccheck/pkg/endpoints"
)

func TestCatalogDiffJSON(t *testing.T) {
	cat := &endpoints.Catalog{Name: "my.txt", SHA256: "abc"}
	diffs := []catalogdiff.Difference{
		{Cloud: "AzureCloud", List: "standard", Kind: catalogdiff.KindMissing, Endpoint: "<region>.example.com", Docs: "p.md:3"},
		{Cloud: "AzureCloud", List: "esu", Kind: catalogdiff.KindDropped, Endpoint: "old.example.com", Catalog: "my.txt:9", Known: true},
	}
	var b bytes.Buffer
	require.NoError(t, CatalogDiffJSON(&b, Tool{Name: "arccheck", Version: "1"}, "/docs", cat, diffs))
	assert.Contains(t, b.String(), `"endpoint": "<region>.example.com"`, "no HTML escaping")
	var doc CatalogDiffDocument
	require.NoError(t, json.Unmarshal(b.Bytes(), &doc))
	assert.Equal(t, CatalogDiffDocument{Schema: CatalogDiffSchema, Tool: Tool{Name: "arccheck", Version: "1"}, Docs: "/docs",
		Catalog: "my.txt", CatalogSHA256: "abc", Differences: []DifferenceJSON{
			{Cloud: "AzureCloud", List: "standard", Kind: catalogdiff.KindMissing, Endpoint: "<region>.example.com", Docs: "p.md:3"},
			{Cloud: "AzureCloud", List: "esu", Kind: catalogdiff.KindDropped, Endpoint: "old.example.com", Catalog: "my.txt:9", Known: true},
		}}, doc)

	b.Reset()
	require.NoError(t, CatalogDiffJSON(&b, Tool{}, "/docs", cat, nil))
	assert.Contains(t, b.String(), `"differences": []`, "an empty list, not null")
}

func TestCatalogDiffTable(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, CatalogDiffTable(&b, nil, TableOptions{}))
	assert.Equal(t, "No differences: every row of the pages is in the catalog, alike, and every catalog entry is on a page.\n", b.String())

	b.Reset()
	diffs := []catalogdiff.Difference{
		{Cloud: "AzureCloud", List: "standard", Kind: catalogdiff.KindDiffers, Endpoint: "a.example\x1b[31m", Field: catalogdiff.FieldPort,
			Docs: "http/80,https/443", Catalog: "https/443"},
	}
	require.NoError(t, CatalogDiffTable(&b, diffs, TableOptions{}))
	assert.NotContains(t, b.String(), "\x1b", "text read from a page is sanitized")
	assert.Contains(t, b.String(), `port: pages "http/80,https/443", catalog "https/443"`)
	assert.Contains(t, b.String(), "\n1 difference: ")

	var full failing
	assert.ErrorIs(t, CatalogDiffTable(full, diffs, TableOptions{}), assert.AnError, "a failed write is returned")
	assert.ErrorIs(t, CatalogDiffTable(full, nil, TableOptions{}), assert.AnError)
}

// failing is an output every write to fails, as a full or closed one does.
type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, assert.AnError }
