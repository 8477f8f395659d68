package report

import (
	"strings"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/agent"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/settings"
)

// AgentJSON records the installed Arc agent a run read its settings from.
type AgentJSON struct {
	Path    string `json:"path"`
	Version string `json:"version,omitempty"`
	Status  string `json:"status,omitempty"`
	// OS is the operating system the agent runs on (this machine's): with Version, it decides whether the
	// agent enforces its TLS 1.2 suites (cipher_unsupported_by_agent a failure or a warning).
	OS string `json:"os,omitempty"`
	// WinHTTPProxy is Windows' system proxy, for information: Windows uses it for certificate
	// revocation checks, the agent does not.
	WinHTTPProxy string `json:"winhttpProxy,omitempty"`
}

// NewAgentJSON records the agent.
func NewAgentJSON(s agent.Settings) *AgentJSON {
	return &AgentJSON{Path: s.Path, Version: s.Version, Status: s.Status, OS: s.OS, WinHTTPProxy: s.WinHTTPProxy}
}

// AgentLine is the line above the table that says which settings came from the installed agent.
func AgentLine(s agent.Settings, fields []endpoints.Field, proxy bool) string {
	var taken []string
	for _, f := range fields {
		taken = append(taken, selectionWords[f].fromAgent)
	}
	if proxy {
		taken = append(taken, "proxy")
	}
	if len(taken) == 0 {
		return safetext.Escape("Arc agent found at " + s.Path + "; no setting taken from it (flags given, or it reports none).")
	}
	line := "Settings from the Arc agent at " + s.Path + ": " + strings.Join(taken, ", ") + " (--agent off ignores them)."
	if s.WinHTTPProxy != "" {
		line += " Windows' WinHTTP proxy (used for revocation checks, not by the agent): " + s.WinHTTPProxy + "."
	}
	return safetext.Escape(line) // the path and the proxy are the agent's words
}

// SettingsWarning says in one line what resolving the settings dropped or overrode, for stderr.
func SettingsWarning(w settings.Warning) string {
	switch w := w.(type) {
	case settings.AgentValueRefused:
		return "ignoring the agent's " + selectionWords[w.Field].name + " (" + selectionRefusal(w.Err) + ")"
	case settings.AgentBypassInGateway:
		return "the agent's proxy.bypass (" + strings.Join(w.Categories, ", ") + ") has no effect in gateway mode, which does not support proxy bypass"
	case settings.EnvironmentProxyIgnored:
		return w.Variable + " is set in this shell, but the Arc agent uses " + pick(w.AgentUsesProxy, "its own proxy setting", "no proxy") +
			" and will not use it: checking the agent's path (--proxy tests another one)"
	case settings.AgentProxyUnusable:
		return "the Arc agent's proxy cannot be used (" + w.Err.Error() + "); checking without a proxy"
	case settings.ProxyDiffers:
		return "--proxy tests another path than the Arc agent's, which uses " + pick(w.AgentUsesProxy, "another proxy", "no proxy")
	}
	return ""
}

// pick is yes when b is set, else no.
func pick(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

// SettingSources says where each setting in force came from, for the JSON's sources: the parts of the
// selection by their field names, and "proxy".
func SettingSources(p *settings.Plan) map[string]string {
	out := map[string]string{}
	for f, s := range p.Sources {
		out[string(f)] = string(s)
	}
	if p.ProxySource != "" {
		out["proxy"] = string(p.ProxySource)
	}
	return out
}
