package report

// The words and tables of `check --watch`: a round's header, its table with the rows whose verdict
// changed marked, and the JSON document of a round on one line.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/report/internal/grid"
	"github.com/arccheck/arccheck/pkg/report/internal/write"
)

// WatchRound is one round of a watch and the rounds its rows are compared with.
type WatchRound struct {
	// N counts the rounds from 1.
	N   int
	Rep *check.Report
	// Previous and First are the reports of the round before and of round 1; nil in round 1.
	Previous, First *check.Report
	// Verdict is the round's, as the command judges it (PASSED exactly when it would exit 0); Host is
	// the machine's, for the notes that depend on it.
	Verdict Verdict
	Host    Host
}

// WatchState is where a watch stands after a round.
type WatchState int

// The states of a watch.
const (
	// WatchWaiting: the next round starts in WatchHeader's next.
	WatchWaiting WatchState = iota
	// WatchPassed: every required endpoint is reachable (--until-reachable ends the watch).
	WatchPassed
	// WatchInterrupted: a signal ended the watch; the round shown is the last complete one, or the
	// first, cut short.
	WatchInterrupted
	// WatchCannotPass: required patterns need a region, so no round can pass (--until-reachable ends).
	WatchCannotPass
)

// WatchHeader is the line above a round's table on a terminal: "round 3 at 15:04:05, next in 28s
// (every 30s; Ctrl-C ends)", or how the watch ended, then how many rows changed.
func WatchHeader(r WatchRound, state WatchState, next, every time.Duration) string {
	line := fmt.Sprintf("round %d at %s", r.N, r.Rep.Start.Format(time.TimeOnly))
	switch state {
	case WatchWaiting:
		line += fmt.Sprintf(", next in %s (every %s; Ctrl-C ends)", durationWords(next), durationWords(every))
	case WatchPassed:
		line += ", the last: every required endpoint is reachable"
	case WatchInterrupted:
		line += ", the last complete round: the watch was interrupted"
		if r.Rep.Interrupted {
			line = fmt.Sprintf("round %d at %s, cut short: the watch was interrupted", r.N, r.Rep.Start.Format(time.TimeOnly))
		}
	case WatchCannotPass:
		line += ", the last: no round can pass without the region"
	}
	return line + changeCounts(r)
}

// durationWords writes a duration to the second, without zero minutes or seconds: 28s, 5m, 1h30m.
func durationWords(d time.Duration) string {
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// WatchSeparator is the line that opens a round's table when the rounds are written one after another
// (stdout is no terminal): its number, its start as RFC 3339 and how many rows changed.
func WatchSeparator(r WatchRound) string {
	return fmt.Sprintf("=== round %d at %s%s ===", r.N, r.Rep.Start.Format(time.RFC3339), changeCounts(r))
}

// WatchLine says a round in one line for stderr, where the report itself is written only at the end.
func WatchLine(r WatchRound, state WatchState, next, every time.Duration) string {
	return WatchHeader(r, state, next, every) + ". " + SummaryLine(r.Rep, r.Verdict)
}

// changeCounts says how many rows changed their verdict since the round before and since round 1.
func changeCounts(r WatchRound) string {
	if r.Previous == nil {
		return ""
	}
	s := fmt.Sprintf("; %s changed since round %d", Plural(len(changed(r.Rep, r.Previous)), "row"), r.N-1)
	if r.N > 2 {
		s += fmt.Sprintf(", %d since round 1", len(changed(r.Rep, r.First)))
	}
	return s
}

// WatchTable writes a round as CheckTable does, with a CHANGED column after ENDPOINT that marks each row
// whose verdict (reachable, or its failure's class) differs from the round before, "changed (was
// tcp_refused)", and from round 1, "since round 1 (was …)".
func WatchTable(out io.Writer, r WatchRound, o TableOptions) error {
	w := write.To(out)
	g := &grid.Grid{Header: []string{"ENDPOINT", "CHANGED", "REACHABLE", "PRIVATE", "TLS", "PROXY", "TIME", "RESULT"},
		Drop: []int{6, 4, 5, 3}, Flex: []int{7, 1, 0}, Least: map[int]int{7: 30}, SeeAll: o.SeeAll}
	before, first := verdicts(r.Previous), verdicts(r.First)
	for i := range r.Rep.Results {
		res := &r.Rep.Results[i]
		cells := checkRow(res)
		g.Add(append([]grid.Cell{cells[0], changeCell(r, verdict(res), before, first, res.URL())}, cells[1:]...)...)
	}
	if err := g.Render(w, o.Width, o.Color); err != nil && w.Err() == nil {
		return err
	}
	checkTableNotes(w, r.Rep, r.Verdict, r.Host, o.Width)
	checkTableLists(w, r.Rep, o.Width)
	return w.Err()
}

// checkRow is a result's cells in the check table's columns: ENDPOINT, REACHABLE, PRIVATE, TLS, PROXY,
// TIME and RESULT.
func checkRow(r *check.Result) []grid.Cell {
	reachable := grid.Painted("true", grid.Green)
	if !r.Reachable {
		reachable = grid.Painted("false", failureColor(r))
	}
	return []grid.Cell{grid.Plain(r.URL()), reachable, grid.Plain(PrivateColumn(&r.Probe)), grid.Plain(TLSColumn(&r.Probe)),
		grid.Plain(ProxyColumn(&r.Probe)), grid.Plain(formatDuration(r.Probe.Duration)), resultCell(r)}
}

// changeCell marks a row whose verdict now differs from the round before and from round 1 (from round
// 3 on: in round 2 the round before is round 1).
func changeCell(r WatchRound, now string, before, first map[string]string, url string) grid.Cell {
	c := grid.Cell{}
	if was, ok := before[url]; r.Previous != nil && was != now {
		c = append(c, grid.Line{Text: safetext.Escape(wasWords("changed", was, ok)), Color: grid.Yellow})
	}
	if was, ok := first[url]; r.N > 2 && was != now {
		c = append(c, grid.Line{Text: safetext.Escape(wasWords("since round 1", was, ok))})
	}
	if len(c) == 0 {
		c = append(c, grid.Line{})
	}
	return c
}

// wasWords says what a row was: "changed (was tcp_refused)", or "changed (new)" for a row the round
// compared with did not have.
func wasWords(when, was string, had bool) string {
	if !had {
		return when + " (new)"
	}
	return when + " (was " + was + ")"
}

// verdict is a row's verdict in a word: reachable, or its failure's class.
func verdict(r *check.Result) string {
	if r.Failure != nil {
		return string(r.Failure.Class)
	}
	if r.Reachable {
		return "reachable"
	}
	return "unreachable"
}

// verdicts maps each row's URL to its verdict; empty for no report.
func verdicts(rep *check.Report) map[string]string {
	m := map[string]string{}
	if rep == nil {
		return m
	}
	for i := range rep.Results {
		m[rep.Results[i].URL()] = verdict(&rep.Results[i])
	}
	return m
}

// changed are the URLs of rep's rows whose verdict differs from than's (or that than did not have).
func changed(rep, than *check.Report) []string {
	before := verdicts(than)
	var out []string
	for i := range rep.Results {
		r := &rep.Results[i]
		if was, ok := before[r.URL()]; !ok || was != verdict(r) {
			out = append(out, r.URL())
		}
	}
	return out
}

// CheckJSONLine writes the document CheckJSON writes on one line (JSON Lines: a round a line).
func CheckJSONLine(out io.Writer, tool Tool, host Host, settings Settings, rep *check.Report, v Verdict) error {
	var doc, line bytes.Buffer
	if err := CheckJSON(&doc, tool, host, settings, rep, v); err != nil {
		return err
	}
	if err := json.Compact(&line, bytes.TrimSpace(doc.Bytes())); err != nil {
		return err
	}
	line.WriteByte('\n')
	_, err := out.Write(line.Bytes())
	return err
}

// WatchCannotPassLine says why --until-reachable ended a watch that no round can pass.
func WatchCannotPassLine(rep *check.Report) string {
	return strings.TrimSuffix(RegionMissingLine(rep), ".") + "; no round can pass without it"
}
