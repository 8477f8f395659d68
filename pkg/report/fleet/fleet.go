// Package fleet is the view of many servers' check reports at once, for `arccheck merge`: reading
// the reports (bounded and strict, every string escaped), what they say together (Fleet), and the fleet
// view as a table, JSON, Markdown and JUnit.
package fleet

import (
	"sort"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/arccheck/arccheck/pkg/report"
)

// Schema is the version tag of the JSON that `arccheck merge -o json` writes.
const Schema = "arccheck.fleet/v1"

// Fleet is what many servers' reports say together.
type Fleet struct {
	// Servers are the reports, in the order given, by host name (or file when it has none).
	Servers []Server
	// Endpoints are every endpoint probed anywhere, the most failing first.
	Endpoints []Endpoint
	// Fixes are the changes to make, with the patterns and how many servers need each.
	Fixes []Fix
	// Proxies are the proxies the servers used, with how many servers used each and how many failed.
	Proxies []Proxy
	// NeedRegion are the servers whose report failed because required patterns needed a region.
	NeedRegion []string
	// suites are the servers' JUnit test suites, when the Merger kept them.
	suites []junit.Testsuite
}

// Server is one report.
type Server struct {
	Name, File, Version, Proxy string
	Failed                     bool
	Unreachable                int
}

// Endpoint is one endpoint across the fleet.
type Endpoint struct {
	Endpoint string
	Pattern  string
	// Required is set when a server requires it (an endpoint can be required on one server, by its
	// selection, and optional on another).
	Required bool
	// Servers probed it; Failed is on how many it failed, by class, and which; RequiredFailed is on how
	// many of those it was required (the failures that failed a run).
	Servers, Failed, RequiredFailed int
	Classes                         map[string]int
	FailedOn                        []string
}

// Fix is one action for one pattern, with the servers that need it.
type Fix struct {
	Action  string
	Pattern string
	Servers []string
}

// Proxy is one proxy (or "not used") and the servers behind it.
type Proxy struct {
	Proxy           string
	Servers, Failed int
}

// New merges reports; files name them, one per report (see Merger). Every string it keeps from a
// report or a file name is escaped (safetext): a report may be hostile, and the fleet view shows it on
// a terminal, in a ticket, in a pipeline's test results and in JSON.
func New(reports []report.CheckDocument, files []string) *Fleet {
	m := NewMerger(true)
	for i, doc := range reports {
		m.Add(doc, files[i])
	}
	return m.Fleet()
}

func (f *Fleet) sort(eps map[string]*Endpoint, fixes map[[2]string]*Fix, proxies map[string]*Proxy) {
	for _, e := range eps {
		f.Endpoints = append(f.Endpoints, *e)
	}
	sort.Slice(f.Endpoints, func(i, j int) bool {
		// The failures that failed runs first: an optional endpoint that fails everywhere matters less
		// than a required one that fails on a few servers.
		a, b := f.Endpoints[i], f.Endpoints[j]
		if a.RequiredFailed != b.RequiredFailed {
			return a.RequiredFailed > b.RequiredFailed
		}
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
