package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/settings"
)

// listOptions are the options of `arccheck list`.
type listOptions struct {
	selectionFlags
	*globalOptions
	// outputFlags are -o/--output and -j/--json (see listFormats).
	outputFlags
	// Changes is --changes: what differs between the older published tables and the current ones.
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
			"  arccheck list --changes                 # what changed since the older published tables",
		Long: "list prints the endpoints of the catalog (embedded, or --catalog FILE) that apply to the selection, as documented,\n" +
			"with when they are required, how they behave with Private Link, and where each comes from.",
		Args:   noArgs,
		PreRun: func(cmd *cobra.Command, args []string) { opts.changed = cmd.Flags().Changed },
		RunE: func(cmd *cobra.Command, args []string) error {
			return runList(opts, e, versionOf(cmd))
		},
	}
	opts.register(cmd.Flags())
	listFormats.register(cmd, &opts.outputFlags, true)
	completeSelection(cmd, &opts.selectionFlags)
	cmd.Flags().StringVar(&opts.Catalog, "catalog", endpoints.EmbeddedName, catalogUsage)
	cmd.Flags().BoolVar(&opts.Changes, "changes", false, "show what differs between the older published tables and the current ones ("+
		changesFormats.orNames()+")")
	return cmd
}

// format is the output format chosen, from changesFormats with --changes.
func (opts *listOptions) format() (*outputFormat[listOutput], error) {
	format, err := listFormats.choose(opts.outputFlags, opts.given("output"))
	if err != nil || !opts.Changes {
		return format, err
	}
	if changes, ok := changesFormats.lookup(format.name); ok {
		return changes, nil
	}
	return nil, badInput("--changes: shows %s, not with -o %s", changesFormats.asWords(), format.name)
}

func runList(opts *listOptions, e env, version string) error {
	format, err := opts.format()
	if err != nil {
		return err
	}
	a, err := opts.installedAgent(e)
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
	resolved, err := settings.Resolve(settings.Input{Selection: sel, Given: opts.givenFields(), Catalog: cat, Agent: a})
	if err != nil {
		return err
	}
	p := resolved.Endpoints
	if err := reportSettings(e, resolved, a, format.isTable()); err != nil {
		return err
	}
	if opts.Verbose {
		fmt.Fprintln(e.Stderr, "arccheck: "+report.ListSummary(p))
	}
	return format.writeOut(e, version, opts.NoColor, listOutput{plan: p, sources: report.SettingSources(resolved), agent: agentJSON(a)})
}
