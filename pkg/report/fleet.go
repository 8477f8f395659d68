package report

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/probe"
)

// FleetSchema is the version tag of the JSON that `arccheck merge -o json` writes.
const FleetSchema = "arccheck.fleet/v1"

// Fleet is what many servers' reports say together.
type Fleet struct {
	// Servers are the reports, in the order given, by host name (or file when it has none).
	Servers []FleetServer
	// Endpoints are every endpoint probed anywhere, the most failing first.
	Endpoints []FleetEndpoint
	// Fixes are the changes to make, with the patterns and how many servers need each.
	Fixes []FleetFix
	// Proxies are the proxies the servers used, with how many servers used each and how many failed.
	Proxies []FleetProxy
	// NeedRegion are the servers whose report failed because required patterns needed a region.
	NeedRegion []string
}

// FleetServer is one report.
type FleetServer struct {
	Name, File, Version, Proxy string
	Failed                     bool
	Unreachable                int
}

// FleetEndpoint is one endpoint across the fleet.
type FleetEndpoint struct {
	Endpoint string
	Pattern  string
	Required bool
	// Servers probed it; Failed is on how many it failed, by class, and which.
	Servers, Failed int
	Classes         map[string]int
	FailedOn        []string
}

// FleetFix is one action for one pattern, with the servers that need it.
type FleetFix struct {
	Action  string
	Pattern string
	Servers []string
}

// FleetProxy is one proxy (or "not used") and the servers behind it.
type FleetProxy struct {
	Proxy           string
	Servers, Failed int
}

// NewFleet merges reports; names are the servers' names, one per report. Every string it keeps from a
// report or a file name is escaped (safetext): a report may be hostile, and the fleet view shows it on
// a terminal, in a ticket, in a pipeline's test results and in JSON.
func NewFleet(reports []CheckDocument, files []string) *Fleet {
	f := &Fleet{}
	eps := map[string]*FleetEndpoint{}
	fixes := map[[2]string]*FleetFix{}
	proxies := map[string]*FleetProxy{}
	seen := map[string]int{}
	docs := make([]CheckDocument, len(reports))
	for i := range reports {
		docs[i] = inert(reports[i])
		seen[docs[i].Host.Hostname]++
	}
	for i, doc := range docs {
		name, file := doc.Host.Hostname, safetext.Escape(files[i])
		if name == "" || seen[name] > 1 {
			name = strings.TrimSpace(name + " (" + file + ")") // two reports of one host stay apart
		}
		proxy := cmpOrNone(doc.Settings.Proxy.HTTPS)
		// Reports written before requiredNeedRegion read it as 0, and are judged as they were.
		failing := doc.Summary.RequiredUnreachable + doc.Summary.RequiredCanceled + doc.Summary.RequiredNeedRegion
		s := FleetServer{Name: name, File: file, Version: doc.Tool.Version, Proxy: proxy,
			Failed: failing > 0, Unreachable: doc.Summary.Unreachable}
		f.Servers = append(f.Servers, s)
		if doc.Summary.RequiredNeedRegion > 0 {
			f.NeedRegion = append(f.NeedRegion, name)
		}
		px := proxies[proxy]
		if px == nil {
			px = &FleetProxy{Proxy: proxy}
			proxies[proxy] = px
		}
		px.Servers++
		if s.Failed {
			px.Failed++
		}
		for _, r := range doc.Results {
			f.addResult(eps, name, r)
		}
		for _, g := range doc.WhatToFix {
			for _, p := range g.Patterns {
				key := [2]string{g.Action, p}
				fx := fixes[key]
				if fx == nil {
					fx = &FleetFix{Action: g.Action, Pattern: p}
					fixes[key] = fx
				}
				if !slices.Contains(fx.Servers, name) {
					fx.Servers = append(fx.Servers, name)
				}
			}
		}
	}
	f.sort(eps, fixes, proxies)
	return f
}

func (f *Fleet) addResult(eps map[string]*FleetEndpoint, server string, r ResultJSON) {
	e := eps[r.Endpoint]
	if e == nil {
		e = &FleetEndpoint{Endpoint: r.Endpoint, Pattern: r.Pattern, Classes: map[string]int{}}
		eps[r.Endpoint] = e
	}
	e.Servers++
	e.Required = e.Required || r.Required
	if r.Failure != nil {
		e.Failed++
		e.Classes[string(r.Failure.Class)]++
		e.FailedOn = append(e.FailedOn, server)
	}
}

func (f *Fleet) sort(eps map[string]*FleetEndpoint, fixes map[[2]string]*FleetFix, proxies map[string]*FleetProxy) {
	for _, e := range eps {
		f.Endpoints = append(f.Endpoints, *e)
	}
	sort.Slice(f.Endpoints, func(i, j int) bool {
		a, b := f.Endpoints[i], f.Endpoints[j]
		if a.Failed != b.Failed {
			return a.Failed > b.Failed
		}
		return a.Endpoint < b.Endpoint
	})
	for _, fx := range fixes {
		f.Fixes = append(f.Fixes, *fx)
	}
	sort.Slice(f.Fixes, func(i, j int) bool {
		a, b := f.Fixes[i], f.Fixes[j]
		if len(a.Servers) != len(b.Servers) {
			return len(a.Servers) > len(b.Servers)
		}
		if a.Action != b.Action {
			return a.Action < b.Action
		}
		return a.Pattern < b.Pattern
	})
	for _, p := range proxies {
		f.Proxies = append(f.Proxies, *p)
	}
	sort.Slice(f.Proxies, func(i, j int) bool { return f.Proxies[i].Proxy < f.Proxies[j].Proxy })
}

// FailedServers counts the servers whose report failed.
func (f *Fleet) FailedServers() int {
	n := 0
	for _, s := range f.Servers {
		if s.Failed {
			n++
		}
	}
	return n
}

// Failed reports whether any server's report failed.
func (f *Fleet) Failed() bool { return f.FailedServers() > 0 }

func cmpOrNone(proxy string) string {
	if proxy == "" {
		return "not used"
	}
	return proxy
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
		if gloss := hints[probe.Class(c)].fleet; gloss != "" {
			word += " (" + gloss + ")"
		}
		out = append(out, word)
	}
	return strings.Join(out, ", ")
}

// FleetTable writes the fleet view: per endpoint on how many servers it failed and with which classes,
// then the fixes by how many servers need them, and the proxies.
func FleetTable(out io.Writer, f *Fleet, o TableOptions) error {
	w := &errWriter{w: out}
	failed := f.FailedServers()
	fmt.Fprintf(w, "%s merged: %d failed, %d passed.\n", plural(len(f.Servers), "report"), failed, len(f.Servers)-failed)
	if line := fleetRegionLine(f); line != "" {
		writePara(w, line, o.Width)
	}
	g := &grid{header: []string{"ENDPOINT", "FAILED ON", "CLASSES", "SERVERS"}, drop: []int{3}, flex: []int{0, 2, 3}}
	for _, e := range f.Endpoints {
		failedOn := fmt.Sprintf("%d of %d", e.Failed, e.Servers)
		if !e.Required {
			failedOn += " (never fails a run)"
		}
		color := ""
		if e.Failed > 0 {
			color = ansiRed
		}
		g.add(plain(e.Endpoint), painted(failedOn, color), plain(classWords(e.Classes)), plain(strings.Join(e.FailedOn, ", ")))
	}
	if err := g.render(w, o.Width, o.Color); err != nil && w.err == nil {
		return err
	}
	item := func(s string) { writeItem(w, s, o.Width) }
	if len(f.Fixes) > 0 {
		fmt.Fprintln(w, "\nWhat to fix, by the servers that need it:")
		for _, fx := range f.Fixes {
			item(fmt.Sprintf("- %s: %s (%s: %s)", fx.Action, fx.Pattern, plural(len(fx.Servers), "server"), strings.Join(fx.Servers, ", ")))
		}
	}
	fmt.Fprintln(w, "\nBy proxy:")
	for _, p := range f.Proxies {
		item(fmt.Sprintf("- %s: %s, %d failed", p.Proxy, plural(p.Servers, "server"), p.Failed))
	}
	versions := fleetVersions(f)
	if len(versions) > 1 {
		item("Reports from arccheck " + strings.Join(versions, ", ") + ": compare them with care.")
	}
	return w.err
}

// fleetRegionLine names the servers that failed for want of a region ("" when none did).
func fleetRegionLine(f *Fleet) string {
	if len(f.NeedRegion) == 0 {
		return ""
	}
	return fmt.Sprintf("Required patterns not tested for want of a region on %s; %s.", strings.Join(f.NeedRegion, ", "), regionFix)
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

// FleetDocument is the JSON form of the fleet view.
type FleetDocument struct {
	Schema    string              `json:"schema"`
	Tool      Tool                `json:"tool"`
	Servers   []FleetServerJSON   `json:"servers"`
	Endpoints []FleetEndpointJSON `json:"endpoints"`
	WhatToFix []FleetFixJSON      `json:"whatToFix"`
	Proxies   []FleetProxyJSON    `json:"proxies"`
}

// FleetServerJSON is one merged report.
type FleetServerJSON struct {
	Name        string `json:"name"`
	File        string `json:"file"`
	Version     string `json:"arccheckVersion"`
	Proxy       string `json:"proxy"`
	Failed      bool   `json:"failed"`
	Unreachable int    `json:"unreachable"`
}

// FleetEndpointJSON is one endpoint across the fleet.
type FleetEndpointJSON struct {
	Endpoint string         `json:"endpoint"`
	Pattern  string         `json:"pattern"`
	Required bool           `json:"required"`
	Servers  int            `json:"servers"`
	Failed   int            `json:"failed"`
	Classes  map[string]int `json:"classes"`
	FailedOn []string       `json:"failedOn"`
}

// FleetFixJSON is one change for one pattern and the servers that need it.
type FleetFixJSON struct {
	Action  string   `json:"action"`
	Pattern string   `json:"pattern"`
	Servers []string `json:"servers"`
}

// FleetProxyJSON is one proxy and the servers behind it.
type FleetProxyJSON struct {
	Proxy   string `json:"proxy"`
	Servers int    `json:"servers"`
	Failed  int    `json:"failed"`
}

// FleetJSON writes the fleet view as indented JSON.
func FleetJSON(w io.Writer, tool Tool, f *Fleet) error {
	doc := FleetDocument{Schema: FleetSchema, Tool: tool, Servers: []FleetServerJSON{}, Endpoints: []FleetEndpointJSON{},
		WhatToFix: []FleetFixJSON{}, Proxies: []FleetProxyJSON{}}
	for _, s := range f.Servers {
		doc.Servers = append(doc.Servers, FleetServerJSON(s))
	}
	for _, e := range f.Endpoints {
		doc.Endpoints = append(doc.Endpoints, FleetEndpointJSON{Endpoint: e.Endpoint, Pattern: e.Pattern, Required: e.Required,
			Servers: e.Servers, Failed: e.Failed, Classes: e.Classes, FailedOn: nonNil(e.FailedOn)})
	}
	for _, fx := range f.Fixes {
		doc.WhatToFix = append(doc.WhatToFix, FleetFixJSON(fx))
	}
	for _, p := range f.Proxies {
		doc.Proxies = append(doc.Proxies, FleetProxyJSON(p))
	}
	return writeJSON(w, doc)
}

// FleetMarkdown writes the fleet view for a ticket.
func FleetMarkdown(out io.Writer, f *Fleet) error {
	w := &errWriter{w: out}
	fmt.Fprintf(w, "# arccheck fleet view: %s\n\n", plural(len(f.Servers), "server"))
	if line := fleetRegionLine(f); line != "" {
		fmt.Fprintf(w, "%s\n\n", markdownText(line))
	}
	fmt.Fprintln(w, "| Endpoint | Failed on | Classes | Servers |")
	fmt.Fprintln(w, "| --- | --- | --- | --- |")
	for _, e := range f.Endpoints {
		fmt.Fprintf(w, "| %s | %d of %d | %s | %s |\n", markdownText(e.Endpoint), e.Failed, e.Servers,
			markdownText(classWords(e.Classes)), markdownText(strings.Join(e.FailedOn, ", ")))
	}
	if len(f.Fixes) > 0 {
		fmt.Fprintln(w, "\n## What to fix")
		for _, fx := range f.Fixes {
			fmt.Fprintf(w, "\n- %s: %s (%s)", markdownText(fx.Action), markdownCodes([]string{fx.Pattern}), markdownText(strings.Join(fx.Servers, ", ")))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "\n## By proxy")
	for _, p := range f.Proxies {
		fmt.Fprintf(w, "\n- %s: %s, %d failed", markdownText(p.Proxy), plural(p.Servers, "server"), p.Failed)
	}
	fmt.Fprintln(w)
	return w.err
}

// FleetJUnit writes the fleet view as JUnit XML: a test suite per server, a test case per endpoint it
// probed, failed where it failed (an error where the server could not test it: local_resources), and
// one per required pattern it left untested for want of a region, failed (for a pipeline that checks
// many servers at once). Every text from the reports is escaped (safetext).
func FleetJUnit(w io.Writer, reports []CheckDocument, f *Fleet) error {
	all := junit.Testsuites{Name: "arccheck fleet"}
	for i, doc := range reports {
		s := junit.Testsuite{Name: safetext.Escape(f.Servers[i].Name), Hostname: safetext.Escape(doc.Host.Hostname), ID: i,
			Time: seconds(doc.DurationMs / 1000)}
		s.SetTimestamp(doc.StartedAt)
		for _, r := range doc.Results {
			s.AddTestcase(fleetCase(r))
		}
		for _, n := range doc.NotTested {
			if n.needsRegion() {
				s.AddTestcase(notTestedCase(n.Pattern, n.Reason, true))
			}
		}
		all.AddSuite(s)
	}
	return all.WriteXML(w)
}

// fleetCase is one endpoint of one server's report.
func fleetCase(r ResultJSON) junit.Testcase {
	tc := junit.Testcase{Name: safetext.Escape(r.Endpoint), Classname: "arccheck." + safetext.Escape(r.Pattern), Time: seconds(r.Timings.Total / 1000)}
	if r.Failure == nil {
		return tc
	}
	action := ""
	if r.Fix != nil {
		action = r.Fix.Action
	}
	result := &junit.Result{Message: sanitizeXML(string(r.Failure.Class) + ": " + action), Type: safetext.Escape(string(r.Failure.Class)),
		Data: sanitizeXML(r.Failure.Message)}
	switch {
	case r.Failure.Class == probe.ClassLocalResources:
		tc.Error = result
	case r.Required:
		tc.Failure = result
	}
	return tc
}
