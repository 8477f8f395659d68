package fleet

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/arccheck/arccheck/pkg/probe"
	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/report/internal/grid"
	"github.com/arccheck/arccheck/pkg/report/internal/write"
)

// Table writes the fleet view: per endpoint on how many servers it failed and with which classes,
// then the fixes by how many servers need them, and the proxies.
func Table(out io.Writer, f *Fleet, o report.TableOptions) error {
	w := write.To(out)
	failed := f.FailedServers()
	fmt.Fprintf(w, "%s merged: %d failed, %d passed.\n", report.Plural(len(f.Servers), "report"), failed, len(f.Servers)-failed)
	if line := fleetRegionLine(f); line != "" {
		grid.Para(w, line, o.Width)
	}
	g := &grid.Grid{Header: []string{"ENDPOINT", "FAILED ON", "CLASSES", "SERVERS"}, Drop: []int{3}, Flex: []int{3, 2, 1, 0},
		Least: map[int]int{2: 20, 3: 20}, SeeAll: o.SeeAll}
	for _, e := range f.Endpoints {
		color := ""
		switch {
		case e.RequiredFailed > 0:
			color = grid.Red
		case e.Failed > 0:
			color = grid.Dim // as the check table paints a failure that does not fail its run
		}
		g.Add(grid.Plain(e.Endpoint), grid.Painted(failedOnWords(e), color), grid.Plain(classWords(e.Classes)), grid.Plain(strings.Join(e.FailedOn, ", ")))
	}
	if err := g.Render(w, o.Width, o.Color); err != nil && w.Err() == nil {
		return err
	}
	item := func(s string) { grid.Item(w, s, o.Width) }
	if len(f.Fixes) > 0 {
		fmt.Fprintln(w, "\nWhat to fix, by the servers that need it:")
		for _, g := range groupFixes(f.Fixes) {
			item(fmt.Sprintf("- %s: %s (%s: %s)", g.action, strings.Join(g.patterns, ", "), report.Plural(len(g.servers), "server"),
				strings.Join(g.servers, ", ")))
		}
	}
	fmt.Fprintln(w, "\nBy proxy:")
	for _, p := range f.Proxies {
		item(fmt.Sprintf("- %s: %s, %d failed", p.Proxy, report.Plural(p.Servers, "server"), p.Failed))
	}
	versions := fleetVersions(f)
	if len(versions) > 1 {
		item("Reports from arccheck " + strings.Join(versions, ", ") + ": compare them with care.")
	}
	return w.Err()
}

// failedOnWords says on how many of the servers that probed it an endpoint failed, and which of those
// failures failed a run: none for an endpoint no server requires, and, for one required on some servers
// only, how many of its failures were where it was.
func failedOnWords(e Endpoint) string {
	words := fmt.Sprintf("%d of %d", e.Failed, e.Servers)
	switch {
	case !e.Required:
		words += " (never fails a run)"
	case e.RequiredFailed == 0 && e.Failed > 0:
		words += " (none failed a run)"
	case e.RequiredFailed < e.Failed:
		words += fmt.Sprintf(" (%d failed a run)", e.RequiredFailed)
	}
	return words
}

// classWords writes a class count map in a stable order: "tcp_timeout ×3, dns_not_found ×1", with the
// gloss of a class whose name alone could be read as a verdict on the endpoint.
func classWords(classes map[string]int) string {
	var names []string
	for c := range classes {
		names = append(names, c)
	}
	sort.Slice(names, func(i, j int) bool {
		if classes[names[i]] != classes[names[j]] {
			return classes[names[i]] > classes[names[j]]
		}
		return names[i] < names[j]
	})
	var out []string
	for _, c := range names {
		word := fmt.Sprintf("%s ×%d", c, classes[c])
		if gloss := report.ClassGloss(probe.Class(c)); gloss != "" {
			word += " (" + gloss + ")"
		}
		out = append(out, word)
	}
	return strings.Join(out, ", ")
}

// fleetRegionLine names the servers that failed for want of a region ("" when none did).
func fleetRegionLine(f *Fleet) string {
	if len(f.NeedRegion) == 0 {
		return ""
	}
	return fmt.Sprintf("Required patterns not tested for want of a region on %s; %s.", strings.Join(f.NeedRegion, ", "), report.RegionFix)
}

func fleetVersions(f *Fleet) []string {
	var out []string
	for _, s := range f.Servers {
		if !slices.Contains(out, s.Version) {
			out = append(out, s.Version)
		}
	}
	sort.Strings(out)
	return out
}

// fixGroup is the fixes of one action that the same servers need: one line for all their patterns, as
// check's "What to fix" groups them.
type fixGroup struct {
	action   string
	patterns []string
	servers  []string
}

// groupFixes groups fixes by action and servers, in the order the first of each group comes.
func groupFixes(fixes []Fix) []fixGroup {
	var out []fixGroup
	at := map[string]int{}
	for _, fx := range fixes {
		key := fx.Action + "\x00" + strings.Join(fx.Servers, "\x00")
		i, ok := at[key]
		if !ok {
			i, at[key] = len(out), len(out)
			out = append(out, fixGroup{action: fx.Action, servers: fx.Servers})
		}
		out[i].patterns = append(out[i].patterns, fx.Pattern)
	}
	return out
}
