package main

import (
	"fmt"

	"github.com/spf13/cobra"

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
}

func newListCmd(e env, g *globalOptions) *cobra.Command {
	opts := &listOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the endpoints the agent needs for a cloud, region, mode and scenario",
		Long: "list prints the endpoints of the embedded catalog that apply to the selection, as documented,\n" +
			"with when they are required, how they behave with Private Link, and where each comes from.\n" +
			"-o plain prints one host or pattern per line, ready for an allowlist.",
		Args:   noArgs,
		PreRun: func(cmd *cobra.Command, args []string) { opts.changed = cmd.Flags().Changed },
		RunE: func(cmd *cobra.Command, args []string) error {
			return runList(opts, e, cmd.Root().Version)
		},
	}
	opts.register(cmd.Flags())
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "table", "output format: table, json or plain")
	cmd.Flags().BoolVarP(&opts.JSON, "json", "j", false, "shorthand for --output json")
	cmd.Flags().BoolVar(&opts.Changes, "changes", false, "show what differs between the seed-era tables and the current ones (table or json)")
	return cmd
}

func runList(opts *listOptions, e env, version string) error {
	format := opts.Output
	if opts.JSON {
		format = "json"
	}
	switch format {
	case "table", "json", "plain":
	default:
		return badInput("-o/--output: unknown format %q (valid: table, json, plain)", opts.Output)
	}
	if opts.Changes && format == "plain" {
		return badInput("--changes: shows as a table or as json, not with -o plain")
	}
	view, err := opts.agentView(e)
	if err != nil {
		return err
	}
	sel, err := opts.selection()
	if err != nil {
		return err
	}
	view.applySelection(&sel, opts.given)
	p, err := view.plan(sel)
	if err != nil {
		return err
	}
	if err := view.report(e, format == "table" && !opts.Changes, false); err != nil {
		return err
	}
	if opts.Verbose {
		fmt.Fprintln(e.Stderr, "arccheck: "+report.ListSummary(p))
	}
	tool := report.Tool{Name: "arccheck", Version: version}
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
		err = report.ListTable(e.Stdout, p)
	}
	if err != nil {
		return writeFailed(err)
	}
	return nil
}
