package fleet

import (
	"cmp"
	"strings"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/report/internal/inert"
	"github.com/arccheck/arccheck/pkg/report/internal/junitxml"
)

// Merger merges reports one at a time, as they are read: each is decoded once, what the fleet view
// keeps of it is taken (escaped: a report may be hostile), and the rest is dropped, so that memory grows
// with the merged view, not with the reports. Servers are counted by index while reports come, and named
// once all are in (two reports of one host are told apart by their files).
type Merger struct {
	junit   bool
	servers []merged
	seen    map[string]int
	eps     map[string]*mergedEndpoint
	fixes   map[[2]string]*mergedFix
	proxies map[string]*Proxy
}

// merged is one report as the fleet keeps it: its server (named later), and its JUnit suite.
type merged struct {
	Server
	host string
	// region is set when the report failed for want of a region.
	region bool
	suite  *junit.Testsuite
}

type mergedEndpoint struct {
	Endpoint
	failedOn []int
}

type mergedFix struct {
	Fix
	servers []int
}

// NewMerger returns an empty Merger; junitCases keeps each report's results as JUnit test cases, for
// JUnit (the other views need only the counts).
func NewMerger(junitCases bool) *Merger {
	return &Merger{junit: junitCases, seen: map[string]int{}, eps: map[string]*mergedEndpoint{},
		fixes: map[[2]string]*mergedFix{}, proxies: map[string]*Proxy{}}
}

// Read decodes one report (see ReadCheckReport for what is refused, and why) and merges it; file names it.
func (m *Merger) Read(data []byte, file string) error {
	doc, err := decodeCheckReport(data)
	if err != nil {
		return err
	}
	m.Add(doc, file)
	return nil
}

// Len is how many reports are merged.
func (m *Merger) Len() int { return len(m.servers) }

// Add merges one report, read from file.
func (m *Merger) Add(doc report.CheckDocument, file string) {
	i := len(m.servers)
	host := safetext.Escape(doc.Host.Hostname)
	m.seen[host]++
	proxy := cmp.Or(safetext.Escape(doc.Settings.Proxy.HTTPS), "not used")
	s := merged{host: host, Server: Server{File: safetext.Escape(file), Version: safetext.Escape(doc.Tool.Version), Proxy: proxy,
		Failed: reportFailed(doc), Unreachable: doc.Summary.Unreachable}}
	px := m.proxies[proxy]
	if px == nil {
		px = &Proxy{Proxy: proxy}
		m.proxies[proxy] = px
	}
	px.Servers++
	if s.Failed {
		px.Failed++
	}
	for _, r := range doc.Results {
		m.addResult(i, r)
	}
	for _, g := range doc.WhatToFix {
		action := safetext.Escape(g.Action)
		for _, p := range g.Patterns {
			key := [2]string{action, safetext.Escape(p)}
			fx := m.fixes[key]
			if fx == nil {
				fx = &mergedFix{Fix: Fix{Action: key[0], Pattern: key[1]}}
				m.fixes[key] = fx
			}
			if n := len(fx.servers); n == 0 || fx.servers[n-1] != i {
				fx.servers = append(fx.servers, i)
			}
		}
	}
	s.region = doc.Summary.RequiredNeedRegion > 0
	if m.junit {
		s.suite = suiteOf(i, host, doc)
	}
	m.servers = append(m.servers, s)
}

// reportFailed is the report's own verdict, the one its check exited with (a warning with --fail-on
// warning fails it too); a report written before the verdict is judged by its summary, as it was (and one
// written before requiredNeedRegion reads it as 0).
func reportFailed(doc report.CheckDocument) bool {
	if doc.Verdict != "" {
		return doc.Verdict != "passed"
	}
	return doc.Summary.RequiredUnreachable+doc.Summary.RequiredCanceled+doc.Summary.RequiredNeedRegion > 0
}

func (m *Merger) addResult(server int, r report.ResultJSON) {
	name := safetext.Escape(r.Endpoint)
	e := m.eps[name]
	if e == nil {
		e = &mergedEndpoint{Endpoint: Endpoint{Endpoint: name, Pattern: safetext.Escape(r.Pattern), Classes: map[string]int{}}}
		m.eps[name] = e
	}
	e.Servers++
	e.Required = e.Required || r.Required
	if r.Failure != nil {
		e.Failed++
		if r.Required {
			e.RequiredFailed++
		}
		e.Classes[safetext.Escape(string(r.Failure.Class))]++
		e.failedOn = append(e.failedOn, server)
	}
}

// suiteOf is a report's JUnit test suite (named once the servers are), every text escaped.
func suiteOf(i int, host string, doc report.CheckDocument) *junit.Testsuite {
	s := &junit.Testsuite{Hostname: host, ID: i, Time: junitxml.Seconds(doc.DurationMs / 1000)}
	s.SetTimestamp(doc.StartedAt)
	for _, r := range doc.Results {
		s.AddTestcase(fleetCase(inert.Value(r)))
	}
	for _, n := range doc.NotTested {
		if n.NeedsRegion() {
			s.AddTestcase(report.NotTestedCase(safetext.Escape(n.Pattern), safetext.Escape(n.Reason), true))
		}
	}
	return s
}

// Fleet is the merged view: the servers named, everything sorted.
func (m *Merger) Fleet() *Fleet {
	f := &Fleet{}
	names := make([]string, len(m.servers))
	for i, s := range m.servers {
		name := s.host
		if name == "" || m.seen[name] > 1 {
			name = strings.TrimSpace(name + " (" + s.File + ")") // two reports of one host stay apart
		}
		names[i] = name
		s.Name = name
		f.Servers = append(f.Servers, s.Server)
		if s.region {
			f.NeedRegion = append(f.NeedRegion, name)
		}
		if s.suite != nil {
			suite := *s.suite
			suite.Name = name
			f.suites = append(f.suites, suite)
		}
	}
	eps := map[string]*Endpoint{}
	for k, e := range m.eps {
		ep := e.Endpoint
		ep.FailedOn = nil
		for _, i := range e.failedOn {
			ep.FailedOn = append(ep.FailedOn, names[i])
		}
		eps[k] = &ep
	}
	fixes := map[[2]string]*Fix{}
	for k, fx := range m.fixes {
		fix := fx.Fix
		fix.Servers = nil
		for _, i := range fx.servers {
			fix.Servers = append(fix.Servers, names[i])
		}
		fixes[k] = &fix
	}
	f.sort(eps, fixes, m.proxies)
	return f
}
