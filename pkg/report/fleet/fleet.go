// Package fleet is the view of many servers' check reports at once, for `arccheck merge`: reading
// the reports (bounded and strict, every string escaped), what they say together (Fleet), and the fleet
// view as a table, JSON, Markdown and JUnit.
package fleet

import (
	"slices"
	"sort"
	"strings"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/report/internal/inert"
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
	Required bool
	// Servers probed it; Failed is on how many it failed, by class, and which.
	Servers, Failed int
	Classes         map[string]int
	FailedOn        []string
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

// New merges reports; names are the servers' names, one per report. Every string it keeps from a
// report or a file name is escaped (safetext): a report may be hostile, and the fleet view shows it on
// a terminal, in a ticket, in a pipeline's test results and in JSON.
func New(reports []report.CheckDocument, files []string) *Fleet {
	f := &Fleet{}
	eps := map[string]*Endpoint{}
	fixes := map[[2]string]*Fix{}
	proxies := map[string]*Proxy{}
	seen := map[string]int{}
	docs := make([]report.CheckDocument, len(reports))
	for i := range reports {
		docs[i] = inert.Value(reports[i])
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
		s := Server{Name: name, File: file, Version: doc.Tool.Version, Proxy: proxy,
			Failed: failing > 0, Unreachable: doc.Summary.Unreachable}
		f.Servers = append(f.Servers, s)
		if doc.Summary.RequiredNeedRegion > 0 {
			f.NeedRegion = append(f.NeedRegion, name)
		}
		px := proxies[proxy]
		if px == nil {
			px = &Proxy{Proxy: proxy}
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
					fx = &Fix{Action: g.Action, Pattern: p}
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

func (f *Fleet) addResult(eps map[string]*Endpoint, server string, r report.ResultJSON) {
	e := eps[r.Endpoint]
	if e == nil {
		e = &Endpoint{Endpoint: r.Endpoint, Pattern: r.Pattern, Classes: map[string]int{}}
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

func (f *Fleet) sort(eps map[string]*Endpoint, fixes map[[2]string]*Fix, proxies map[string]*Proxy) {
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
