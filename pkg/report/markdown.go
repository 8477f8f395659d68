package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/report/internal/inert"
	"github.com/arccheck/arccheck/pkg/report/internal/write"
)

// CheckMarkdown writes the results for a ticket or a pull request: the verdict v and the summary, the
// table, what to fix, what was not tested, the notes that concern a run on host and the environment. Markdown renders in Azure DevOps, GitHub and most ticket
// tools. Every string that came from the network is escaped, so that a hostile certificate name can
// neither inject a link nor break the table.
func CheckMarkdown(out io.Writer, tool Tool, host Host, settings Settings, rep *check.Report, v Verdict) error {
	w := write.To(out)
	s := rep.Summary()
	fmt.Fprintf(w, "# arccheck: %s (%d of %s reachable)\n\n", v.json(), s.Reachable, Plural(s.Endpoints, "endpoint"))
	fmt.Fprintf(w, "%s\n\n", inert.Markdown(SummaryLine(rep, v)))
	fmt.Fprintln(w, "| Endpoint | Reachable | Private | TLS | Proxy | Result |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- |")
	for i := range rep.Results {
		r := &rep.Results[i]
		var result []string
		for _, l := range resultCell(r) {
			result = append(result, inert.Markdown(l.Text))
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", inert.Markdown(r.URL()), boolWord(r.Reachable),
			inert.Markdown(PrivateColumn(&r.Probe)), inert.Markdown(TLSColumn(&r.Probe)), inert.Markdown(ProxyColumn(&r.Probe)),
			strings.Join(result, "<br>"))
	}
	if groups := WhatToFix(rep); len(groups) > 0 {
		fmt.Fprintln(w, "\n## What to fix")
		for _, g := range groups {
			fmt.Fprintf(w, "\n- %s: %s", inert.Markdown(g.Action), inert.Code(g.Patterns))
		}
		fmt.Fprintln(w)
	}
	if len(rep.NotTested) > 0 {
		fmt.Fprintln(w, "\n## Not tested\n\nAllow these patterns as documented:")
		for _, n := range rep.NotTested {
			fmt.Fprintf(w, "\n- %s: %s", inert.Code([]string{n.Pattern}), inert.Markdown(notTestedReason(n)))
		}
		fmt.Fprintln(w)
	}
	if notices := noticesFor(rep, host.OS); len(notices) > 0 {
		fmt.Fprintln(w, "\n## Notes")
		for _, n := range notices {
			fmt.Fprintf(w, "\n- %s", inert.Markdown(n.Text))
		}
		fmt.Fprintln(w)
	}
	markdownEnvironment(w, tool, host, settings, rep)
	return w.Err()
}

// markdownEnvironment lists what a support engineer needs to know about where and how the check ran.
func markdownEnvironment(w io.Writer, tool Tool, host Host, s Settings, rep *check.Report) {
	fmt.Fprintln(w, "\n## Environment")
	rows := [][2]string{
		{"arccheck", tool.Version}, {"host", host.Hostname + " (" + host.OS + "/" + host.Arch + ")"},
		{"started", rep.Start.UTC().Format("2006-01-02 15:04:05 MST")}, {"took", formatDuration(rep.Duration)},
		{"timeout", fmt.Sprintf("%dms", s.TimeoutMs)}, {"proxy", orNone(s.Proxy.HTTPS)},
	}
	if sel := s.Selection; sel != nil {
		rows = append(rows, [2]string{"cloud", sel.Cloud}, [2]string{"region", orNone(sel.Location)}, [2]string{"mode", sel.Mode},
			[2]string{"scenarios", orNone(strings.Join(sel.Scenarios, ", "))})
	}
	if s.Agent != nil {
		rows = append(rows, [2]string{"Arc agent", s.Agent.Path + " " + s.Agent.Version})
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		fmt.Fprintf(w, "- %s: %s\n", r[0], inert.Markdown(r[1]))
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
