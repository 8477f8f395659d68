package exports

import (
	"fmt"
	"slices"
	"strings"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/report"
)

// Unfilled lists the endpoints an export leaves out, sorted by pattern: those that still hold a
// placeholder the selection did not fill (<region> without a location, [Your URL Prefix] without a
// gateway URL, a value such as <workspace-id> that was not set), and those named with a value that is no
// valid host name or wildcard (a gateway prefix "=1+2"), which no rule file may hold.
type Unfilled []UnfilledEndpoint

// UnfilledEndpoint is one endpoint an export could not name, and what would name it.
type UnfilledEndpoint struct {
	// Pattern is the endpoint as the plan has it, placeholders included.
	Pattern string
	// Needs are the flags that would fill its placeholders, as users type them: "-l/--location",
	// "--gateway-url", "--set workspace-id=VALUE".
	Needs []string
	// Discovered is set when its host is found only at run time, by a discovery call that
	// `arccheck check` makes (the Arc gateway list's regional identity host).
	Discovered bool
	// Required is set when the agent needs it (see endpoints.Endpoint.Required).
	Required bool
	// Invalid are the names it was given that are no valid host name or wildcard, as they were given:
	// left out of every export (escaped when shown).
	Invalid []string
}

// Lines says, one line per endpoint (two when it both needs a value and was given an invalid one),
// what an export left out and what would name it; for stderr. Every line is escaped (safetext).
func (u Unfilled) Lines() []string {
	var out []string
	for _, e := range u {
		need := "optional"
		if e.Required {
			need = "required"
		}
		if len(e.Invalid) > 0 {
			what := strings.Join(e.Invalid, ", ") + " is"
			if slices.Equal(e.Invalid, []string{strings.ToLower(e.Pattern)}) {
				what = "it is"
			}
			out = append(out, safetext.Escape(fmt.Sprintf("not exported: %s (%s): %s not a valid host name or wildcard; check the value it was made from (--gateway-url, --set, the catalog)",
				e.Pattern, need, what)))
		}
		if len(e.Needs) > 0 || e.Discovered {
			out = append(out, safetext.Escape(fmt.Sprintf("not exported: %s (%s): %s", e.Pattern, need, e.how())))
		}
	}
	return out
}

// how says what would name an endpoint that still holds a placeholder.
func (e UnfilledEndpoint) how() string {
	switch {
	case e.Discovered && len(e.Needs) > 0:
		return "its host is found at run time: give " + strings.Join(e.Needs, " and ") + " and run arccheck check"
	case e.Discovered:
		return "its host is found at run time: arccheck check shows it"
	}
	return "give " + strings.Join(e.Needs, " and ") + " to name it"
}

// add adds an endpoint, merging it with one of the same pattern.
func (u Unfilled) add(e UnfilledEndpoint) Unfilled {
	i := slices.IndexFunc(u, func(have UnfilledEndpoint) bool { return have.Pattern == e.Pattern })
	if i < 0 {
		return append(u, e)
	}
	u[i].Required = u[i].Required || e.Required
	u[i].Discovered = u[i].Discovered || e.Discovered
	u[i].Needs = appendNew(u[i].Needs, e.Needs...)
	u[i].Invalid = appendNew(u[i].Invalid, e.Invalid...)
	return u
}

// unfilledEndpoint says what would name an endpoint whose pattern still holds a placeholder.
func unfilledEndpoint(p *endpoints.Plan, ep *endpoints.Endpoint) UnfilledEndpoint {
	u := UnfilledEndpoint{Pattern: ep.Pattern, Required: ep.Required, Discovered: len(ep.Discover) > 0}
	if strings.Contains(ep.Pattern, "<region>") && p.Location == "" {
		u.Needs = append(u.Needs, report.GiveWords(endpoints.FieldLocation, ""))
	}
	if strings.Contains(ep.Pattern, "[Your URL Prefix]") {
		u.Needs = append(u.Needs, report.GiveWords(endpoints.FieldGatewayURL, ""))
	}
	for _, v := range endpoints.Values {
		if slices.ContainsFunc(v.Placeholders, func(ph string) bool { return strings.Contains(ep.Pattern, ph) }) {
			u.Needs = append(u.Needs, report.GiveWords(endpoints.FieldSet, v.Name))
		}
	}
	return u
}
