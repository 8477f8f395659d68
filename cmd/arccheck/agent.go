package main

import (
	"fmt"
	"strings"

	"github.com/arccheck/arccheck/pkg/agent"
	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/settings"
)

// installedAgent reads the installed agent as --agent says: nil with --agent off, or when there is none.
func (s *selectionFlags) installedAgent(e env) (*agent.Settings, error) {
	switch s.Agent {
	case "auto":
		return readAgent(e), nil
	case "off":
		return nil, nil
	}
	return nil, badInput("--agent: unknown value %q (valid: auto, off)", s.Agent)
}

// readAgent reads the installed agent. It returns nil when there is none (the normal case before
// onboarding) and says on stderr, in one line, what could not be read.
func readAgent(e env) *agent.Settings {
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
	return &s
}

// reportSettings writes the warnings of the settings' resolution on stderr and, above a table, the line
// that says which settings came from the installed agent (a, nil when there is none).
func reportSettings(e env, p *settings.Plan, a *agent.Settings, table bool) error {
	for _, w := range p.Warnings {
		fmt.Fprintln(e.Stderr, "arccheck: warning: "+report.SettingsWarning(w))
	}
	if a == nil || !table {
		return nil
	}
	if _, err := fmt.Fprintln(e.Stdout, agentLine(p, a)); err != nil {
		return writeFailed(err)
	}
	return nil
}

// agentLine names the settings a run took from the installed agent, for the line above a table.
func agentLine(p *settings.Plan, a *agent.Settings) string {
	return report.AgentLine(*a, p.FromAgent(), p.ProxySource == settings.SourceAgent)
}

// agentJSON records the agent for a JSON report; nil when there is none.
func agentJSON(a *agent.Settings) *report.AgentJSON {
	if a == nil {
		return nil
	}
	return report.NewAgentJSON(*a)
}
