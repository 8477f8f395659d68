package report

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/probe"
	"github.com/arccheck/arccheck/pkg/report/internal/grid"
	"github.com/arccheck/arccheck/pkg/report/internal/write"
)

// CheckTable writes the results as azcmagent's Reachable table (ENDPOINT, REACHABLE, PRIVATE, TLS, PROXY,
// in its vocabulary) followed by arccheck's own columns, a summary line that begins with the verdict v,
// the notes that concern a run on host, and what was not tested. On a
// terminal (o.Width) the table and the text after it fit its width: RESULT wraps, then ENDPOINT (at the
// slashes of its URL); TIME, TLS, PROXY and PRIVATE are hidden, in that order, when RESULT would be
// narrower than 30 columns otherwise, and a line under the table says so. REACHABLE, the verdict, and
// ENDPOINT always stay: a table that still cannot fit is drawn wider and says how wide.
func CheckTable(out io.Writer, rep *check.Report, v Verdict, host Host, o TableOptions) error {
	w := write.To(out)
	if err := checkGrid(rep, o.SeeAll).Render(w, o.Width, o.Color); err != nil && w.Err() == nil {
		return err
	}
	checkTableNotes(w, rep, v, host, o.Width)
	checkTableLists(w, rep, o.Width)
	return w.Err()
}

// checkGrid is the check table before it meets a terminal: a row per result.
func checkGrid(rep *check.Report, seeAll string) *grid.Grid {
	g := &grid.Grid{Header: []string{"ENDPOINT", "REACHABLE", "PRIVATE", "TLS", "PROXY", "TIME", "RESULT"},
		Drop: []int{5, 3, 4, 2}, Flex: []int{6, 0}, Least: map[int]int{6: 30}, SeeAll: seeAll}
	for i := range rep.Results {
		g.Add(checkRow(&rep.Results[i])...)
	}
	return g
}

// checkTableNotes writes the summary line, the run's warnings and the notes that concern a run on host
// under the check table.
func checkTableNotes(w io.Writer, rep *check.Report, v Verdict, host Host, width int) {
	para := func(s string) { grid.Para(w, s, width) }
	para(SummaryLine(rep, v))
	for _, warning := range rep.Warnings {
		para("warn " + string(warning.Class) + ": " + messageOf(warning))
	}
	if slices.ContainsFunc(rep.Results, func(r check.Result) bool { return r.NotCarried }) {
		fmt.Fprintln(w)
		para(notCarriedNote + ".")
	}
	for _, n := range noticesFor(rep, host.OS) {
		fmt.Fprintln(w)
		para("Note: " + n.Text)
	}
}

// checkTableLists writes the lists under the check table: not tested, left out, what to fix and the
// revocation endpoints.
func checkTableLists(w io.Writer, rep *check.Report, width int) {
	item := func(s string) { grid.Item(w, s, width) }
	if len(rep.NotTested) > 0 {
		fmt.Fprintln(w, "\nNot tested (allow these patterns as documented):")
		for _, n := range rep.NotTested {
			item(n.Pattern + ": " + notTestedReason(n))
		}
	}
	if rep.Plan != nil && len(rep.Plan.Excluded) > 0 {
		fmt.Fprintln(w, "\nLeft out:")
		for _, x := range rep.Plan.Excluded {
			item(x.Entry.Endpoint + ": " + x.Reason)
		}
	}
	if groups := WhatToFix(rep); len(groups) > 0 {
		fmt.Fprintln(w, "\nWhat to fix:")
		for _, g := range groups {
			item("- " + g.Action + ": " + strings.Join(g.Patterns, ", "))
		}
	}
	if len(rep.Revocation) > 0 {
		fmt.Fprintln(w, "\nRevocation endpoints (named by the certificate chains; Windows checks them):")
		for _, rv := range rep.Revocation {
			item(revocationLine(rv))
		}
	}
}

// revocationLine says how one revocation URL went, and for how many endpoints.
func revocationLine(rv check.Revocation) string {
	status := "ok"
	if f := revocationFailure(rv); f != nil {
		status = string(f.Class) + ": " + f.Reason
	}
	via := ""
	if rv.Probe.Proxy != nil {
		via = " via " + ProxyColumn(&rv.Probe)
	}
	return fmt.Sprintf("%s (%s)%s: %s; named by %s", rv.URL, rv.Kind, via, status, Plural(len(rv.NeededBy), "endpoint"))
}

// failureColor is red for a required endpoint's failure, dim for one that never fails a run.
func failureColor(r *check.Result) string {
	if r.Required {
		return grid.Red
	}
	return grid.Dim
}

// statusWords are an HTTP status as RESULT shows it: the code and its standard text ("404 Not Found"),
// never the peer's own reason phrase, which may be anything up to the head's bound (the JSON keeps it).
func statusWords(code int) string {
	return strings.TrimSpace(strconv.Itoa(code) + " " + http.StatusText(code))
}

// resultCell says how the endpoint went: ok (with the HTTP status, when a request was sent) or the
// failure's class and reason, qualified (legacy, optional, not via the gateway), then a line per warning.
func resultCell(r *check.Result) grid.Cell {
	first := grid.Line{Text: "ok"}
	if h := r.Probe.HTTP; h != nil && h.Status != 0 {
		first.Text += " (HTTP " + statusWords(h.Status) + ")"
	}
	if r.Failure != nil {
		first = grid.Line{Text: string(r.Failure.Class) + ": " + resultText(*r.Failure), Color: failureColor(r)}
	}
	switch {
	case r.Required:
	case r.Entry != nil && r.Entry.Legacy != "":
		first.Text += " (legacy)"
	case r.Entry != nil && r.Entry.Disputed != "":
		first.Text += " (disputed)"
	default:
		first.Text += " (optional)"
	}
	if r.NotCarried {
		first.Text += " (not via the gateway)"
	}
	first.Text = safetext.Escape(first.Text)
	c := grid.Cell{first}
	for _, w := range r.Warnings {
		c = append(c, grid.Line{Text: safetext.Escape("warn " + string(w.Class) + ": " + warningText(w)), Color: grid.Yellow})
	}
	return c
}

// warningText is RESULT's words for a warning: its class's own, or its message, whole.
func warningText(w check.Finding) string {
	if h, ok := hints[w.Class]; ok && h.result != nil {
		return resultText(w)
	}
	return messageOf(w)
}

// SummaryLine says in one line how the run went, beginning with its verdict (PASSED or FAILED, as the
// exit code says it), and why any endpoint was not probed to a verdict.
func SummaryLine(rep *check.Report, v Verdict) string {
	s := rep.Summary()
	line := fmt.Sprintf("%s: %s: %d reachable, %d unreachable (%d required)", v.word(), Plural(s.Endpoints, "endpoint"), s.Reachable,
		s.Unreachable, s.RequiredUnreachable)
	if s.Canceled > 0 {
		line += fmt.Sprintf(", %d not probed (%d required: %s)", s.Canceled, s.RequiredCanceled, strings.Join(canceledReasons(rep), "; "))
	}
	if s.Warnings > 0 {
		line += ", " + Plural(s.Warnings, "warning")
		if v.WarningsFail {
			line += " (warnings fail this run)"
		}
	}
	if s.NotTested > 0 {
		line += fmt.Sprintf("; %d not tested", s.NotTested)
	}
	line += fmt.Sprintf(". Took %s.", formatDuration(rep.Duration))
	if region := RegionMissingLine(rep); region != "" {
		line += " Failed: " + region
	}
	if rep.Interrupted {
		line += " Interrupted."
	}
	return safetext.Escape(line)
}

// canceledReasons are the distinct reasons endpoints were not probed to a verdict, in a stable order.
func canceledReasons(rep *check.Report) []string {
	var out []string
	const local = "this server ran out of file descriptors or buffers"
	for _, r := range rep.Results {
		switch {
		case r.Failure == nil:
		case r.Failure.Class == probe.ClassCanceled && !slices.Contains(out, messageOf(*r.Failure)):
			out = append(out, messageOf(*r.Failure))
		case r.Failure.Class == probe.ClassLocalResources && !slices.Contains(out, local):
			out = append(out, local)
		}
	}
	sort.Strings(out)
	return out
}

// Plural writes a count and a noun: "1 endpoint", "2 endpoints".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// ProgressLine says in one line how one endpoint went, for -v/--verbose: the whole message, escaped as
// on every line of the table.
func ProgressLine(r *check.Result) string {
	status := "reachable"
	if r.Failure != nil {
		status = string(r.Failure.Class) + ": " + progressText(*r.Failure)
	}
	return safetext.Escape(fmt.Sprintf("%s %s (%s)", r.URL(), status, r.Probe.Duration.Round(time.Millisecond)))
}

// progressText is a failure's whole message, with the DNS server asked, or its class's own words first.
func progressText(f check.Finding) string {
	if _, dns := dnsHints[f.Class]; dns {
		return messageOf(f) + askedNote(f.Fix)
	}
	if h, ok := hints[f.Class]; ok && h.result != nil {
		return resultText(f) + " (" + messageOf(f) + ")"
	}
	return messageOf(f)
}

// ProgressStatus is the live progress line: how many endpoints are done of how many, how many failed so
// far, and the one the run has waited on longest.
func ProgressStatus(done, total, failing int, waiting string) string {
	line := fmt.Sprintf("checking: %d/%d done", done, total)
	if failing > 0 {
		line += fmt.Sprintf(", %d failing", failing)
	}
	if waiting != "" {
		line += ", waiting on " + safetext.Escape(waiting)
	}
	return line
}
