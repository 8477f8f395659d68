package check

import (
	"time"

	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
)

// Report is everything a run found.
type Report struct {
	Start    time.Time
	Duration time.Duration
	Plan     *endpoints.Plan
	// Results are sorted by URL, as azcmagent sorts its rows.
	Results []Result
	// NotTested and Discoveries are sorted by pattern and URL.
	NotTested   []NotTested
	Discoveries []Discovery
	// Interrupted is set when the run was cancelled before it finished.
	Interrupted bool
	// Revocation are the revocation URLs the chains presented name, sorted by URL, each probed once.
	Revocation []Revocation
	// Clock compares this machine's clock with the servers' Date headers; nil when no answer had one.
	Clock *Clock
	// Warnings are findings about the run rather than one endpoint (clock_skew).
	Warnings []Finding
}

// Summary counts a report's results.
type Summary struct {
	Endpoints           int
	Reachable           int
	Unreachable         int
	RequiredUnreachable int
	// Canceled counts the endpoints not probed to a verdict (interrupted, never started before the run's
	// deadline, or out of local resources: probe.ClassLocalResources); RequiredCanceled those of them
	// that are required.
	Canceled         int
	RequiredCanceled int
	Warnings         int
	NotTested        int
}

// Summary counts the results.
func (r *Report) Summary() Summary {
	s := Summary{Endpoints: len(r.Results), NotTested: len(r.NotTested), Warnings: len(r.Warnings)}
	for _, res := range r.Results {
		s.Warnings += len(res.Warnings)
		switch {
		case res.Reachable:
			s.Reachable++
		case res.Failure != nil && (res.Failure.Class == probe.ClassCanceled || res.Failure.Class == probe.ClassLocalResources):
			s.Canceled++
			if res.Required {
				s.RequiredCanceled++
			}
		default:
			s.Unreachable++
			if res.Required {
				s.RequiredUnreachable++
			}
		}
	}
	return s
}

// Failed reports whether a required endpoint is unreachable, was not probed to a verdict, or could not be
// named for want of a region: a run passes only when every required endpoint was probed and reachable.
func (r *Report) Failed() bool {
	s := r.Summary()
	return s.RequiredUnreachable > 0 || s.RequiredCanceled > 0 || len(r.RegionMissing()) > 0
}

// Passed reports whether the run passed, the one rule every exit code and format follows: not
// interrupted, no probe left without a verdict for want of local resources, not Failed and, when
// warnings fail the run (--fail-on warning), no warning.
func (r *Report) Passed(warningsFail bool) bool {
	return !r.Interrupted && r.LocalExhausted() == 0 && !r.Failed() && (!warningsFail || r.Summary().Warnings == 0)
}

// LocalExhausted counts the probes (rows and revocation URLs) that ended for want of a local resource
// (probe.ClassLocalResources: file descriptors, buffers): no verdict on the network, so the run fails
// as a run, whatever the other rows say.
func (r *Report) LocalExhausted() int {
	n := 0
	for _, res := range r.Results {
		if res.Failure != nil && res.Failure.Class == probe.ClassLocalResources {
			n++
		}
	}
	for _, rv := range r.Revocation {
		if rv.Probe.Failure != nil && rv.Probe.Failure.Class == probe.ClassLocalResources {
			n++
		}
	}
	return n
}
