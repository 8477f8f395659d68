package report

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/probe"
)

// TableOptions shape the check table.
type TableOptions struct {
	// Color adds ANSI colours (only on a terminal, and never with --no-color or NO_COLOR).
	Color bool
}

const (
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiReset  = "\x1b[0m"
)

// CheckTable writes the results as azcmagent's Reachable table (ENDPOINT, REACHABLE, PRIVATE, TLS, PROXY,
// in its vocabulary) followed by arccheck's own columns, a summary line and what was not tested.
func CheckTable(out io.Writer, rep *check.Report, o TableOptions) error {
	w := &errWriter{w: out}
	paint := func(color, s string) string {
		if !o.Color {
			return s
		}
		return color + s + ansiReset
	}
	t := newTable(w, []string{"ENDPOINT", "REACHABLE", "PRIVATE", "TLS", "PROXY", "TIME", "RESULT"})
	for i := range rep.Results {
		r := &rep.Results[i]
		reachable := paint(ansiGreen, "true")
		if !r.Reachable {
			reachable = paint(ansiRed, "false")
		}
		t.Append([]string{r.URL(), reachable, PrivateColumn(&r.Probe), TLSColumn(&r.Probe), ProxyColumn(&r.Probe),
			formatDuration(r.Probe.Duration), resultColumn(r, paint)})
	}
	if err := t.Render(); err != nil && w.err == nil {
		return err
	}
	fmt.Fprintln(w, SummaryLine(rep))
	if slices.ContainsFunc(rep.Results, func(r check.Result) bool { return r.NotCarried }) {
		fmt.Fprintln(w, "\n"+notCarriedNote+".")
	}
	if rep.Plan != nil {
		for _, n := range rep.Plan.Notices {
			fmt.Fprintf(w, "\nNote: %s\n", n.Text)
		}
	}
	if len(rep.NotTested) > 0 {
		fmt.Fprintln(w, "\nNot tested (allow these patterns as documented):")
		for _, n := range rep.NotTested {
			fmt.Fprintf(w, "  %s: %s\n", n.Pattern, notTestedReason(n))
		}
	}
	if rep.Plan != nil && len(rep.Plan.Excluded) > 0 {
		fmt.Fprintln(w, "\nLeft out:")
		for _, x := range rep.Plan.Excluded {
			fmt.Fprintf(w, "  %s: %s\n", x.Entry.Endpoint, x.Reason)
		}
	}
	if groups := WhatToFix(rep); len(groups) > 0 {
		fmt.Fprintln(w, "\nWhat to fix:")
		for _, g := range groups {
			fmt.Fprintf(w, "  - %s: %s\n", g.Action, strings.Join(g.Patterns, ", "))
		}
	}
	return w.err
}

func resultColumn(r *check.Result, paint func(string, string) string) string {
	lines := []string{"ok"}
	if r.Failure != nil {
		lines[0] = paint(ansiRed, string(r.Failure.Class)) + ": " + shortReason(r.Failure.Message)
	}
	switch {
	case r.Required:
	case r.Entry != nil && r.Entry.Legacy != "":
		lines[0] += " (legacy)"
	case r.Entry != nil && r.Entry.Disputed != "":
		lines[0] += " (disputed)"
	default:
		lines[0] += " (optional)"
	}
	if r.NotCarried {
		lines[0] += " (not via the gateway)"
	}
	for _, w := range r.Warnings {
		lines = append(lines, paint(ansiYellow, "warn "+string(w.Class))+": "+clip(w.Message, 70))
	}
	return strings.Join(lines, "\n")
}

// shortReason keeps the end of an error message, the part that says what happened.
// The tail is taken only outside parentheses, so that "… before the timeout (read tcp …: i/o timeout)"
// never becomes a stray "i/o timeout)".
func shortReason(msg string) string {
	depth, cut := 0, -1
	for i := 0; i < len(msg); i++ {
		switch {
		case msg[i] == '(':
			depth++
		case msg[i] == ')' && depth > 0:
			depth--
		case depth == 0 && strings.HasPrefix(msg[i:], ": ") && len(msg)-i > 12:
			cut = i
		}
	}
	if cut >= 0 {
		msg = msg[cut+2:]
	}
	return clip(msg, 70)
}

// SummaryLine says in one line how the run went, and why any endpoint was not probed to a verdict.
func SummaryLine(rep *check.Report) string {
	s := rep.Summary()
	line := fmt.Sprintf("%s: %d reachable, %d unreachable (%d required)", plural(s.Endpoints, "endpoint"), s.Reachable,
		s.Unreachable, s.RequiredUnreachable)
	if s.Canceled > 0 {
		line += fmt.Sprintf(", %d not probed (%d required: %s)", s.Canceled, s.RequiredCanceled, strings.Join(canceledReasons(rep), "; "))
	}
	if s.Warnings > 0 {
		line += ", " + plural(s.Warnings, "warning")
	}
	if s.NotTested > 0 {
		line += fmt.Sprintf("; %d not tested", s.NotTested)
	}
	line += fmt.Sprintf(". Took %s.", formatDuration(rep.Duration))
	if rep.Interrupted {
		line += " Interrupted."
	}
	return line
}

// canceledReasons are the distinct reasons endpoints were not probed to a verdict, in a stable order.
func canceledReasons(rep *check.Report) []string {
	var out []string
	for _, r := range rep.Results {
		if r.Failure != nil && r.Failure.Class == probe.ClassCanceled && !slices.Contains(out, r.Failure.Message) {
			out = append(out, r.Failure.Message)
		}
	}
	sort.Strings(out)
	return out
}

// plural writes a count and a noun: "1 endpoint", "2 endpoints".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// ProgressLine says in one line how one endpoint went, for -v/--verbose.
func ProgressLine(r *check.Result) string {
	status := "reachable"
	if r.Failure != nil {
		status = string(r.Failure.Class) + ": " + r.Failure.Message
	}
	return fmt.Sprintf("%s %s (%s)", r.URL(), status, r.Probe.Duration.Round(time.Millisecond))
}
