package fleet

import (
	"io"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/probe"
	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/report/internal/junitxml"
)

// JUnit writes the fleet view as JUnit XML: a test suite per server, a test case per endpoint it
// probed, failed where it failed (an error where the server could not test it: local_resources), and
// one per required pattern it left untested for want of a region, failed (for a pipeline that checks
// many servers at once). Every text from the reports is escaped (safetext).
func JUnit(w io.Writer, reports []report.CheckDocument, f *Fleet) error {
	all := junit.Testsuites{Name: "arccheck fleet"}
	for i, doc := range reports {
		s := junit.Testsuite{Name: safetext.Escape(f.Servers[i].Name), Hostname: safetext.Escape(doc.Host.Hostname), ID: i,
			Time: junitxml.Seconds(doc.DurationMs / 1000)}
		s.SetTimestamp(doc.StartedAt)
		for _, r := range doc.Results {
			s.AddTestcase(fleetCase(r))
		}
		for _, n := range doc.NotTested {
			if n.NeedsRegion() {
				s.AddTestcase(report.NotTestedCase(n.Pattern, n.Reason, true))
			}
		}
		all.AddSuite(s)
	}
	return all.WriteXML(w)
}

// fleetCase is one endpoint of one server's report.
func fleetCase(r report.ResultJSON) junit.Testcase {
	tc := junit.Testcase{Name: safetext.Escape(r.Endpoint), Classname: "arccheck." + safetext.Escape(r.Pattern), Time: junitxml.Seconds(r.Timings.Total / 1000)}
	if r.Failure == nil {
		return tc
	}
	action := ""
	if r.Fix != nil {
		action = r.Fix.Action
	}
	result := &junit.Result{Message: junitxml.Text(string(r.Failure.Class) + ": " + action), Type: safetext.Escape(string(r.Failure.Class)),
		Data: junitxml.Text(r.Failure.Message)}
	switch {
	case r.Failure.Class == probe.ClassLocalResources:
		tc.Error = result
	case r.Required:
		tc.Failure = result
	}
	return tc
}
