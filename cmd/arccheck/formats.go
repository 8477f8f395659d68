package main

// Output formats: each command's are one table (formatTable), from which -o's help, its completion,
// the valid values its bad-input message names, -j/--json, --no-color and the dispatch are all read.

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/arccheck/arccheck/pkg/catalogdiff"
	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/report/exports"
	"github.com/arccheck/arccheck/pkg/report/fleet"
)

// audience is whom an output format is written for.
type audience string

const (
	forPeople   audience = "people"
	forMachines audience = "machines"
)

// needs are what a format's writer takes besides the command's result; the dispatch fills in those only.
type needs uint8

const (
	// needsWidth: a table fitted to the terminal's width (see isTable).
	needsWidth needs = 1 << iota
	// needsColour: whether colour is allowed (a terminal, no NO_COLOR, TERM=dumb or --no-color); a
	// command with such a format has --no-color.
	needsColour
	// needsHost: the machine's name, OS and architecture, which the report records.
	needsHost
)

// outputFormat is one value of a command's -o/--output.
type outputFormat[R any] struct {
	// name is the value of -o, matched case-insensitively.
	name string
	// audience is whom it is for, and about says in a line what it writes: help shows both.
	audience audience
	about    string
	// needs is what write takes besides the result.
	needs needs
	// write writes the command's result r.
	write func(in writeInput, r R) error
}

// writeInput is what a format is written with: stdout for the format, stderr for what it says besides
// it, and what the format needs (the table's options and the host are zero unless it needs them).
type writeInput struct {
	stdout, stderr io.Writer
	tool           report.Tool
	table          report.TableOptions
	host           report.Host
}

// formatTable is one command's output formats in the order help lists them; the first is the default.
type formatTable[R any] []outputFormat[R]

// outputFlags are -o/--output and, as the command's table has them, -j/--json and --no-color.
type outputFlags struct {
	// Output is -o/--output, a format's name.
	Output string
	// JSON is -j/--json, shorthand for --output json.
	JSON bool
	// NoColor is --no-color.
	NoColor bool
}

// names are the formats' names, in the table's order.
func (t formatTable[R]) names() []string {
	names := make([]string, len(t))
	for i, f := range t {
		names[i] = f.name
	}
	return names
}

// lookup is the format named, matched case-insensitively.
func (t formatTable[R]) lookup(name string) (*outputFormat[R], bool) {
	i := slices.IndexFunc(t, func(f outputFormat[R]) bool { return strings.EqualFold(f.name, name) })
	if i < 0 {
		return nil, false
	}
	return &t[i], true
}

// find is the format named, or bad input naming the valid ones.
func (t formatTable[R]) find(name string) (*outputFormat[R], error) {
	if f, ok := t.lookup(name); ok {
		return f, nil
	}
	return nil, badInput("-o/--output: unknown format %q (valid: %s)", name, strings.Join(t.names(), ", "))
}

// choose resolves -o and -j/--json to one format: -j is -o json, and conflicts with another -o given.
func (t formatTable[R]) choose(o outputFlags, outputGiven bool) (*outputFormat[R], error) {
	f, err := t.find(o.Output)
	if !o.JSON {
		return f, err
	}
	if outputGiven && (err != nil || f.name != "json") {
		return nil, badInput("-j/--json: conflicts with -o %s (give one of them)", o.Output)
	}
	return t.find("json")
}

// register adds to cmd -o/--output, with its default, help and completion read from t; -j/--json when
// shorthand is set; --no-color when a format needs colour; and, to its help, the formats described.
func (t formatTable[R]) register(cmd *cobra.Command, o *outputFlags, shorthand bool) {
	flags := cmd.Flags()
	flags.StringVarP(&o.Output, "output", "o", t[0].name, "output format: "+strings.Join(t.names(), ", "))
	heading := "Output formats (-o, case-insensitive):"
	if shorthand {
		flags.BoolVarP(&o.JSON, "json", "j", false, "shorthand for --output json")
		heading = "Output formats (-o, case-insensitive; -j is -o json):"
	}
	if slices.ContainsFunc(t, func(f outputFormat[R]) bool { return f.needs&needsColour != 0 }) {
		flags.BoolVar(&o.NoColor, "no-color", false, "no colour in the table (also NO_COLOR=1 or TERM=dumb)")
	}
	cmd.Long += "\n\n" + heading + "\n" + t.help()
	_ = cmd.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var values []string
		for _, f := range t {
			values = append(values, cobra.CompletionWithDesc(f.name, f.about))
		}
		return values, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
	})
}

// help describes the formats, one a line: name, audience, what it writes.
func (t formatTable[R]) help() string {
	width := 0
	for _, f := range t {
		width = max(width, len(f.name))
	}
	lines := make([]string, len(t))
	for i, f := range t {
		lines[i] = fmt.Sprintf("  %-*s  for %-8s  %s", width, f.name, f.audience, f.about)
	}
	return strings.Join(lines, "\n")
}

// orNames words the names for a flag's help: "table or json".
func (t formatTable[R]) orNames() string { return strings.Join(t.names(), " or ") }

// asWords words the formats for a sentence: "as a table or as json".
func (t formatTable[R]) asWords() string {
	words := make([]string, len(t))
	for i, f := range t {
		words[i] = "as " + f.name
		if f.name == "table" {
			words[i] = "as a table"
		}
	}
	return strings.Join(words, " or ")
}

// isTable reports whether f is a table fitted to the terminal: the line naming the settings taken from
// the installed agent goes above it.
func (f *outputFormat[R]) isTable() bool { return f.needs&needsWidth != 0 }

// writeOut writes r in format f to e.Stdout with what f needs; noColor is --no-color. A failed write is
// exit 3.
func (f *outputFormat[R]) writeOut(e env, version string, noColor bool, r R) error {
	in := writeInput{stdout: e.Stdout, stderr: e.Stderr, tool: report.Tool{Name: "arccheck", Version: version}}
	if f.needs&needsWidth != 0 {
		in.table.Width = e.StdoutWidth
	}
	if f.needs&needsColour != 0 {
		in.table.Color = colorAllowed(e) && !noColor
	}
	if f.needs&needsHost != 0 {
		hostname, _ := e.Hostname()
		in.host = report.Host{OS: runtime.GOOS, Arch: runtime.GOARCH, Hostname: hostname}
	}
	if err := f.write(in, r); err != nil {
		return writeFailed(err)
	}
	return nil
}

// checkOutput is what check writes: the run's report, how it ran, and whether warnings fail it.
type checkOutput struct {
	rep           *check.Report
	settings      report.Settings
	failOnWarning bool
}

// verdict is what every format says of the run: passed exactly when the command exits 0 for it
// (check.Report.Passed, which checkOptions.outcome follows too).
func (r checkOutput) verdict() report.Verdict {
	return report.Verdict{Passed: r.rep.Passed(r.failOnWarning), WarningsFail: r.failOnWarning}
}

// checkFormats are check's output formats.
var checkFormats = formatTable[checkOutput]{
	{name: "table", audience: forPeople, needs: needsWidth | needsColour | needsHost,
		about: "azcmagent's Reachable table, with each failure's cause and fix",
		write: func(in writeInput, r checkOutput) error {
			return report.CheckTable(in.stdout, r.rep, r.verdict(), in.host, in.table.SeeingAll("use -o json"))
		}},
	{name: "json", audience: forMachines, needs: needsHost,
		about: report.CheckSchema + ": every result, phase and setting, for a ticket or merge",
		write: func(in writeInput, r checkOutput) error {
			return report.CheckJSON(in.stdout, in.tool, in.host, r.settings, r.rep, r.verdict())
		}},
	{name: "junit", audience: forMachines, needs: needsHost,
		about: "JUnit XML for CI pipelines: a test case per endpoint",
		write: func(in writeInput, r checkOutput) error {
			return report.CheckJUnit(in.stdout, in.tool, in.host, r.settings, r.rep, report.JUnitOptions{FailOnWarning: r.failOnWarning})
		}},
	{name: "markdown", audience: forPeople, needs: needsHost,
		about: "the summary, table and fixes for a ticket or pull request",
		write: func(in writeInput, r checkOutput) error {
			return report.CheckMarkdown(in.stdout, in.tool, in.host, r.settings, r.rep, r.verdict())
		}},
	{name: "prometheus", audience: forMachines,
		about: "metrics for node_exporter's textfile collector",
		write: func(in writeInput, r checkOutput) error { return report.CheckPrometheus(in.stdout, r.rep, r.verdict()) }},
}

// listOutput is what list writes: the endpoints selected, where each setting came from, and the
// installed agent (nil when there is none).
type listOutput struct {
	plan    *endpoints.Plan
	sources map[string]string
	agent   *report.AgentJSON
}

// listFormats are list's output formats.
var listFormats = formatTable[listOutput]{
	{name: "table", audience: forPeople, needs: needsWidth,
		about: "the endpoints, when each is required, with Private Link and sources",
		write: func(in writeInput, r listOutput) error {
			return report.ListTable(in.stdout, r.plan, in.table.SeeingAll("use -o json"))
		}},
	{name: "json", audience: forMachines,
		about: report.ListSchema + ": every endpoint, with the selection and its sources",
		write: func(in writeInput, r listOutput) error {
			return report.ListJSON(in.stdout, in.tool, r.plan, r.sources, r.agent)
		}},
	{name: "plain", audience: forMachines,
		about: "each host or pattern as documented, one a line",
		write: func(in writeInput, r listOutput) error { return report.ListPlain(in.stdout, r.plan) }},
	{name: "allowlist", audience: forMachines,
		about: "rules for a firewall, host port protocol, one a line", write: export(exports.Allowlist)},
	{name: "csv", audience: forPeople,
		about: "the same rules for a change-request spreadsheet", write: export(exports.CSV)},
	{name: "squid", audience: forMachines,
		about: "the rules' hosts as a squid dstdomain ACL file", write: export(exports.Squid)},
	{name: "azure-firewall", audience: forMachines,
		about: "the rules as an Azure Firewall application rule collection (ARM JSON)", write: export(exports.AzureFirewall)},
}

// changesFormats are the formats of list --changes: what differs between the older published tables and the
// current ones.
var changesFormats = formatTable[listOutput]{
	{name: "table", audience: forPeople, needs: needsWidth,
		about: "what to add and what may be removed, with when and why",
		write: func(in writeInput, r listOutput) error {
			return report.ChangesTable(in.stdout, r.plan, in.table.SeeingAll("use -o json"))
		}},
	{name: "json", audience: forMachines,
		about: report.ChangesSchema + ": every change with its sources",
		write: func(in writeInput, r listOutput) error { return report.ChangesJSON(in.stdout, in.tool, r.plan) }},
}

// export writes rules for firewall and proxy teams, never a placeholder: the endpoints that still need
// a value are said on stderr, even when the write failed.
func export(rules func(io.Writer, *endpoints.Plan) (exports.Unfilled, error)) func(writeInput, listOutput) error {
	return func(in writeInput, r listOutput) error {
		unfilled, err := rules(in.stdout, r.plan)
		for _, l := range unfilled.Lines() {
			fmt.Fprintln(in.stderr, "arccheck: "+l)
		}
		return err
	}
}

// fleetOutput is what merge writes: the fleet view (with each server's JUnit cases for -o junit).
type fleetOutput struct {
	fleet *fleet.Fleet
}

// mergeFormats are merge's output formats.
var mergeFormats = formatTable[fleetOutput]{
	{name: "table", audience: forPeople, needs: needsWidth | needsColour,
		about: "per endpoint, the servers it failed on and why; the fixes; the proxies",
		write: func(in writeInput, r fleetOutput) error {
			return fleet.Table(in.stdout, r.fleet, in.table.SeeingAll("use -o markdown"))
		}},
	{name: "json", audience: forMachines,
		about: fleet.Schema + ": the fleet view",
		write: func(in writeInput, r fleetOutput) error { return fleet.JSON(in.stdout, in.tool, r.fleet) }},
	{name: "markdown", audience: forPeople,
		about: "the fleet view for a ticket or pull request",
		write: func(in writeInput, r fleetOutput) error { return fleet.Markdown(in.stdout, r.fleet) }},
	{name: "junit", audience: forMachines,
		about: "JUnit XML: a test suite per server, a test case per endpoint",
		write: func(in writeInput, r fleetOutput) error { return fleet.JUnit(in.stdout, r.fleet) }},
}

// catalogDiffOutput is what catalog diff writes: the differences between the catalog and the pages of
// the checkout docs.
type catalogDiffOutput struct {
	docs    string
	catalog *endpoints.Catalog
	diffs   []catalogdiff.Difference
}

// catalogDiffFormats are catalog diff's output formats.
var catalogDiffFormats = formatTable[catalogDiffOutput]{
	{name: "table", audience: forPeople, needs: needsWidth,
		about: "one row per difference, then how many",
		write: func(in writeInput, r catalogDiffOutput) error {
			return report.CatalogDiffTable(in.stdout, r.diffs, in.table.SeeingAll("use -o json"))
		}},
	{name: "json", audience: forMachines,
		about: report.CatalogDiffSchema + ": every difference, with the catalog compared",
		write: func(in writeInput, r catalogDiffOutput) error {
			return report.CatalogDiffJSON(in.stdout, in.tool, r.docs, r.catalog, r.diffs)
		}},
}
