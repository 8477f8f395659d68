package check

import "github.com/arccheck/arccheck/pkg/endpoints"

// RegionMissing are the required patterns left untested because no region names their hosts (the
// regional hosts, and the discovery calls made per region). A run with any of them fails: without the
// region it cannot say the machine reaches what the agent needs.
func (r *Report) RegionMissing() []NotTested {
	var out []NotTested
	for _, n := range r.NotTested {
		if n.Required && n.Needs == endpoints.FieldLocation {
			out = append(out, n)
		}
	}
	return out
}
