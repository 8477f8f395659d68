package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/arccheck/arccheck/pkg/catalogdiff"
	"github.com/arccheck/arccheck/pkg/endpoints"
)

// catalogDiffOptions are the options of `arccheck catalog diff`.
type catalogDiffOptions struct {
	// Output is -o/--output: table or json.
	Output string
	// Catalog is --catalog: the catalog compared, embedded or a file.
	Catalog string
}

// catalogDiffFormats are the formats catalog diff writes.
var catalogDiffFormats = []string{"table", "json"}

func newCatalogCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "Export the embedded endpoint catalog, or compare it with Microsoft's documentation",
		Args:  noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			return badInput("catalog: name a subcommand: export or diff (see 'arccheck catalog --help')")
		},
	}
	cmd.AddCommand(newCatalogExportCmd(e), newCatalogDiffCmd(e))
	return cmd
}

func newCatalogExportCmd(e env) *cobra.Command {
	return &cobra.Command{
		Use:     "export",
		Short:   "Write the embedded catalog as one file, a starting point for --catalog FILE",
		Example: "  arccheck catalog export > catalog.txt\n  arccheck list --catalog catalog.txt -l westeurope",
		Args:    noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if err := endpoints.Export(e.Stdout); err != nil {
				return writeFailed(err)
			}
			return nil
		},
	}
}

func newCatalogDiffCmd(e env) *cobra.Command {
	opts := &catalogDiffOptions{}
	cmd := &cobra.Command{
		Use:   "diff DOCS_DIR",
		Short: "Compare the catalog with a local checkout of MicrosoftDocs/azure-management-docs",
		Long: "diff reads the endpoint tables of the Arc servers' network requirements and ESU pages (every cloud\n" +
			"tab), the Arc gateway endpoint list and the proxy-bypass table from DOCS_DIR, a checkout of\n" +
			"https://github.com/MicrosoftDocs/azure-management-docs, and prints per cloud and list what the\n" +
			"catalog lacks (missing), what it has that the pages dropped (dropped; known when the catalog\n" +
			"already marks it legacy, disputed or ended) and what differs (port, private link, bypass, required,\n" +
			"gateway). Exit code 0 whether or not there are differences; 2 when DOCS_DIR is not such a checkout.",
		Example: "  git clone --depth 1 https://github.com/MicrosoftDocs/azure-management-docs /tmp/amd\n" +
			"  arccheck catalog diff /tmp/amd\n  arccheck catalog diff /tmp/amd -o json --catalog catalog.txt",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return badInput("catalog diff: give one DOCS_DIR, a checkout of MicrosoftDocs/azure-management-docs (got %d arguments)", len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error { return runCatalogDiff(opts, e, args[0]) },
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "table", "output format: "+strings.Join(catalogDiffFormats, ", "))
	cmd.Flags().StringVar(&opts.Catalog, "catalog", endpoints.EmbeddedName, catalogUsage)
	completeValues(cmd, "output", catalogDiffFormats)
	return cmd
}

func runCatalogDiff(opts *catalogDiffOptions, e env, dir string) error {
	if opts.Output != "table" && opts.Output != "json" {
		return badInput("-o/--output: unknown format %q (valid: %s)", opts.Output, strings.Join(catalogDiffFormats, ", "))
	}
	cat, err := loadCatalog(opts.Catalog)
	if err != nil {
		return err
	}
	docs, err := catalogdiff.Read(dir)
	if errors.Is(err, catalogdiff.ErrNotADocsCheckout) {
		return badInput("catalog diff: %v", err)
	}
	if err != nil {
		return err
	}
	diffs := catalogdiff.Compare(cat, docs)
	if opts.Output == "json" {
		err = writeDiffJSON(e.Stdout, dir, cat, diffs)
	} else {
		err = writeDiffTable(e.Stdout, diffs)
	}
	if err != nil {
		return writeFailed(err)
	}
	return nil
}

// diffJSON is the JSON of catalog diff. (Its schema belongs with the other reports in pkg/report.)
type diffJSON struct {
	Docs        string           `json:"docs"`
	Catalog     string           `json:"catalog"`
	SHA256      string           `json:"catalogSha256"`
	Differences []differenceJSON `json:"differences"`
}

type differenceJSON struct {
	Cloud    string `json:"cloud"`
	List     string `json:"list"`
	Kind     string `json:"kind"`
	Endpoint string `json:"endpoint"`
	Field    string `json:"field,omitempty"`
	Docs     string `json:"docs,omitempty"`
	Catalog  string `json:"catalog,omitempty"`
	Known    bool   `json:"known,omitempty"`
}

func writeDiffJSON(w io.Writer, dir string, cat *endpoints.Catalog, diffs []catalogdiff.Difference) error {
	out := diffJSON{Docs: dir, Catalog: cat.Name, SHA256: cat.SHA256, Differences: []differenceJSON{}}
	for _, d := range diffs {
		out.Differences = append(out.Differences, differenceJSON{Cloud: d.Cloud, List: d.List, Kind: string(d.Kind),
			Endpoint: d.Endpoint, Field: string(d.Field), Docs: d.Docs, Catalog: d.Catalog, Known: d.Known})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeDiffTable(w io.Writer, diffs []catalogdiff.Difference) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CLOUD\tLIST\tKIND\tENDPOINT\tDETAIL")
	for _, d := range diffs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.Cloud, d.List, d.Kind, d.Endpoint, diffDetail(d))
	}
	if len(diffs) == 0 {
		fmt.Fprintln(tw, "(no differences)")
	}
	return tw.Flush()
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
