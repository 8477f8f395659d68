package main

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/catalogdiff"
	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/report/fleet"
)

// formatRow is a format of any command's table, as help and completion show it.
type formatRow struct {
	name, about string
	audience    audience
	needs       needs
}

func rowsOf[R any](t formatTable[R]) []formatRow {
	var rows []formatRow
	for _, f := range t {
		rows = append(rows, formatRow{f.name, f.about, f.audience, f.needs})
	}
	return rows
}

// writerOf dispatches the format named, found as -o finds it, for the result r.
func writerOf[R any](t formatTable[R], r R) func(e env, name string) error {
	return func(e env, name string) error {
		f, err := t.find(name)
		if err != nil {
			return err
		}
		return f.writeOut(e, "test", false, r)
	}
}

// commandFormats is a command's table, how to run the command so that -o is the first thing judged,
// and a writer of each of its formats for a small result.
type commandFormats struct {
	command []string
	args    []string
	rows    []formatRow
	write   func(e env, name string) error
	// shorthand says whether the command has -j/--json.
	shorthand bool
}

func allCommandFormats(t *testing.T) []commandFormats {
	rep := smallReport(t)
	doc := report.NewCheckDocument(report.Tool{Name: "arccheck", Version: "test"}, report.Host{Hostname: "srv01"}, report.Settings{}, rep, report.Verdict{})
	cat, err := endpoints.Load()
	require.NoError(t, err)
	diffs := []catalogdiff.Difference{{Cloud: "AzureCloud", List: "standard", Kind: catalogdiff.KindMissing, Endpoint: "new.example", Docs: "page.md:12"}}
	list := listOutput{plan: rep.Plan, sources: map[string]string{"location": "flag"}}
	return []commandFormats{
		{[]string{"check"}, []string{"--agent", "off"}, rowsOf(checkFormats),
			writerOf(checkFormats, checkOutput{rep: rep}), true},
		{[]string{"list"}, []string{"--agent", "off"}, rowsOf(listFormats), writerOf(listFormats, list), true},
		{[]string{"list"}, []string{"--agent", "off", "--changes"}, rowsOf(changesFormats), writerOf(changesFormats, list), true},
		{[]string{"merge"}, nil, rowsOf(mergeFormats),
			writerOf(mergeFormats, fleetOutput{fleet: fleet.New([]report.CheckDocument{doc}, []string{"srv01.json"})}), false},
		{[]string{"catalog", "diff"}, []string{"docs"}, rowsOf(catalogDiffFormats),
			writerOf(catalogDiffFormats, catalogDiffOutput{docs: "docs", catalog: cat, diffs: diffs}), false},
	}
}

// smallReport is one reachable required endpoint of a westeurope selection.
func smallReport(t *testing.T) *check.Report {
	cat, err := endpoints.Load()
	require.NoError(t, err)
	plan, err := cat.Select(endpoints.Selection{Cloud: "AzureCloud", Location: "westeurope"})
	require.NoError(t, err)
	pr := probe.Result{Target: probe.Target{Scheme: "https", Host: "management.azure.com", Port: 443}, Reachable: true,
		Start: time.Unix(1_700_000_000, 0), Duration: 40 * time.Millisecond}
	res := check.NewResult(pr, "management.azure.com", nil, check.OriginCatalog, true)
	return &check.Report{Start: pr.Start, Duration: time.Second, Plan: plan, Results: []check.Result{res}}
}

// TestFormatTablesAreWhatHelpCompletionAndErrorsShow: every format of each command's table is in its
// help (name, audience, what it writes) and its -o completion (name and what it writes), in the
// table's order; an unknown -o names exactly the table's formats; each format is found whatever its
// case and writes something for a small result.
func TestFormatTablesAreWhatHelpCompletionAndErrorsShow(t *testing.T) {
	for _, c := range allCommandFormats(t) {
		name := strings.Join(append(append([]string{}, c.command...), c.args...), " ")
		var names []string
		for _, f := range c.rows {
			names = append(names, f.name)
		}
		if slices.Contains(c.args, "--changes") {
			// list --changes takes some of list's formats: the flag's help and its refusal name them.
			help := runCLI(t, nil, "list", "--help")
			assert.Regexp(t, `--changes .*\(`+strings.Join(names, " or ")+`\)\n`, help.stdout)
			bad := runCLI(t, nil, append(append([]string{}, c.command...), append(c.args, "-o", "plain")...)...)
			assert.Equal(t, exitBadInput, bad.code, name)
			assert.Equal(t, "arccheck: --changes: shows as a table or as json, not with -o plain\n", bad.stderr, name)
		} else {
			assertFormatHelp(t, c, names)
			assertFormatCompletion(t, c)
			bad := runCLI(t, nil, append(append(append([]string{}, c.command...), c.args...), "-o", "xml")...)
			assert.Equal(t, exitBadInput, bad.code, name)
			assert.Equal(t, `arccheck: -o/--output: unknown format "xml" (valid: `+strings.Join(names, ", ")+")\n", bad.stderr, name)
		}
		for _, f := range c.rows {
			for _, typed := range []string{f.name, strings.ToUpper(f.name)} {
				var out, errb bytes.Buffer
				e := env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" },
					Hostname: func() (string, error) { return "testhost", nil }}
				require.NoError(t, c.write(e, typed), "%s -o %s", name, typed)
				assert.NotEmpty(t, out.String(), "%s -o %s writes nothing", name, typed)
			}
		}
	}
}

// assertFormatHelp: the command's help has -o with the table's names and default, a line per format
// with whom it is for and what it writes, and -j exactly when the command has it.
func assertFormatHelp(t *testing.T, c commandFormats, names []string) {
	t.Helper()
	name := strings.Join(c.command, " ")
	help := runCLI(t, nil, append(c.command, "--help")...)
	require.Equal(t, exitOK, help.code, help.stderr)
	assert.Regexp(t, `-o, --output string +`+regexp.QuoteMeta("output format: "+strings.Join(names, ", ")+` (default "`+names[0]+`")`),
		help.stdout, name)
	for _, f := range c.rows {
		line := `(?m)^  ` + regexp.QuoteMeta(f.name) + ` +for ` + string(f.audience) + ` +` + regexp.QuoteMeta(f.about) + `$`
		assert.Regexp(t, line, help.stdout, "%s: %s in help", name, f.name)
	}
	assert.Equal(t, c.shorthand, strings.Contains(help.stdout, "-j, --json"), name)
}

// assertFormatCompletion: -o completes to the table's formats, in its order, each with what it writes.
func assertFormatCompletion(t *testing.T, c commandFormats) {
	t.Helper()
	comp := runCLI(t, nil, append(append([]string{"__complete"}, c.command...), "-o", "")...)
	require.Equal(t, exitOK, comp.code, comp.stderr)
	var want []string
	for _, f := range c.rows {
		want = append(want, f.name+"\t"+f.about)
	}
	got := strings.Split(strings.TrimSpace(comp.stdout), "\n")
	assert.Equal(t, want, got[:len(got)-1], "%v: completion of -o", c.command) // the last line is the directive
}

// TestFormatTablesAreWellFormed: the default is first and a table; names are unique whatever their case;
// each says whom it is for and what it writes; a command with -j has json; --no-color is there exactly
// when a format has colour.
func TestFormatTablesAreWellFormed(t *testing.T) {
	cmds := map[string]bool{}
	for _, c := range newRootCmd("test", env{}).Commands() {
		for _, sub := range append(c.Commands(), c) {
			cmds[sub.CommandPath()] = sub.Flags().Lookup("no-color") != nil
		}
	}
	for _, c := range allCommandFormats(t) {
		name := strings.Join(c.command, " ")
		require.NotEmpty(t, c.rows, name)
		assert.Equal(t, "table", c.rows[0].name, "%s: the default", name)
		seen := map[string]bool{}
		colour := false
		for _, f := range c.rows {
			assert.False(t, seen[strings.ToLower(f.name)], "%s: %s twice", name, f.name)
			seen[strings.ToLower(f.name)] = true
			assert.Contains(t, []audience{forPeople, forMachines}, f.audience, "%s: %s", name, f.name)
			assert.NotEmpty(t, f.about, "%s: %s", name, f.name)
			colour = colour || f.needs&needsColour != 0
		}
		if c.shorthand {
			assert.True(t, seen["json"], "%s: -j needs a json format", name)
		}
		if !slices.Contains(c.args, "--changes") {
			assert.Equal(t, colour, cmds["arccheck "+name], "%s: --no-color exactly when a format has colour", name)
		}
	}
}

// TestOutputChoice: -o is matched whatever its case; -j is -o json and conflicts only with another -o.
func TestOutputChoice(t *testing.T) {
	for _, tc := range []struct {
		flags outputFlags
		given bool
		want  string
		err   string
	}{
		{outputFlags{Output: "table"}, false, "table", ""},
		{outputFlags{Output: "JSON"}, true, "json", ""},
		{outputFlags{Output: "Markdown"}, true, "markdown", ""},
		{outputFlags{Output: "table", JSON: true}, false, "json", ""},
		{outputFlags{Output: "Json", JSON: true}, true, "json", ""},
		{outputFlags{Output: "table", JSON: true}, true, "", "-j/--json: conflicts with -o table (give one of them)"},
		{outputFlags{Output: "xml", JSON: true}, true, "", "-j/--json: conflicts with -o xml (give one of them)"},
		{outputFlags{Output: "xml"}, true, "", `-o/--output: unknown format "xml" (valid: table, json, junit, markdown, prometheus)`},
	} {
		f, err := checkFormats.choose(tc.flags, tc.given)
		if tc.err != "" {
			assert.EqualError(t, err, tc.err, "%+v", tc.flags)
			continue
		}
		require.NoError(t, err, "%+v", tc.flags)
		assert.Equal(t, tc.want, f.name, "%+v", tc.flags)
	}

	// From the command line: any case, with -j too; --changes keeps its own formats.
	r := runCLI(t, nil, "list", "--agent", "off", "-o", "JSON")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"schema": "`+report.ListSchema+`"`)
	r = runCLI(t, nil, "list", "--agent", "off", "-j", "-o", "Json")
	require.Equal(t, exitOK, r.code, r.stderr)
	r = runCLI(t, nil, "list", "--agent", "off", "--changes", "-o", "JSON")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"schema": "`+report.ChangesSchema+`"`)
	r = runCLI(t, nil, "list", "--agent", "off", "--changes", "-o", "CSV")
	assert.Equal(t, exitBadInput, r.code)
	assert.Equal(t, "arccheck: --changes: shows as a table or as json, not with -o csv\n", r.stderr)
}
