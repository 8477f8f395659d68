package report

import (
	"github.com/arccheck/arccheck/pkg/probe"
)

// How a check was run, as the check JSON records it (CheckDocument.Host and Settings).

// Host describes the machine the check ran on.
type Host struct {
	OS       string `json:"os"`
	Arch     string `json:"arch"`
	Hostname string `json:"hostname"`
}

// Settings records how the check was run. It never holds a password.
type Settings struct {
	Selection *SelectionJSON `json:"selection"`
	Catalog   string         `json:"catalog"`
	// CatalogSHA256 is the hex SHA-256 of the catalog the run selected from (none with --catalog none).
	CatalogSHA256  string       `json:"catalogSha256,omitempty"`
	Endpoints      []string     `json:"endpoints"`
	TimeoutMs      int64        `json:"timeoutMs"`
	ConnectTimeout int64        `json:"connectTimeoutMs"`
	Concurrency    int          `json:"concurrency"`
	DNSServer      string       `json:"dnsServer"`
	Resolve        []string     `json:"resolve"`
	CAFile         string       `json:"caFile"`
	HTTP           bool         `json:"http"`
	Proxy          ProxySetting `json:"proxy"`
	ProxyBypass    []string     `json:"proxyBypass"`
	PublicRoots    string       `json:"publicRoots"`
	// AllAddresses records --all-addresses: TCP and TLS to every address of each name.
	AllAddresses bool `json:"allAddresses"`
	// Sources says where each setting came from: "flag", "agent" (the installed Arc agent), "environment".
	Sources map[string]string `json:"sources,omitempty"`
	// Agent is the installed Arc agent the settings were read from, if any.
	Agent *AgentJSON `json:"agent,omitempty"`
}

// ProxySetting records the proxies in force, without passwords.
type ProxySetting struct {
	// HTTPS and HTTP are the proxies for https and plain-http endpoints ("" for none).
	HTTPS       string `json:"https"`
	HTTPSSource string `json:"httpsSource,omitempty"`
	HTTP        string `json:"http"`
	HTTPSource  string `json:"httpSource,omitempty"`
	// User is the proxy user name, if credentials were given (the password is never recorded).
	User          string `json:"user,omitempty"`
	NoProxy       string `json:"noProxy,omitempty"`
	NoProxySource string `json:"noProxySource,omitempty"`
	// Source is set when no proxy is used on purpose ("--proxy none").
	Source string `json:"source,omitempty"`
}

// NewProxySetting records a proxy configuration.
func NewProxySetting(c *probe.ProxyConfig) ProxySetting {
	var s ProxySetting
	if c == nil {
		return s
	}
	if c.HTTPS != nil {
		s.HTTPS, s.HTTPSSource, s.User = c.HTTPS.String(), c.HTTPS.Source, c.HTTPS.Username
	}
	if c.HTTP != nil {
		s.HTTP, s.HTTPSource = c.HTTP.String(), c.HTTP.Source
		if s.User == "" {
			s.User = c.HTTP.Username
		}
	}
	if c.NoProxy != nil {
		s.NoProxy, s.NoProxySource = c.NoProxy.String(), c.NoProxy.Source
	}
	return s
}
