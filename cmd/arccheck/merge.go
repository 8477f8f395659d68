package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/arccheck/arccheck/internal/bytesize"
	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/report/fleet"
)

// mergeOptions are the options of `arccheck merge`.
type mergeOptions struct {
	*globalOptions
	// outputFlags are -o/--output and --no-color (see mergeFormats).
	outputFlags
}

func newMergeCmd(e env, g *globalOptions) *cobra.Command {
	opts := &mergeOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "merge FILE|DIR...",
		Short: "Merge many servers' check reports (-o json) into a fleet view",
		Long: "merge reads arccheck check -o json reports (files, or directories searched for *.json) and shows,\n" +
			"per endpoint, on how many servers it failed and with which classes, the fixes by how many servers\n" +
			"need them, and the servers by proxy.\n\n" +
			"Every file is read whole or refused, naming it, and then nothing is written: at most " +
			bytesize.Words(fleet.MaxReportSize) + "\neach, " + bytesize.Words(maxMergeTotal) + " and " +
			strconv.Itoa(maxReportFiles) + " files in all, one JSON report of schema " + report.CheckSchema + ". A file found in a\n" +
			"directory must be a regular file; a named pipe is read only when named (<(...), /dev/stdin). Another of\n" +
			"arccheck's outputs found in a directory (a list, a fleet view) is left out with a warning.\n\n" +
			"Exit code 0: no report failed; 1: at least one did; 2: bad input (a file that cannot be read within\n" +
			"those bounds too); 3: the output could not be written; 130, 143, 129: interrupted by Ctrl-C, SIGTERM,\n" +
			"SIGHUP.",
		Example: "  arccheck merge reports/\n" +
			"  arccheck merge srv01.json srv02.json -o markdown > fleet.md\n" +
			"  arccheck merge reports/ -o junit > fleet.xml",
		RunE: func(cmd *cobra.Command, args []string) error { return runMerge(opts, e, versionOf(cmd), args) },
	}
	mergeFormats.register(cmd, &opts.outputFlags, false)
	return cmd
}

func runMerge(o *mergeOptions, e env, version string, args []string) error {
	format, err := mergeFormats.find(o.Output)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		return badInput("merge: give the reports to merge: files or directories of arccheck check -o json output")
	}
	sources, err := reportFiles(e.Context, args)
	if err != nil {
		return err
	}
	// Each report is merged as it is read (JUnit keeps each one's test cases; the other views, counts).
	m := fleet.NewMerger(format.name == "junit")
	files, err := readReports(e, sources, m)
	if err != nil {
		return err
	}
	if m.Len() == 0 {
		return badInput("merge: no arccheck check report among %s", strings.Join(args, ", "))
	}
	if o.Verbose {
		fmt.Fprintf(e.Stderr, "arccheck: merging %d reports: %s\n", len(files), strings.Join(files, ", "))
	}
	fleet := m.Fleet()
	if err := format.writeOut(e, version, o.NoColor, fleetOutput{fleet: fleet}); err != nil {
		return err
	}
	if fleet.Failed() {
		return &exitError{code: exitUnreachable}
	}
	return nil
}

// readReports reads every source, or refuses them all at the first that cannot be read (see
// reportReader.read), the first that takes the reports read past mergeTotal too; another of arccheck's outputs found in a directory is left out with a warning.
func readReports(e env, sources []reportSource, m *fleet.Merger) ([]string, error) {
	var files []string
	rd := newReportReader(e.Context)
	for _, src := range sources {
		err := rd.read(m, src)
		var skip *leftOut
		switch {
		case errors.As(err, &skip):
			// A fleet view or a list written into the directory of reports, say.
			fmt.Fprintf(e.Stderr, "arccheck: warning: %s; left out\n", strings.TrimPrefix(oneLine(err), "merge: "))
			continue
		case err != nil:
			return nil, err
		}
		files = append(files, src.path)
	}
	return files, nil
}

// pathError keeps what went wrong with a path (the message names the path already).
func pathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
