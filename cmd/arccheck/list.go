package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/report"
)

// listOptions are the options of `arccheck list`.
type listOptions struct {
	selectionFlags
	*globalOptions
	// Output is -o/--output: table, json or plain.
	Output string
	// JSON is -j/--json, shorthand for --output json.
	JSON bool
	// Changes is --changes: what differs between the seed-era tables and the current ones.
	Changes bool
	// Catalog is --catalog: embedded, or a catalog file.
	Catalog string
}

func newListCmd(e env, g *globalOptions) *cobra.Command {
	opts := &listOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the endpoints the agent needs for a cloud, region, mode and scenario",
		Example: "  arccheck list -l westeurope\n" +
			"  arccheck list --cloud usgov --esu -o json\n" +
			"  arccheck list -l westeurope -e ama --set workspace-id=<GUID> -o allowlist\n" +
			"  arccheck list --gateway-url https://contoso.gw.arc.azure.com -l westeurope\n" +
			"  arccheck list --changes                 # what changed since the seed-era tables",
		Long: "list prints the endpoints of the catalog (embedded, or --catalog FILE) that apply to the selection, as documented,\n" +
			"with when they are required, how they behave with Private Link, and where each comes from.\n" +
			"-o plain prints one host or pattern per line, ready for an allowlist.",
		Args:   noArgs,
		PreRun: func(cmd *cobra.Command, args []string) { opts.changed = cmd.Flags().Changed },
		RunE: func(cmd *cobra.Command, args []string) error {
			return runList(opts, e, cmd.Root().Version)
		},
	}
	opts.register(cmd.Flags())
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "table", "output format: "+strings.Join(listFormats, ", "))
	cmd.Flags().BoolVarP(&opts.JSON, "json", "j", false, "shorthand for --output json")
	completeSelection(cmd, &opts.selectionFlags)
	completeValues(cmd, "output", listFormats)
	cmd.Flags().StringVar(&opts.Catalog, "catalog", endpoints.EmbeddedName, catalogUsage)
	cmd.Flags().BoolVar(&opts.Changes, "changes", false, "show what differs between the seed-era tables and the current ones (table or json)")
	return cmd
}

// format is the output format chosen, checked.
func (opts *listOptions) format() (string, error) {
	format := opts.Output
	if opts.JSON {
		if opts.given("output") && opts.Output != "json" {
			return "", badInput("-j/--json: conflicts with -o %s (give one of them)", opts.Output)
		}
		format = "json"
	}
	if !slices.Contains(listFormats, format) {
		return "", badInput("-o/--output: unknown format %q (valid: %s)", opts.Output, strings.Join(listFormats, ", "))
	}
	if opts.Changes && format != "table" && format != "json" {
		return "", badInput("--changes: shows as a table or as json, not with -o %s", format)
	}
	return format, nil
}

func runList(opts *listOptions, e env, version string) error {
	format, err := opts.format()
	if err != nil {
		return err
	}
	view, err := opts.agentView(e)
	if err != nil {
		return err
	}
	if e.Context.Err() != nil { // stopped while the agent was read
		return stopped(e.Context, "nothing was listed")
	}
	sel, err := opts.selection()
	if err != nil {
		return err
	}
	cat, err := loadCatalog(opts.Catalog)
	if err != nil {
		return err
	}
	view.applySelection(&sel, opts.given)
	p, err := view.plan(cat, sel)
	if err != nil {
		return err
	}
	if err := view.report(e, format == "table" && !opts.Changes, false); err != nil {
		return err
	}
	if opts.Verbose {
		fmt.Fprintln(e.Stderr, "arccheck: "+report.ListSummary(p))
	}
	return opts.write(e, format, version, view, p)
}

// write writes the list in the chosen format.
func (opts *listOptions) write(e env, format, version string, view *agentView, p *endpoints.Plan) error {
	if export, ok := exports[format]; ok {
		unfilled, err := export(e.Stdout, p)
		for _, l := range unfilled.Lines() {
			fmt.Fprintln(e.Stderr, "arccheck: "+l)
		}
		if err != nil {
			return writeFailed(err)
		}
		return nil
	}
	tool := report.Tool{Name: "arccheck", Version: version}
	var err error
	switch {
	case opts.Changes && format == "json":
		err = report.ChangesJSON(e.Stdout, tool, p)
	case opts.Changes:
		err = report.ChangesTable(e.Stdout, p)
	case format == "json":
		err = report.ListJSON(e.Stdout, tool, p, opts.sources(view), view.json())
	case format == "plain":
		err = report.ListPlain(e.Stdout, p)
	default:
		err = report.ListTable(e.Stdout, p, report.TableOptions{Width: e.StdoutWidth})
	}
	if err != nil {
		return writeFailed(err)
	}
	return nil
}

// listFormats are the formats list writes.
var listFormats = []string{"table", "json", "plain", "allowlist", "csv", "squid", "azure-firewall"}

// exports are the formats for firewall and proxy teams: rules, never a placeholder (the endpoints that
// still need a value are said on stderr).
var exports = map[string]func(io.Writer, *endpoints.Plan) (report.Unfilled, error){
	"allowlist":      report.ListAllowlist,
	"csv":            report.ListCSV,
	"squid":          report.ListSquid,
	"azure-firewall": report.ListAzureFirewall,
}
