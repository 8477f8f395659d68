package report

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/probe"
	"github.com/arccheck/arccheck/pkg/report/internal/reporttest"
)

// withFirstRow is rep with its first row (gbl.his.arc.azure.com, tcp_timeout) probed again: failing with
// class, or reachable when class is "".
func withFirstRow(t *testing.T, class probe.Class) *check.Report {
	rep := reporttest.SampleReport(t)
	r := rep.Results[0]
	pr := r.Probe
	pr.Failure, pr.Reachable = nil, true
	if class != "" {
		pr.Failure, pr.Reachable = &probe.Finding{Class: class, Phase: probe.PhaseTCP, Facts: probe.Facts{Detail: "connection refused"}}, false
	}
	rep.Results[0] = check.NewResult(pr, r.Pattern, r.Entry, r.Origin, r.Required)
	return rep
}

// rowOf is the table's line for the endpoint.
func rowOf(t *testing.T, table, url string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\| ` + regexp.QuoteMeta(url) + ` .*$`).FindString(table)
	require.NotEmpty(t, m, "no row for %s in\n%s", url, table)
	return m
}

// TestWatchTableMarksChangedRows: a row whose verdict differs from the round before is marked "changed
// (was …)", and from round 3 on one that differs from round 1 "since round 1 (was …)"; the header
// counts them; rows that did not change carry no mark.
func TestWatchTableMarksChangedRows(t *testing.T) {
	r1, r2, r3 := reporttest.SampleReport(t), withFirstRow(t, probe.ClassTCPRefused), withFirstRow(t, "")
	const his, mgmt = "https://gbl.his.arc.azure.com", "https://management.azure.com"
	for _, tc := range []struct {
		round      WatchRound
		mark, same string
		header     string
	}{
		{WatchRound{N: 1, Rep: r1}, "", "", "round 1 at 12:00:00, next in 28s (every 30s; Ctrl-C ends)"},
		{WatchRound{N: 2, Rep: r2, Previous: r1, First: r1}, "changed (was tcp_timeout)", "",
			"round 2 at 12:00:00, next in 28s (every 30s; Ctrl-C ends); 1 row changed since round 1"},
		{WatchRound{N: 3, Rep: r3, Previous: r2, First: r1}, "changed (was tcp_refused)", "since round 1 (was tcp_timeout)",
			"round 3 at 12:00:00, next in 28s (every 30s; Ctrl-C ends); 1 row changed since round 2, 1 since round 1"},
		{WatchRound{N: 4, Rep: r3, Previous: r3, First: r1}, "since round 1 (was tcp_timeout)", "",
			"round 4 at 12:00:00, next in 28s (every 30s; Ctrl-C ends); 0 rows changed since round 3, 1 since round 1"},
	} {
		var out bytes.Buffer
		require.NoError(t, WatchTable(&out, tc.round, TableOptions{}))
		table := out.String()
		assert.Regexp(t, `\| +ENDPOINT +\| +CHANGED +\| +REACHABLE +\|`, table, "round %d", tc.round.N)
		his := rowOf(t, table, his)
		if tc.mark == "" {
			assert.Regexp(t, `^\| \S+ +\| +\| `, his, "round %d: no mark", tc.round.N)
		} else {
			assert.Contains(t, his, "| "+tc.mark+" ", "round %d", tc.round.N)
		}
		if tc.same != "" {
			assert.Contains(t, table, "| "+tc.same+" ", "round %d", tc.round.N) // the cell's second line
		}
		assert.Regexp(t, `^\| \S+ +\| +\| true`, rowOf(t, table, mgmt), "round %d: an unchanged row has no mark", tc.round.N)
		assert.Contains(t, table, SummaryLine(tc.round.Rep, tc.round.Verdict), "the check table's notes follow")
		assert.Equal(t, tc.header, WatchHeader(tc.round, WatchWaiting, 28*time.Second+400*time.Millisecond, 30*time.Second))
	}
}

// TestWatchHeaderSaysHowTheWatchEnded: the last screen's header says why it is the last.
func TestWatchHeaderSaysHowTheWatchEnded(t *testing.T) {
	rep := reporttest.SampleReport(t)
	r := WatchRound{N: 3, Rep: rep, Previous: rep, First: rep}
	assert.Equal(t, "round 3 at 12:00:00, the last: every required endpoint is reachable; 0 rows changed since round 2, 0 since round 1",
		WatchHeader(r, WatchPassed, 0, time.Minute))
	assert.Equal(t, "round 3 at 12:00:00, the last complete round: the watch was interrupted; 0 rows changed since round 2, 0 since round 1",
		WatchHeader(r, WatchInterrupted, 0, time.Minute))
	cut := *rep
	cut.Interrupted = true
	assert.Equal(t, "round 1 at 12:00:00, cut short: the watch was interrupted", WatchHeader(WatchRound{N: 1, Rep: &cut}, WatchInterrupted, 0, time.Minute))
	assert.Equal(t, "=== round 3 at 2026-11-23T12:00:00Z; 0 rows changed since round 2, 0 since round 1 ===", WatchSeparator(r))
}

func TestDurationWords(t *testing.T) {
	for d, want := range map[time.Duration]string{
		28*time.Second + 400*time.Millisecond: "28s",
		5 * time.Minute:                       "5m",
		time.Hour:                             "1h",
		time.Hour - 300*time.Millisecond:      "1h",
		90 * time.Minute:                      "1h30m",
		61 * time.Second:                      "1m1s",
		0:                                     "0s",
	} {
		assert.Equal(t, want, durationWords(d), "%v", d)
	}
}

// TestCheckJSONLineIsTheDocument: a JSON line is CheckJSON's document, compact, on one line, and as inert.
func TestCheckJSONLineIsTheDocument(t *testing.T) {
	for _, rep := range []*check.Report{reporttest.SampleReport(t), reporttest.EvilReport(t)} {
		var doc, line bytes.Buffer
		require.NoError(t, CheckJSON(&doc, sampleTool, sampleHost, sampleSettings(rep), rep, Verdict{}))
		require.NoError(t, CheckJSONLine(&line, sampleTool, sampleHost, sampleSettings(rep), rep, Verdict{}))
		assert.Equal(t, 1, strings.Count(line.String(), "\n"))
		assert.True(t, strings.HasSuffix(line.String(), "}\n"))
		var want, got any
		require.NoError(t, json.Unmarshal(doc.Bytes(), &want))
		require.NoError(t, json.Unmarshal(line.Bytes(), &got))
		assert.Equal(t, want, got)
		reporttest.AssertJSONInert(t, "json line", line.Bytes())
		reporttest.AssertInert(t, "json line", line.String())
	}
}

// TestWatchTableIsInert: hostile text in a report cannot act on the terminal through the watch table.
func TestWatchTableIsInert(t *testing.T) {
	evil := reporttest.EvilReport(t)
	var out bytes.Buffer
	require.NoError(t, WatchTable(&out, WatchRound{N: 2, Rep: evil, Previous: reporttest.SampleReport(t), First: reporttest.SampleReport(t)},
		TableOptions{Width: 100}))
	reporttest.AssertInert(t, "watch table", out.String())
}
