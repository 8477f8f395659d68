package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/arccheck/arccheck/pkg/report"
)

// mergeOptions are the options of `arccheck merge`.
type mergeOptions struct {
	*globalOptions
	// Output is -o/--output: table, json, markdown or junit.
	Output string
	// NoColor is --no-color.
	NoColor bool
}

// mergeFormats are the formats merge writes.
var mergeFormats = []string{"table", "json", "markdown", "junit"}

func newMergeCmd(e env, g *globalOptions) *cobra.Command {
	opts := &mergeOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "merge FILE|DIR...",
		Short: "Merge many servers' check reports (-o json) into a fleet view",
		Long: "merge reads arccheck check -o json reports (files, or directories searched for *.json) and shows,\n" +
			"per endpoint, on how many servers it failed and with which classes, the fixes by how many servers\n" +
			"need them, and the servers by proxy. Exit code 0: no report failed; 1: at least one did; 2: bad input.",
		Example: "  arccheck merge reports/\n" +
			"  arccheck merge srv01.json srv02.json -o markdown > fleet.md\n" +
			"  arccheck merge reports/ -o junit > fleet.xml",
		RunE: func(cmd *cobra.Command, args []string) error { return runMerge(opts, e, cmd.Root().Version, args) },
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "table", "output format: "+strings.Join(mergeFormats, ", "))
	cmd.Flags().BoolVar(&opts.NoColor, "no-color", false, "no colour in the table (also NO_COLOR=1 or TERM=dumb)")
	completeValues(cmd, "output", mergeFormats)
	return cmd
}

func runMerge(o *mergeOptions, e env, version string, args []string) error {
	if !slices.Contains(mergeFormats, o.Output) {
		return badInput("-o/--output: unknown format %q (valid: %s)", o.Output, strings.Join(mergeFormats, ", "))
	}
	if len(args) == 0 {
		return badInput("merge: give the reports to merge: files or directories of arccheck check -o json output")
	}
	sources, err := reportFiles(args)
	if err != nil {
		return err
	}
	var reports []report.CheckDocument
	var files []string
	for _, src := range sources {
		doc, err := readReport(src.path)
		var notReport bool
		if err != nil {
			notReport = errors.Is(err, report.ErrNotACheckReport)
		}
		switch {
		case err != nil && src.fromDir && notReport:
			// Another JSON file in a directory of reports (a fleet view written there, say): left out.
			fmt.Fprintf(e.Stderr, "arccheck: warning: %s\n", strings.TrimPrefix(oneLine(err), "merge: "))
			continue
		case err != nil:
			return err
		}
		reports = append(reports, doc)
		files = append(files, src.path)
	}
	if len(reports) == 0 {
		return badInput("merge: no arccheck check report among %s", strings.Join(args, ", "))
	}
	if o.Verbose {
		fmt.Fprintf(e.Stderr, "arccheck: merging %d reports: %s\n", len(files), strings.Join(files, ", "))
	}
	fleet := report.NewFleet(reports, files)
	switch o.Output {
	case "json":
		err = report.FleetJSON(e.Stdout, report.Tool{Name: "arccheck", Version: version}, fleet)
	case "markdown":
		err = report.FleetMarkdown(e.Stdout, fleet)
	case "junit":
		err = report.FleetJUnit(e.Stdout, reports, fleet)
	default:
		err = report.FleetTable(e.Stdout, fleet, report.TableOptions{Color: colorAllowed(e) && !o.NoColor, Width: e.StdoutWidth})
	}
	if err != nil {
		return writeFailed(err)
	}
	if fleet.Failed() {
		return &exitError{code: exitUnreachable}
	}
	return nil
}

// reportSource is a file to read, and whether it was found in a directory (rather than named).
type reportSource struct {
	path    string
	fromDir bool
}

// reportFiles expands the arguments: files as given, directories searched for *.json, sorted; a file
// given twice is read once.
func reportFiles(args []string) ([]reportSource, error) {
	var files []reportSource
	add := func(path string, fromDir bool) {
		if !slices.ContainsFunc(files, func(s reportSource) bool { return filepath.Clean(s.path) == filepath.Clean(path) }) {
			files = append(files, reportSource{path: path, fromDir: fromDir})
		}
	}
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, badInput("merge: %s: %v", a, pathError(err))
		}
		if !fi.IsDir() {
			add(a, false)
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
				found = append(found, p)
			}
			return err
		})
		if err != nil {
			return nil, badInput("merge: %s: %v", a, pathError(err))
		}
		if len(found) == 0 {
			return nil, badInput("merge: %s holds no *.json report", a)
		}
		sort.Strings(found)
		for _, f := range found {
			add(f, true)
		}
	}
	return files, nil
}

func readReport(file string) (report.CheckDocument, error) {
	f, err := os.Open(file)
	if err != nil {
		return report.CheckDocument{}, badInput("merge: %s: %v", file, pathError(err))
	}
	defer f.Close()
	doc, err := report.ReadCheckReport(f)
	if err != nil {
		return doc, badInput("merge: %s: %w", file, err)
	}
	return doc, nil
}

// pathError keeps what went wrong with a path (the message names the path already).
func pathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
