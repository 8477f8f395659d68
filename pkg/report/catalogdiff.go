package report

import (
	"fmt"
	"io"

	"github.com/arccheck/arccheck/pkg/catalogdiff"
	"github.com/arccheck/arccheck/pkg/endpoints"
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
	return writeJSON(w, doc)
}

// CatalogDiffTable writes the differences for reading: one row per difference, then how many.
func CatalogDiffTable(out io.Writer, diffs []catalogdiff.Difference, o TableOptions) error {
	w := &errWriter{w: out}
	if len(diffs) == 0 {
		fmt.Fprintln(w, "No differences: every row of the pages is in the catalog, alike, and every catalog entry is on a page.")
		return w.err
	}
	g := &grid{header: []string{"CLOUD", "LIST", "KIND", "ENDPOINT", "DETAIL"}, flex: []int{4, 3}}
	for _, d := range diffs {
		g.add(plain(d.Cloud), plain(d.List), plain(string(d.Kind)), plain(d.Endpoint), plain(diffDetail(d)))
	}
	if err := g.render(w, o.Width, o.Color); err != nil && w.err == nil {
		return err
	}
	fmt.Fprintf(w, "%s: missing is on a page and not in the catalog, dropped is in the catalog and on no page, differs is on both with another value.\n",
		plural(len(diffs), "difference"))
	return w.err
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
