package settings

import (
	"errors"
	"slices"

	"github.com/arccheck/arccheck/pkg/agent"
	"github.com/arccheck/arccheck/pkg/endpoints"
)

// agentField is a part of the selection the installed agent can set.
type agentField struct {
	field endpoints.Field
	// givenBy are the parts of the selection that, given by the user, leave the agent's value out.
	givenBy []endpoints.Field
	// says reports whether the agent has a value for it.
	says func(a *agent.Settings) bool
	// set puts the agent's value into a selection.
	set func(sel *endpoints.Selection, a *agent.Settings)
}

// modeFields are the parts of the selection that choose the mode: given either, the user chose it.
var modeFields = []endpoints.Field{endpoints.FieldMode, endpoints.FieldGatewayURL}

// agentFields is the one table of what the agent can set, in the order it is taken: the mode the agent's
// gateway URL implies is FieldGatewayURL, the private-link mode its Private Link Scope implies FieldMode.
var agentFields = []agentField{
	{endpoints.FieldCloud, []endpoints.Field{endpoints.FieldCloud},
		func(a *agent.Settings) bool { return a.Cloud != "" },
		func(s *endpoints.Selection, a *agent.Settings) { s.Cloud = a.Cloud }},
	{endpoints.FieldLocation, []endpoints.Field{endpoints.FieldLocation},
		func(a *agent.Settings) bool { return a.Location != "" },
		func(s *endpoints.Selection, a *agent.Settings) { s.Location = a.Location }},
	{endpoints.FieldGatewayURL, modeFields,
		func(a *agent.Settings) bool { return a.GatewayURL != "" },
		func(s *endpoints.Selection, a *agent.Settings) {
			s.Mode, s.GatewayURL = endpoints.ModeGateway, a.GatewayURL
		}},
	{endpoints.FieldMode, modeFields,
		func(a *agent.Settings) bool { return a.GatewayURL == "" && a.PrivateLinkScope != "" },
		func(s *endpoints.Selection, a *agent.Settings) { s.Mode = endpoints.ModePrivateLink }},
	{endpoints.FieldProxyBypass, []endpoints.Field{endpoints.FieldProxyBypass},
		func(a *agent.Settings) bool { return len(a.ProxyBypass) > 0 },
		func(s *endpoints.Selection, a *agent.Settings) { s.ProxyBypass = a.ProxyBypass }},
	{endpoints.FieldExtensions, []endpoints.Field{endpoints.FieldExtensions},
		func(a *agent.Settings) bool { return len(a.Extensions) > 0 },
		func(s *endpoints.Selection, a *agent.Settings) { s.Extensions = a.Extensions }},
}

// resolveSelection selects the catalog endpoints: the flags, and every value of the agent for a part the
// user did not give. A value of the agent the catalog refuses (a cloud or region it does not know) is
// dropped, with a warning, and the selection made again without it: the agent's word is never bad input.
func (p *Plan) resolveSelection(in Input) error {
	taken := p.agentValues(in)
	for {
		ep, err := in.Catalog.Select(compose(in, taken))
		var se *endpoints.SelectionError
		if !errors.As(err, &se) {
			if err != nil {
				return err
			}
			p.Endpoints = ep
			p.recordSources(in, taken)
			return nil
		}
		f, ok := refusedAgentValue(se, taken)
		if !ok {
			return err
		}
		taken = slices.DeleteFunc(taken, func(t endpoints.Field) bool { return t == f })
		p.Warnings = append(p.Warnings, AgentValueRefused{Field: f, Err: se})
	}
}

// agentValues are the parts of the selection to take from the agent: those it has a value for that the
// user did not give. In gateway mode its proxy bypass is left out, with a warning: the gateway does not
// support proxy bypass.
func (p *Plan) agentValues(in Input) []endpoints.Field {
	if in.Agent == nil {
		return nil
	}
	var taken []endpoints.Field
	for _, af := range agentFields {
		if af.says(in.Agent) && !slices.ContainsFunc(af.givenBy, func(f endpoints.Field) bool { return in.Given[f] }) {
			taken = append(taken, af.field)
		}
	}
	if slices.Contains(taken, endpoints.FieldProxyBypass) && gatewayMode(compose(in, taken)) {
		taken = slices.DeleteFunc(taken, func(f endpoints.Field) bool { return f == endpoints.FieldProxyBypass })
		p.Warnings = append(p.Warnings, AgentBypassInGateway{Categories: in.Agent.ProxyBypass})
	}
	return taken
}

// compose is the flags' selection with the agent's values for the parts taken.
func compose(in Input, taken []endpoints.Field) endpoints.Selection {
	sel := in.Selection
	for _, af := range agentFields {
		if slices.Contains(taken, af.field) {
			af.set(&sel, in.Agent)
		}
	}
	return sel
}

// gatewayMode reports whether a selection is in gateway mode: as its mode says, or by its gateway URL.
func gatewayMode(sel endpoints.Selection) bool {
	return sel.Mode == endpoints.ModeGateway || sel.Mode == "" && sel.GatewayURL != ""
}

// refusedAgentValue is the part taken from the agent that a selection error is about, if any. An error
// about the mode when the agent set none is about the gateway mode its gateway URL implied.
func refusedAgentValue(se *endpoints.SelectionError, taken []endpoints.Field) (endpoints.Field, bool) {
	f := se.Field
	if f == endpoints.FieldMode && !slices.Contains(taken, f) {
		f = endpoints.FieldGatewayURL
	}
	return f, slices.Contains(taken, f)
}

// recordSources says where each part of the selection the agent can set came from.
func (p *Plan) recordSources(in Input, taken []endpoints.Field) {
	for _, af := range agentFields {
		switch {
		case in.Given[af.field]:
			p.Sources[af.field] = SourceFlag
		case slices.Contains(taken, af.field):
			p.Sources[af.field] = SourceAgent
		}
	}
}
