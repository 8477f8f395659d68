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
// probed as the check's JUnit has it (failed where a required endpoint failed, an error where the server
// could not test it: local_resources, an optional endpoint's failure and the warnings in system-out), and
// one per required pattern it left untested for want of a region, failed (for a pipeline that checks
// many servers at once). Every text from the reports is escaped (safetext). The suites are those the
// Merger kept (NewMerger(true); New keeps them).
func JUnit(w io.Writer, f *Fleet) error {
	all := junit.Testsuites{Name: "arccheck fleet"}
	for _, s := range f.suites {
		all.AddSuite(s)
	}
	return all.WriteXML(w)
}

// fleetCase is one endpoint of one server's report, as the check's JUnit has it (junitxml.Case): failed
// where it failed a required endpoint, an error where the server could not test it (local_resources),
// the failure of an endpoint that never fails a run and the warnings in system-out.
func fleetCase(r report.ResultJSON) junit.Testcase {
	tc := junit.Testcase{Name: safetext.Escape(r.Endpoint), Classname: "arccheck." + safetext.Escape(r.Pattern), Time: junitxml.Seconds(r.Timings.Total / 1000)}
	c := junitxml.Case{Required: r.Required}
	if f := r.Failure; f != nil {
		c.Failure = &junitxml.Finding{Class: string(f.Class), Phase: string(f.Phase), Message: f.Message}
		if r.Fix != nil {
			c.Failure.Action, c.Failure.Hint = r.Fix.Action, r.Fix.Hint
		}
		c.Local = f.Class == probe.ClassLocalResources
	}
	for _, w := range r.Warnings {
		c.Warnings = append(c.Warnings, junitxml.Finding{Class: string(w.Class), Message: w.Message, Action: w.Fix.Action, Hint: w.Fix.Hint})
	}
	c.Fill(&tc)
	return tc
}
