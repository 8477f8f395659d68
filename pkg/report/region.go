package report

import (
	"fmt"

	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/endpoints"
)

// The words for required patterns left untested for want of a region, which fail a run; every format
// says it with these.
const (
	// RegionFix is what to do about them.
	RegionFix = "give the server's region with -l/--location (e.g. -l westeurope)"
	// needsRegionState is their state in Prometheus and their failure type in JUnit.
	needsRegionState = "required_needs_region"
)

// RegionMissingLine says why a run failed for want of a region, and what to do; "" when it did not.
func RegionMissingLine(rep *check.Report) string {
	n := len(rep.RegionMissing())
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%s not tested for want of a region; %s.", Plural(n, "required pattern"), RegionFix)
}

// NeedsRegion reports whether a report's not-tested pattern is required and needs a region (reports
// written before the needs field never say so).
func (n NotTestedJSON) NeedsRegion() bool {
	return n.Required && n.Needs == string(endpoints.FieldLocation)
}
