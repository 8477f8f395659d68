package fleet

import (
	"fmt"
	"io"
	"strings"

	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/report/internal/inert"
	"github.com/arccheck/arccheck/pkg/report/internal/write"
)

// Markdown writes the fleet view for a ticket.
func Markdown(out io.Writer, f *Fleet) error {
	w := write.To(out)
	fmt.Fprintf(w, "# arccheck fleet view: %s\n\n", report.Plural(len(f.Servers), "server"))
	if line := fleetRegionLine(f); line != "" {
		fmt.Fprintf(w, "%s\n\n", inert.Markdown(line))
	}
	fmt.Fprintln(w, "| Endpoint | Failed on | Classes | Servers |")
	fmt.Fprintln(w, "| --- | --- | --- | --- |")
	for _, e := range f.Endpoints {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", inert.Markdown(e.Endpoint), inert.Markdown(failedOnWords(e)),
			inert.Markdown(classWords(e.Classes)), inert.Markdown(strings.Join(e.FailedOn, ", ")))
	}
	if len(f.Fixes) > 0 {
		fmt.Fprintln(w, "\n## What to fix")
		for _, g := range groupFixes(f.Fixes) {
			fmt.Fprintf(w, "\n- %s: %s (%s)", inert.Markdown(g.action), inert.Code(g.patterns), inert.Markdown(strings.Join(g.servers, ", ")))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "\n## By proxy")
	for _, p := range f.Proxies {
		fmt.Fprintf(w, "\n- %s: %s, %d failed", inert.Markdown(p.Proxy), report.Plural(p.Servers, "server"), p.Failed)
	}
	fmt.Fprintln(w)
	return w.Err()
}
