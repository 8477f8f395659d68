package check

import "github.com/arccheck/arccheck/pkg/endpoints"

// NeedsRegion reports whether a required pattern is untested only because no region names its host
// (a regional host, or a discovery call made per region). Any such pattern fails the run.
func (n NotTested) NeedsRegion() bool { return n.Required && n.Needs == endpoints.FieldLocation }

// RegionMissing are the required patterns left untested because no region names their hosts. A run
// with any of them fails: without the region it cannot say the machine reaches what the agent needs.
func (r *Report) RegionMissing() []NotTested {
	var out []NotTested
	for _, n := range r.NotTested {
		if n.NeedsRegion() {
			out = append(out, n)
		}
	}
	return out
}
