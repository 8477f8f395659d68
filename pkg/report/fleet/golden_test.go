package fleet

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/report"
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
