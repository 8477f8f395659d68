package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/arccheck/arccheck/pkg/catalogdiff"
	"github.com/arccheck/arccheck/pkg/endpoints"
)

// catalogDiffOptions are the options of `arccheck catalog diff`.
type catalogDiffOptions struct {
	// outputFlags are -o/--output (see catalogDiffFormats).
	outputFlags
	// Catalog is --catalog: the catalog compared, embedded or a file.
	Catalog string
}

func newCatalogCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "Export the embedded endpoint catalog, or compare it with Microsoft's documentation",
		Args:  subcommandArgs,
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
			"gateway).\n\n" +
			"Every page and include must be a regular file inside DOCS_DIR (at most 2 MiB each, 16 MiB in all, includes\n" +
			"nested at most 4 deep) and hold the tables it is known to hold, or nothing is compared.\n\n" +
			"Exit code 0 whether or not there are differences; 2 when DOCS_DIR is not such a checkout, a page or include\n" +
			"is missing, cannot be read within those bounds or lacks its table, or a flag is bad; 3 when the output\n" +
			"cannot be written.",
		Example: "  git clone --depth 1 https://github.com/MicrosoftDocs/azure-management-docs /tmp/amd\n" +
			"  arccheck catalog diff /tmp/amd\n  arccheck catalog diff /tmp/amd -o json --catalog catalog.txt",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return badInput("catalog diff: give one DOCS_DIR, a checkout of MicrosoftDocs/azure-management-docs (got %d arguments)", len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error { return runCatalogDiff(opts, e, args[0], versionOf(c)) },
	}
	catalogDiffFormats.register(cmd, &opts.outputFlags, false)
	cmd.Flags().StringVar(&opts.Catalog, "catalog", endpoints.EmbeddedName, catalogUsage)
	return cmd
}

func runCatalogDiff(opts *catalogDiffOptions, e env, dir, version string) error {
	format, err := catalogDiffFormats.find(opts.Output)
	if err != nil {
		return err
	}
	if dir == "" {
		return badInput("catalog diff: DOCS_DIR is empty; give a checkout of MicrosoftDocs/azure-management-docs")
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		// Refused before it is opened: opening a named pipe would wait for a writer.
		return badInput("catalog diff: %s: not a directory (want a checkout of MicrosoftDocs/azure-management-docs)", dir)
	}
	cat, err := loadCatalog(opts.Catalog)
	if err != nil {
		return err
	}
	docs, err := catalogdiff.Read(dir)
	var diffs []catalogdiff.Difference
	if err == nil {
		diffs, err = catalogdiff.Compare(cat, docs)
	}
	var page *catalogdiff.PageError
	var pe *fs.PathError
	switch {
	case errors.As(err, &page):
		return badInput("catalog diff: %s: %v", filepath.Join(dir, filepath.FromSlash(page.Page)), page.Err)
	case errors.Is(err, catalogdiff.ErrNotADocsCheckout) && errors.As(err, &pe):
		// The path and what went wrong, without the system call's name ("lstat").
		return badInput("catalog diff: %s: %v (want a checkout of MicrosoftDocs/azure-management-docs)", pe.Path, pe.Err)
	case errors.Is(err, catalogdiff.ErrNotADocsCheckout):
		return badInput("catalog diff: %v", err)
	case err != nil:
		return fmt.Errorf("catalog diff: %w", err)
	}
	return format.writeOut(e, version, opts.NoColor, catalogDiffOutput{docs: dir, catalog: cat, diffs: diffs})
}
