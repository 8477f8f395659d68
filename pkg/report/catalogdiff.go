package report

import (
	"fmt"
	"io"

	"github.com/arccheck/arccheck/pkg/catalogdiff"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/report/internal/grid"
	"github.com/arccheck/arccheck/pkg/report/internal/write"
)

// CatalogDiffSchema is the version tag of the JSON that `arccheck catalog diff -o json` writes.
const CatalogDiffSchema = "arccheck.catalogdiff/v1"

// CatalogDiffDocument is the JSON form of what differs between the catalog and Microsoft's pages.
type CatalogDiffDocument struct {
	Schema string `json:"schema"`
	Tool   Tool   `json:"tool"`
	// Docs is the checkout read, as given.
	Docs string `json:"docs"`
	// Catalog and CatalogSHA256 say which catalog was compared ("embedded" or the file given).
	Catalog       string           `json:"catalog"`
	CatalogSHA256 string           `json:"catalogSha256"`
	Differences   []DifferenceJSON `json:"differences"`
}

// DifferenceJSON is one difference between the catalog and the pages.
type DifferenceJSON struct {
	Cloud    string            `json:"cloud"`
	List     string            `json:"list"`
	Kind     catalogdiff.Kind  `json:"kind"`
	Endpoint string            `json:"endpoint"`
	Field    catalogdiff.Field `json:"field,omitempty"`
	// Docs is what the pages say (differs), or where the row is (missing: page:line).
	Docs string `json:"docs,omitempty"`
	// Catalog is what the catalog says (differs), or where the entry is (dropped: file:line).
	Catalog string `json:"catalog,omitempty"`
	// Known is set for a dropped entry the catalog already marks as legacy, disputed or ended.
	Known bool `json:"known,omitempty"`
}

// CatalogDiffJSON writes the differences between cat and the pages of the checkout docs as indented JSON.
func CatalogDiffJSON(w io.Writer, tool Tool, docs string, cat *endpoints.Catalog, diffs []catalogdiff.Difference) error {
	doc := CatalogDiffDocument{Schema: CatalogDiffSchema, Tool: tool, Docs: docs, Catalog: cat.Name, CatalogSHA256: cat.SHA256,
		Differences: []DifferenceJSON{}}
	for _, d := range diffs {
		doc.Differences = append(doc.Differences, DifferenceJSON{Cloud: d.Cloud, List: d.List, Kind: d.Kind, Endpoint: d.Endpoint,
			Field: d.Field, Docs: d.Docs, Catalog: d.Catalog, Known: d.Known})
	}
	return write.JSON(w, doc)
}

// CatalogDiffTable writes the differences for reading: one row per difference, then how many.
func CatalogDiffTable(out io.Writer, diffs []catalogdiff.Difference, o TableOptions) error {
	w := write.To(out)
	if len(diffs) == 0 {
		fmt.Fprintln(w, "No differences: every row of the pages is in the catalog, alike, and every catalog entry is on a page.")
		return w.Err()
	}
	g := &grid.Grid{Header: []string{"CLOUD", "LIST", "KIND", "ENDPOINT", "DETAIL"}, Flex: []int{4, 3}, SeeAll: o.SeeAll}
	for _, d := range diffs {
		g.Add(grid.Plain(d.Cloud), grid.Plain(d.List), grid.Plain(string(d.Kind)), grid.Plain(d.Endpoint), grid.Plain(diffDetail(d)))
	}
	if err := g.Render(w, o.Width, o.Color); err != nil && w.Err() == nil {
		return err
	}
	fmt.Fprintf(w, "%s: missing is on a page and not in the catalog, dropped is in the catalog and on no page, differs is on both with another value.\n",
		Plural(len(diffs), "difference"))
	return w.Err()
}

// diffDetail says in words what differs.
func diffDetail(d catalogdiff.Difference) string {
	switch d.Kind {
	case catalogdiff.KindMissing:
		return "on the page at " + d.Docs + ", not in the catalog"
	case catalogdiff.KindDropped:
		if d.Known {
			return "on no page; the catalog already marks it (legacy, disputed or Until), " + d.Catalog
		}
		return "on no page; in the catalog at " + d.Catalog
	}
	return fmt.Sprintf("%s: pages %q, catalog %q", d.Field, d.Docs, d.Catalog)
}
