package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/arccheck/arccheck/pkg/agent"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/report"
)

// agentView is the installed agent's settings as they apply to one run: which selection fields were
// taken from it, and what to warn about.
type agentView struct {
	s agent.Settings
	// took maps each selection field taken from the agent to the flag's own value, to fall back on.
	took     map[endpoints.Field]func(*endpoints.Selection)
	warnings []string
}

// readAgent reads the installed agent, unless --agent off. It returns nil when there is none (the
// normal case before onboarding) and says on stderr, in one line, what could not be read.
func readAgent(e env) *agentView {
	o := agent.Options{Getenv: e.Getenv, Run: e.RunAgent}
	path, err := agent.Find(o)
	if err != nil {
		return nil
	}
	s, problems := agent.Read(e.Context, path, o)
	// Interrupted, the run ends with its own message: the commands stopped are not the agent's fault.
	if len(problems) > 0 && e.Context.Err() == nil {
		var parts []string
		for _, p := range problems {
			parts = append(parts, p.Error())
		}
		fmt.Fprintf(e.Stderr, "arccheck: warning: the Arc agent at %s could not be read fully (%s); going on without what is missing\n",
			path, strings.Join(parts, "; "))
	}
	return &agentView{s: s, took: map[endpoints.Field]func(*endpoints.Selection){}}
}

// applySelection takes from the agent every selection setting the user did not give.
func (v *agentView) applySelection(sel *endpoints.Selection, given func(string) bool) {
	if v == nil {
		return
	}
	take := func(f endpoints.Field, ok bool, set func(*endpoints.Selection), undo func(*endpoints.Selection)) {
		if ok {
			set(sel)
			v.took[f] = undo
		}
	}
	orig := *sel
	take(endpoints.FieldCloud, !given("cloud") && v.s.Cloud != "",
		func(s *endpoints.Selection) { s.Cloud = v.s.Cloud }, func(s *endpoints.Selection) { s.Cloud = orig.Cloud })
	take(endpoints.FieldLocation, !given("location") && v.s.Location != "",
		func(s *endpoints.Selection) { s.Location = v.s.Location }, func(s *endpoints.Selection) { s.Location = orig.Location })
	modeGiven := given("mode") || given("gateway-url") || given("enable-pls-check")
	undoMode := func(s *endpoints.Selection) { s.Mode, s.GatewayURL = orig.Mode, orig.GatewayURL }
	take(endpoints.FieldGatewayURL, !modeGiven && v.s.GatewayURL != "",
		func(s *endpoints.Selection) { s.Mode, s.GatewayURL = endpoints.ModeGateway, v.s.GatewayURL }, undoMode)
	take(endpoints.FieldMode, !modeGiven && v.s.GatewayURL == "" && v.s.PrivateLinkScope != "",
		func(s *endpoints.Selection) { s.Mode = endpoints.ModePrivateLink }, undoMode)
	if len(v.s.ProxyBypass) > 0 && !given("proxy-bypass") && sel.Mode == endpoints.ModeGateway {
		v.warnings = append(v.warnings, "the agent's proxy.bypass ("+strings.Join(v.s.ProxyBypass, ", ")+
			") has no effect in gateway mode, which does not support proxy bypass")
	} else {
		take(endpoints.FieldProxyBypass, !given("proxy-bypass") && len(v.s.ProxyBypass) > 0,
			func(s *endpoints.Selection) { s.ProxyBypass = v.s.ProxyBypass }, func(s *endpoints.Selection) { s.ProxyBypass = orig.ProxyBypass })
	}
	take(endpoints.FieldExtensions, !given("extensions") && len(v.s.Extensions) > 0,
		func(s *endpoints.Selection) { s.Extensions = v.s.Extensions }, func(s *endpoints.Selection) { s.Extensions = orig.Extensions })
}

// plan applies the selection, dropping, with a warning, any setting taken from the agent that the
// catalog does not accept (a cloud or region it does not know): the agent's word is never bad input.
func (v *agentView) plan(cat *endpoints.Catalog, sel endpoints.Selection) (*endpoints.Plan, error) {
	for {
		p, err := cat.Select(sel)
		var se *endpoints.SelectionError
		if v == nil || !errors.As(err, &se) {
			return p, err
		}
		field := se.Field
		if _, ok := v.took[field]; !ok && field == endpoints.FieldMode {
			field = endpoints.FieldGatewayURL // the gateway mode the agent's gateway URL implied
		}
		undo, fromAgent := v.took[field]
		if !fromAgent {
			return p, err
		}
		v.warnings = append(v.warnings, "ignoring the agent's "+string(field)+" ("+se.Reason+valueOf(se)+")")
		undo(&sel)
		delete(v.took, field)
	}
}

// valueOf quotes a selection error's value, if it has one.
func valueOf(se *endpoints.SelectionError) string {
	if se.Value == "" {
		return ""
	}
	return fmt.Sprintf(" %q", se.Value)
}

// fields lists the settings taken from the agent, for the line above the table and the JSON.
func (v *agentView) fields() []endpoints.Field {
	if v == nil {
		return nil
	}
	var out []endpoints.Field
	for f := range v.took {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// report writes the warnings on stderr and, above a table, the line that says which settings came from
// the agent.
func (v *agentView) report(e env, table, proxy bool) error {
	if v == nil {
		return nil
	}
	for _, w := range v.warnings {
		fmt.Fprintln(e.Stderr, "arccheck: warning: "+w)
	}
	if !table {
		return nil
	}
	if _, err := fmt.Fprintln(e.Stdout, report.AgentLine(v.s, v.fields(), proxy)); err != nil {
		return writeFailed(err)
	}
	return nil
}

// json records the agent for a JSON report; nil when there is none.
func (v *agentView) json() *report.AgentJSON {
	if v == nil {
		return nil
	}
	return report.NewAgentJSON(v.s)
}

// settings are what the agent said, for check's agent rules; nil when there is none.
func (v *agentView) settings() *agent.Settings {
	if v == nil {
		return nil
	}
	return &v.s
}
