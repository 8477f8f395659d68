package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
	"github.com/arccheck/arccheck/pkg/report/internal/junitxml"
)

// JUnitOptions shape the JUnit report.
type JUnitOptions struct {
	// FailOnWarning makes a warning a failed test case, as --fail-on warning makes it fail the run.
	FailOnWarning bool
}

// CheckJUnit writes the results as JUnit XML, which Azure DevOps, GitHub Actions, GitLab and Jenkins
// publish as test results: a test suite per scenario (the agent's own endpoints, each extension
// scenario, the user's endpoints), a test case per endpoint, failed when the endpoint fails the run
// (message: the class and the fix), skipped for patterns that could not be tested (failed for required
// ones only a region would name, as the run fails), and the run's settings as the suites' properties.
// The XML is written by github.com/jstemmer/go-junit-report.
func CheckJUnit(w io.Writer, tool Tool, host Host, settings Settings, rep *check.Report, o JUnitOptions) error {
	suites := map[string]*junit.Testsuite{}
	spans := map[string]*span{}
	var order []string
	suite := func(name string) *junit.Testsuite {
		if s, ok := suites[name]; ok {
			return s
		}
		s := &junit.Testsuite{Name: safetext.Escape("arccheck " + name), Hostname: safetext.Escape(host.Hostname), ID: len(order)}
		s.SetTimestamp(rep.Start)
		for _, p := range junitProperties(tool, host, settings) {
			s.AddProperty(p.Name, safetext.Escape(p.Value))
		}
		suites[name] = s
		order = append(order, name)
		return s
	}
	for i := range rep.Results {
		r := &rep.Results[i]
		name := suiteOf(r.Entry, r.Origin)
		suite(name).AddTestcase(junitCase(r, o))
		if spans[name] == nil {
			spans[name] = &span{}
		}
		spans[name].add(r.Probe.Start, r.Probe.Duration)
	}
	for _, n := range rep.NotTested {
		suite(suiteOf(entryOf(rep.Plan, n.Pattern), check.OriginCatalog)).AddTestcase(NotTestedCase(n.Pattern, notTestedReason(n), n.NeedsRegion()))
	}
	if len(rep.Warnings) > 0 || len(rep.Revocation) > 0 {
		suite("run").AddTestcase(junitRunCase(rep, o))
	}
	all := junit.Testsuites{Name: "arccheck", Time: junitxml.Seconds(rep.Duration.Seconds())}
	slices.Sort(order)
	for _, name := range order {
		s := suites[name]
		s.Time = junitxml.Seconds(0) // a suite of patterns not tested, or of the run's own findings
		if sp := spans[name]; sp != nil {
			s.Time = junitxml.Seconds(sp.end.Sub(sp.start).Seconds())
		}
		all.AddSuite(*s)
	}
	return all.WriteXML(w)
}

// span is the time a suite's probes took together: from the first start to the last end. Probes run
// at once, so a suite lasts about as long as its slowest probe, never the sum (and never longer than
// the run that holds it).
type span struct{ start, end time.Time }

func (s *span) add(start time.Time, d time.Duration) {
	if s.start.IsZero() || start.Before(s.start) {
		s.start = start
	}
	if end := start.Add(d); end.After(s.end) {
		s.end = end
	}
}

// suiteOf names the suite of an endpoint: its scenarios, "agent" for the agent's own, "endpoints"
// for the user's.
func suiteOf(e *endpoints.Entry, origin check.Origin) string {
	switch {
	case origin == check.OriginUser:
		return "endpoints"
	case e != nil && e.When == endpoints.WhenScenario:
		return strings.Join(e.Scenarios, ",")
	}
	return "agent"
}

// entryOf finds the catalog entry of a pattern in the plan.
func entryOf(p *endpoints.Plan, pattern string) *endpoints.Entry {
	if p == nil {
		return nil
	}
	for _, ep := range p.Endpoints {
		if ep.Pattern == pattern {
			return ep.Entry
		}
	}
	return nil
}

// junitCase is one endpoint: failed when it fails the run (or, with FailOnWarning, has a warning); an
// error when this machine could not test it (local_resources), which is no verdict on the endpoint; an
// optional endpoint's failure is a line of system-out, and the case passes (junitxml.Case).
func junitCase(r *check.Result, o JUnitOptions) junit.Testcase {
	tc := junit.Testcase{Name: safetext.Escape(r.URL()), Classname: "arccheck." + safetext.Escape(r.Pattern), Time: junitxml.Seconds(r.Probe.Duration.Seconds())}
	c := junitxml.Case{Required: r.Required, Warnings: junitWarnings(r.Warnings), FailOnWarning: o.FailOnWarning}
	if f := r.Failure; f != nil {
		fix := FixOf(*f)
		c.Failure = &junitxml.Finding{Class: string(f.Class), Phase: string(f.Phase), Message: progressText(*f), Action: fix.Action, Hint: fix.Hint}
		c.Local = f.Class == probe.ClassLocalResources
	}
	c.Fill(&tc)
	return tc
}

// junitWarnings are warnings as a JUnit case shows them.
func junitWarnings(warnings []check.Finding) []junitxml.Finding {
	var out []junitxml.Finding
	for _, w := range warnings {
		fix := FixOf(w)
		out = append(out, junitxml.Finding{Class: string(w.Class), Message: progressText(w), Action: fix.Action, Hint: fix.Hint})
	}
	return out
}

// NotTestedCase is the JUnit test case of a pattern that could not be tested: skipped, or failed when it
// is required and only a region would have named its host, as the run fails (a check's and a fleet's).
func NotTestedCase(pattern, reason string, needsRegion bool) junit.Testcase {
	tc := junit.Testcase{Name: safetext.Escape(pattern), Classname: "arccheck.not-tested"}
	if needsRegion {
		tc.Failure = &junit.Result{Message: junitxml.Text("not tested for want of a region: " + RegionFix), Type: needsRegionState,
			Data: junitxml.Text(reason)}
	} else {
		tc.Skipped = &junit.Result{Message: junitxml.Text("not tested: " + reason)}
	}
	return tc
}

// junitProperties are the settings a run was made with.
func junitProperties(tool Tool, host Host, s Settings) []junit.Property {
	props := []junit.Property{{Name: "arccheck.version", Value: tool.Version}, {Name: "host.os", Value: host.OS + "/" + host.Arch},
		{Name: "catalog", Value: s.Catalog}, {Name: "timeout", Value: strconv.FormatInt(s.TimeoutMs, 10) + "ms"},
		{Name: "proxy", Value: s.Proxy.HTTPS}}
	if sel := s.Selection; sel != nil {
		props = append(props, junit.Property{Name: "cloud", Value: sel.Cloud}, junit.Property{Name: "location", Value: sel.Location},
			junit.Property{Name: "mode", Value: sel.Mode}, junit.Property{Name: "list", Value: sel.List},
			junit.Property{Name: "scenarios", Value: strings.Join(sel.Scenarios, ",")})
	}
	return props
}

// revocationState says how a revocation URL went: reachable, unreachable, or not probed (unknown,
// never ok).
func revocationState(rv check.Revocation) string {
	switch f := rv.Probe.Failure; {
	case rv.Probe.Reachable:
		return "reachable"
	case f != nil && f.Class == check.ClassRevocationNotProbed:
		return "not probed, reachability unknown"
	}
	return "unreachable"
}

// junitRunCase is the run's own findings as one test case: the clock and the revocation endpoints,
// failed only for a warning with FailOnWarning, as the run is.
func junitRunCase(rep *check.Report, o JUnitOptions) junit.Testcase {
	tc := junit.Testcase{Name: "run", Classname: "arccheck.run"}
	c := junitxml.Case{Warnings: junitWarnings(rep.Warnings), FailOnWarning: o.FailOnWarning}
	for _, rv := range rep.Revocation {
		c.Notes = append(c.Notes, fmt.Sprintf("revocation %s %s: %s", rv.Kind, rv.URL, revocationState(rv)))
	}
	c.Fill(&tc)
	return tc
}
