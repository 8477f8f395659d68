package report

import (
	"strings"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/agent"
	"github.com/arccheck/arccheck/pkg/endpoints"
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

// fieldWords name the settings taken from the agent, as the line above the table says them.
var fieldWords = map[endpoints.Field]string{
	endpoints.FieldCloud:       "cloud",
	endpoints.FieldLocation:    "region",
	endpoints.FieldMode:        "private-link mode",
	endpoints.FieldGatewayURL:  "gateway mode",
	endpoints.FieldProxyBypass: "proxy bypass",
	endpoints.FieldExtensions:  "installed extensions",
}

// AgentLine is the line above the table that says which settings came from the installed agent.
func AgentLine(s agent.Settings, fields []endpoints.Field, proxy bool) string {
	var taken []string
	for _, f := range fields {
		taken = append(taken, fieldWords[f])
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
