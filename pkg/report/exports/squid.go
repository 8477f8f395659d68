package exports

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/report/internal/write"
)

// squidEntry is one line of a squid dstdomain ACL.
type squidEntry struct {
	domain string   // without a leading dot
	sub    bool     // written ".domain": the domain and every name under it
	notes  []string // comment lines written above it
}

func (e *squidEntry) String() string {
	if e.sub {
		return "." + e.domain
	}
	return e.domain
}

// covers reports whether e matches every name o matches, and is not o.
func (e *squidEntry) covers(o *squidEntry) bool {
	return e != o && e.sub && (o.domain == e.domain || strings.HasSuffix(o.domain, "."+e.domain))
}

// Squid writes the rules' hosts as a squid dstdomain ACL file, one entry a line, for
// `acl azure_arc dstdomain "/etc/squid/azure-arc.acl"`. A wildcard *.example.com is written
// .example.com (squid's "the domain and every name under it"); a wildcard within a name, such as
// azgn*.servicebus.windows.net, becomes the nearest entry that covers it (.servicebus.windows.net) with a
// comment saying so; an entry another one covers is left out, because squid refuses overlapping
// entries. Ports are not part of a dstdomain ACL; service tags are not written. It returns the
// endpoints it left out because they still hold a placeholder.
func Squid(out io.Writer, p *endpoints.Plan) (Unfilled, error) {
	rules, unfilled := exportRules(p)
	var ports []string
	for _, r := range rules {
		ports = appendNew(ports, r.port.String())
	}
	slices.Sort(ports)
	w := write.To(out)
	fmt.Fprintf(w, "# Azure Arc endpoints (%s) as a squid dstdomain ACL:\n", exportSelection(p))
	fmt.Fprintln(w, `#   acl azure_arc dstdomain "/etc/squid/azure-arc.acl"`)
	fmt.Fprintln(w, "# .name matches the name and every name under it.")
	fmt.Fprintf(w, "# A dstdomain ACL has no ports: these endpoints use %s.\n", strings.Join(ports, ", "))
	for _, e := range squidEntries(rules) {
		for _, n := range e.notes {
			fmt.Fprintf(w, "# %s\n", n)
		}
		fmt.Fprintln(w, e)
	}
	return unfilled, w.Err()
}

// squidEntries turns the rules' hosts into squid entries, sorted, none covering another.
func squidEntries(rules []*exportRule) []*squidEntry {
	var all []*squidEntry
	for _, r := range rules {
		e := squidEntryFor(r.host)
		i := slices.IndexFunc(all, func(have *squidEntry) bool { return have.domain == e.domain })
		if i < 0 {
			all = append(all, e)
			continue
		}
		all[i].sub = all[i].sub || e.sub
		all[i].notes = appendNew(all[i].notes, e.notes...)
	}
	var kept []*squidEntry
	for _, e := range all {
		// The broadest entry covering e is not itself covered: it takes e's comments.
		var by *squidEntry
		for _, c := range all {
			if c.covers(e) && (by == nil || len(c.domain) < len(by.domain)) {
				by = c
			}
		}
		if by == nil {
			kept = append(kept, e)
			continue
		}
		by.notes = appendNew(by.notes, e.notes...)
	}
	slices.SortFunc(kept, func(a, b *squidEntry) int { return cmp.Compare(a.domain, b.domain) })
	return kept
}

// squidEntryFor writes a host or wildcard as squid does: *.example.com as .example.com, and a wildcard
// within a name as the names under the labels after it.
func squidEntryFor(host string) *squidEntry {
	labels := strings.Split(host, ".")
	last := lastWildcard(labels)
	if last < 0 {
		return &squidEntry{domain: host}
	}
	e := &squidEntry{domain: strings.Join(labels[last+1:], "."), sub: true}
	if last > 0 || labels[0] != "*" {
		e.notes = []string{fmt.Sprintf("%s: squid has no wildcard within a name; .%s is the nearest entry that covers it",
			host, e.domain)}
	}
	return e
}
