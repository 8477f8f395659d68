package report

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/report/internal/grid"
	"github.com/arccheck/arccheck/pkg/report/internal/inert"
	"github.com/arccheck/arccheck/pkg/report/internal/reporttest"
)

// TestPipedAndMarkdownCarryEveryWord: piped (no width) and in Markdown, RESULT says all it has to say:
// nothing is cut, nothing ends in "...", no column is hidden (the fleet view: pkg/report/fleet).
func TestPipedAndMarkdownCarryEveryWord(t *testing.T) {
	rep := reporttest.LongReport(t)
	var table, md bytes.Buffer
	require.NoError(t, CheckTable(&table, rep, Verdict{}, sampleHost, TableOptions{}))
	require.NoError(t, CheckMarkdown(&md, sampleTool, sampleHost, sampleSettings(rep), rep, Verdict{}))
	for _, tc := range []struct {
		format, out string
		words       func(string) string
	}{
		{"table", table.String(), safetext.Escape},
		{"markdown", md.String(), inert.Markdown},
	} {
		assert.NotContains(t, tc.out, "...", tc.format)
		assert.NotContains(t, tc.out, "…", tc.format)
		assert.NotContains(t, tc.out, "hidden at", tc.format)
		assert.Contains(t, tc.out, tc.words("dns_not_found: "+reporttest.LongReason), tc.format)
		assert.Contains(t, tc.out, tc.words("warn tls_intercepted: "+reporttest.LongWarning), tc.format)
	}
}

// TestHostNamesAreNeverSplit: at 60, 80 and 120 columns every host name of the check and the list (every
// catalog entry, all scenarios) is whole on some line (the fleet view's: pkg/report/fleet); lines break
// only between words or at the slashes of a URL, and the table fits the terminal or says how wide it is.
func TestHostNamesAreNeverSplit(t *testing.T) {
	rep := reporttest.LongReport(t)
	cat, err := endpoints.Load()
	require.NoError(t, err)
	plan, err := cat.Select(endpoints.Selection{Location: "westeurope", Extensions: []string{"all"}})
	require.NoError(t, err)
	for _, width := range []int{60, 80, 120} {
		var out bytes.Buffer
		require.NoError(t, CheckTable(&out, rep, Verdict{}, sampleHost, TableOptions{Width: width, Color: true}))
		var hosts []string
		for _, r := range rep.Results {
			hosts = append(hosts, r.Probe.Target.Host)
		}
		reporttest.AssertWhole(t, fmt.Sprintf("check at %d", width), out.String(), width, hosts)

		out.Reset()
		require.NoError(t, ListTable(&out, plan, TableOptions{Width: width}))
		tested := regexp.MustCompile(`(?m)^\|.*TESTED AS`).MatchString(out.String()) // not hidden
		hosts = hosts[:0]
		for _, ep := range plan.Endpoints {
			hosts = append(hosts, ep.Pattern)
			for _, tg := range ep.Targets {
				if u, err := url.Parse(tg.URL); err == nil && tested {
					hosts = append(hosts, u.Host)
				}
			}
		}
		reporttest.AssertWhole(t, fmt.Sprintf("list at %d", width), out.String(), width, hosts)

		// list --changes: fitted too, its endpoints whole.
		out.Reset()
		require.NoError(t, ChangesTable(&out, plan, TableOptions{Width: width}))
		hosts = hosts[:0]
		for _, c := range changesJSON(plan.Changes()) {
			if c.Endpoint != "" {
				hosts = append(hosts, c.Endpoint)
			}
		}
		require.NotEmpty(t, hosts)
		reporttest.AssertWhole(t, fmt.Sprintf("changes at %d", width), out.String(), width, hosts)
	}
}

// TestHiddenColumnsAreAnnounced: a column hidden for want of width is named under the table, with the
// ways to see it; a table that fits, or is piped, hides nothing and says nothing.
func TestHiddenColumnsAreAnnounced(t *testing.T) {
	cat, err := endpoints.Load()
	require.NoError(t, err)
	plan, err := cat.Select(endpoints.Selection{Location: "westeurope"})
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, ListTable(&out, plan, TableOptions{Width: 80, SeeAll: "use -o json"}))
	assert.Contains(t, reporttest.OneLine(out.String()),
		"PRIVATE LINK, TESTED AS and SOURCE hidden at 80 columns: widen the terminal, pipe the output, or use -o json.")
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.Contains(l, "ENDPOINT") {
			assert.NotContains(t, l, "PRIVATE LINK", "hidden")
			assert.Contains(t, l, "WHEN", "shown")
		}
	}

	out.Reset()
	require.NoError(t, CheckTable(&out, reporttest.SampleReport(t), Verdict{}, sampleHost, TableOptions{Width: 80}))
	assert.Contains(t, reporttest.OneLine(out.String()), "PRIVATE, TLS, PROXY and TIME hidden at 80 columns: widen the terminal or pipe the output.")

	for _, o := range []TableOptions{{}, {Width: 400}} {
		out.Reset()
		require.NoError(t, ListTable(&out, plan, o))
		assert.NotContains(t, out.String(), "hidden at", "width %d", o.Width)
		assert.Contains(t, out.String(), "PRIVATE LINK")
		assert.Contains(t, out.String(), "SOURCE")
	}
}

// TestTableIsAsWideAsItsLayout: at every width the table grid draws is exactly as wide as the
// layout chose, and no wider than the terminal unless the line under it says how wide it is.
func TestTableIsAsWideAsItsLayout(t *testing.T) {
	g := checkGrid(reporttest.LongReport(t), "")
	for width := 40; width <= 240; width++ {
		var out bytes.Buffer
		require.NoError(t, g.Render(&out, width, true))
		border := strings.SplitN(out.String(), "\n", 2)[0]
		drawn := g.Width(width)
		assert.Equal(t, drawn, grid.DisplayWidth(border), "at %d", width)
		if drawn > width {
			assert.Contains(t, reporttest.OneLine(out.String()), fmt.Sprintf("needs %d", drawn), "at %d", width)
		}
	}
}

// TestColoursCloseOnEveryLine: a painted text wrapped over lines starts and ends its colour on each, so
// that no border or padding is painted.
func TestColoursCloseOnEveryLine(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, CheckTable(&out, reporttest.LongReport(t), Verdict{}, sampleHost, TableOptions{Width: 80, Color: true}))
	require.Contains(t, out.String(), grid.Yellow)
	for _, l := range strings.Split(out.String(), "\n") {
		for _, between := range strings.Split(l, "|") {
			resets := strings.Count(between, grid.Reset)
			assert.Equal(t, resets, strings.Count(between, "\x1b[")-resets, "a colour open at a border: %q", l)
		}
	}
}
