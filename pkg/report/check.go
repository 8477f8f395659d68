package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/arccheck/arccheck/pkg/check"
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
	default:
		lines[0] += " (optional)"
	}
	for _, w := range r.Warnings {
		lines = append(lines, paint(ansiYellow, "warn "+string(w.Class))+": "+clip(w.Message, 70))
	}
	return strings.Join(lines, "\n")
}

// shortReason keeps the end of an error message, the part that says what happened.
func shortReason(msg string) string {
	if i := strings.LastIndex(msg, ": "); i >= 0 && len(msg)-i > 12 {
		msg = msg[i+2:]
	}
	return clip(msg, 70)
}

// SummaryLine says in one line how the run went.
func SummaryLine(rep *check.Report) string {
	s := rep.Summary()
	line := fmt.Sprintf("%d endpoints: %d reachable, %d unreachable (%d required)", s.Endpoints, s.Reachable,
		s.Unreachable, s.RequiredUnreachable)
	if s.Canceled > 0 {
		line += fmt.Sprintf(", %d canceled", s.Canceled)
	}
	if s.Warnings > 0 {
		line += fmt.Sprintf(", %d warnings", s.Warnings)
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

// ProgressLine says in one line how one endpoint went, for -v/--verbose.
func ProgressLine(r *check.Result) string {
	status := "reachable"
	if r.Failure != nil {
		status = string(r.Failure.Class) + ": " + r.Failure.Message
	}
	return fmt.Sprintf("%s %s (%s)", r.URL(), status, r.Probe.Duration.Round(time.Millisecond))
}
