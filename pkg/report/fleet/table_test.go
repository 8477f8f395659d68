package fleet

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/report/internal/grid"
	"github.com/arccheck/arccheck/pkg/report/internal/reporttest"
)

// TestPipedAndMarkdownCarryEveryWord: piped (no width) and in Markdown, the fleet view of a report whose
// RESULT words are long says all it has to say: nothing is cut, nothing ends in "...", no column is hidden.
func TestPipedAndMarkdownCarryEveryWord(t *testing.T) {
	rep := reporttest.LongReport(t)
	var fleetTable, fleetMD bytes.Buffer
	fleet := New([]report.CheckDocument{report.NewCheckDocument(sampleTool, sampleHost, sampleSettings(rep), rep, report.Verdict{})}, []string{"a.json"})
	require.NoError(t, Table(&fleetTable, fleet, report.TableOptions{}))
	require.NoError(t, Markdown(&fleetMD, fleet))
	for _, tc := range []struct{ format, out string }{
		{"fleet table", fleetTable.String()},
		{"fleet markdown", fleetMD.String()},
	} {
		assert.NotContains(t, tc.out, "...", tc.format)
		assert.NotContains(t, tc.out, "…", tc.format)
		assert.NotContains(t, tc.out, "hidden at", tc.format)
	}
}

// TestHostNamesAreNeverSplit: at 60, 80 and 120 columns every host name of the fleet view is whole on
// some line; lines break only between words or at the slashes of a URL, and the table fits the terminal
// or says how wide it is.
func TestHostNamesAreNeverSplit(t *testing.T) {
	rep := reporttest.LongReport(t)
	doc := report.NewCheckDocument(sampleTool, sampleHost, sampleSettings(rep), rep, report.Verdict{})
	fleet := New([]report.CheckDocument{doc, doc}, []string{"a.json", "b.json"})
	for _, width := range []int{60, 80, 120} {
		var out bytes.Buffer
		require.NoError(t, Table(&out, fleet, report.TableOptions{Width: width, Color: true}))
		var hosts []string
		for _, e := range fleet.Endpoints {
			u, err := url.Parse(e.Endpoint)
			require.NoError(t, err)
			hosts = append(hosts, u.Host)
		}
		reporttest.AssertWhole(t, fmt.Sprintf("fleet at %d", width), out.String(), width, hosts)
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
