package fleet

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/report/internal/grid"
	"github.com/arccheck/arccheck/pkg/report/internal/reporttest"
)

// TestFleetGolden: the fleet view of three servers' reports (two alike but for an endpoint that srv02
// requires and srv01 does not, one that failed for want of a region) in every format merge writes, byte
// for byte; review a change and rerun with -update.
func TestFleetGolden(t *testing.T) {
	rep, regionless := reporttest.SampleReport(t), reporttest.RegionlessReport(t)
	requiring := *rep
	requiring.Results = slices.Clone(rep.Results)
	for i := range requiring.Results {
		if strings.Contains(requiring.Results[i].URL(), "dc.services.visualstudio.com") {
			requiring.Results[i].Required = true
		}
	}
	docs := []report.CheckDocument{
		report.NewCheckDocument(sampleTool, sampleHost, sampleSettings(rep), rep, report.Verdict{}),
		report.NewCheckDocument(sampleTool, report.Host{OS: "windows", Arch: "amd64", Hostname: "srv02"}, sampleSettings(&requiring), &requiring, report.Verdict{}),
		report.NewCheckDocument(sampleTool, report.Host{OS: "linux", Arch: "arm64", Hostname: "srv03"}, sampleSettings(regionless), regionless, report.Verdict{}),
	}
	f := New(docs, []string{"srv01.json", "srv02.json", "srv03.json"})
	for _, tc := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"fleet.json", func(b *bytes.Buffer) error { return JSON(b, sampleTool, f) }},
		{"fleet.md", func(b *bytes.Buffer) error { return Markdown(b, f) }},
		{"fleet-table.txt", func(b *bytes.Buffer) error { return Table(b, f, report.TableOptions{}) }},
		{"fleet-table-80.txt", func(b *bytes.Buffer) error { return Table(b, f, report.TableOptions{Width: 80, Color: true}) }},
	} {
		var out bytes.Buffer
		require.NoError(t, tc.write(&out), tc.file)
		reporttest.Golden(t, tc.file, out.Bytes())
	}
}

// TestFailedOnWords: FAILED ON says which failures failed a run: none for an endpoint no server requires,
// and, for one some servers require, how many were on those servers; the colour follows (red only when
// a failure failed a run).
func TestFailedOnWords(t *testing.T) {
	for _, tc := range []struct {
		e           Endpoint
		want, color string
	}{
		{Endpoint{Required: true, Servers: 3, Failed: 2, RequiredFailed: 2}, "2 of 3", grid.Red},
		{Endpoint{Required: true, Servers: 3}, "0 of 3", ""},
		{Endpoint{Servers: 3, Failed: 2}, "2 of 3 (never fails a run)", grid.Dim},
		{Endpoint{Servers: 3}, "0 of 3 (never fails a run)", ""},
		{Endpoint{Required: true, Servers: 3, Failed: 2}, "2 of 3 (none failed a run)", grid.Dim},
		{Endpoint{Required: true, Servers: 4, Failed: 3, RequiredFailed: 1}, "3 of 4 (1 failed a run)", grid.Red},
	} {
		assert.Equal(t, tc.want, failedOnWords(tc.e))
		f := &Fleet{Servers: []Server{{Name: "srv01"}}, Endpoints: []Endpoint{tc.e}}
		f.Endpoints[0].Endpoint, f.Endpoints[0].Classes = "https://a.example", map[string]int{}
		var out bytes.Buffer
		require.NoError(t, Table(&out, f, report.TableOptions{Color: true}))
		painted := tc.want
		if tc.color != "" {
			painted = tc.color + tc.want + grid.Reset
		}
		assert.Contains(t, out.String(), painted, tc.want)
		var md bytes.Buffer
		require.NoError(t, Markdown(&md, f))
		assert.Contains(t, md.String(), "| "+strings.NewReplacer("(", `\(`, ")", `\)`).Replace(tc.want)+" |", tc.want)
	}
}
