package report

import (
	"io"
	"time"

	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/probe"
)

// CheckSchema is the version tag of the JSON that `arccheck check -o json` writes.
const CheckSchema = "arccheck.check/v1"

// Host describes the machine the check ran on.
type Host struct {
	OS       string `json:"os"`
	Arch     string `json:"arch"`
	Hostname string `json:"hostname"`
}

// Settings records how the check was run. It never holds a password.
type Settings struct {
	Selection      *SelectionJSON `json:"selection"`
	Catalog        string         `json:"catalog"`
	Endpoints      []string       `json:"endpoints"`
	TimeoutMs      int64          `json:"timeoutMs"`
	ConnectTimeout int64          `json:"connectTimeoutMs"`
	Concurrency    int            `json:"concurrency"`
	DNSServer      string         `json:"dnsServer"`
	Resolve        []string       `json:"resolve"`
	CAFile         string         `json:"caFile"`
	HTTP           bool           `json:"http"`
	Proxy          ProxySetting   `json:"proxy"`
	ProxyBypass    []string       `json:"proxyBypass"`
	PublicRoots    string         `json:"publicRoots"`
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

// CheckDocument is the JSON form of a check (see README, "JSON: check").
type CheckDocument struct {
	Schema      string           `json:"schema"`
	Tool        Tool             `json:"tool"`
	StartedAt   time.Time        `json:"startedAt"`
	DurationMs  float64          `json:"durationMs"`
	Host        Host             `json:"host"`
	Settings    Settings         `json:"settings"`
	Summary     check.Summary    `json:"summary"`
	Results     []ResultJSON     `json:"results"`
	NotTested   []NotTestedJSON  `json:"notTested"`
	Excluded    []ExcludedJSON   `json:"excluded"`
	Discoveries []DiscoveryJSON  `json:"discoveries"`
	WhatToFix   []check.FixGroup `json:"whatToFix"`
	Interrupt   bool             `json:"interrupted"`
}

// DiscoveryJSON is one live discovery call.
type DiscoveryJSON struct {
	Token   string         `json:"token"`
	URL     string         `json:"url"`
	Hosts   []string       `json:"hosts"`
	Failure *probe.Failure `json:"failure"`
}

// WarningJSON is a finding on a row, with its fix.
type WarningJSON struct {
	Class   probe.Class `json:"class"`
	Message string      `json:"message"`
	Fix     check.Fix   `json:"fix"`
}

// ResultJSON is one probed endpoint.
type ResultJSON struct {
	Endpoint  string         `json:"endpoint"`
	Pattern   string         `json:"pattern"`
	Origin    string         `json:"origin"`
	Required  bool           `json:"required"`
	Reachable bool           `json:"reachable"`
	Private   string         `json:"private"`
	TLSColumn string         `json:"tls"`
	Proxy     string         `json:"proxy"`
	Timings   Timings        `json:"timingsMs"`
	DNS       *DNSJSON       `json:"dns"`
	TCP       *TCPJSON       `json:"tcp"`
	TLS       *TLSJSON       `json:"tlsHandshake"`
	HTTP      *HTTPJSON      `json:"http"`
	ProxyHop  *ProxyJSON     `json:"proxyHop"`
	Bypassed  string         `json:"proxyBypassed,omitempty"`
	Failure   *probe.Failure `json:"failure"`
	Fix       *check.Fix     `json:"fix"`
	Warnings  []WarningJSON  `json:"warnings"`
	Catalog   string         `json:"catalog,omitempty"`
	// PrivateDNS is the private-link DNS check (private-link mode, private endpoints only).
	PrivateDNS *DNSJSON `json:"privateLinkDns,omitempty"`
}

// Timings are per-phase durations in milliseconds (0 for a phase that did not run).
type Timings struct {
	DNS     float64 `json:"dns"`
	Connect float64 `json:"connect"`
	Proxy   float64 `json:"proxy"`
	TLS     float64 `json:"tls"`
	HTTP    float64 `json:"http"`
	Total   float64 `json:"total"`
}

// DNSJSON is the lookup.
type DNSJSON struct {
	Source    string          `json:"source"`
	Addresses []probe.Address `json:"addresses"`
}

// TCPJSON is the connection.
type TCPJSON struct {
	Address  string          `json:"address"`
	Attempts []probe.Attempt `json:"attempts"`
}

// TLSJSON is the handshake and the certificates seen.
type TLSJSON struct {
	Version     string              `json:"version"`
	Cipher      string              `json:"cipher"`
	Verified    bool                `json:"verified"`
	Intercepted bool                `json:"intercepted"`
	Interceptor string              `json:"interceptor,omitempty"`
	Leaf        *probe.Certificate  `json:"leaf"`
	Chain       []probe.Certificate `json:"chain"`
}

// HTTPJSON is the HTTP response.
type HTTPJSON struct {
	Status     int    `json:"status"`
	StatusText string `json:"statusText"`
}

// ProxyJSON is the hop through a proxy.
type ProxyJSON struct {
	URL         string   `json:"url"`
	Source      string   `json:"source"`
	Status      string   `json:"status"`
	AuthSchemes []string `json:"authSchemes"`
	ProxyCode   string   `json:"proxyErrorCode,omitempty"`
}

// NotTestedJSON is a pattern that could not be probed.
type NotTestedJSON struct {
	Pattern  string `json:"pattern"`
	Reason   string `json:"reason"`
	Required bool   `json:"required"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// NewCheckDocument builds the JSON form of a report.
func NewCheckDocument(tool Tool, host Host, settings Settings, rep *check.Report) CheckDocument {
	settings.Endpoints, settings.Resolve, settings.ProxyBypass = nonNil(settings.Endpoints), nonNil(settings.Resolve), nonNil(settings.ProxyBypass)
	doc := CheckDocument{Schema: CheckSchema, Tool: tool, StartedAt: rep.Start.UTC(), DurationMs: ms(rep.Duration),
		Host: host, Settings: settings, Summary: rep.Summary(), Results: []ResultJSON{}, NotTested: []NotTestedJSON{},
		Excluded: []ExcludedJSON{}, Discoveries: []DiscoveryJSON{}, WhatToFix: nonNil(rep.WhatToFix()), Interrupt: rep.Interrupted}
	for _, d := range rep.Discoveries {
		doc.Discoveries = append(doc.Discoveries, DiscoveryJSON{Token: d.Token, URL: d.URL, Hosts: nonNil(d.Hosts), Failure: d.Failure})
	}
	for i := range rep.Results {
		doc.Results = append(doc.Results, resultJSON(&rep.Results[i]))
	}
	for _, n := range rep.NotTested {
		doc.NotTested = append(doc.NotTested, NotTestedJSON{Pattern: n.Pattern, Reason: n.Reason, Required: n.Required})
	}
	if rep.Plan != nil {
		for _, x := range rep.Plan.Excluded {
			doc.Excluded = append(doc.Excluded, ExcludedJSON{Endpoint: x.Entry.Endpoint, Reason: x.Reason})
		}
	}
	return doc
}

func resultJSON(r *check.Result) ResultJSON {
	j := ResultJSON{Endpoint: r.URL(), Pattern: r.Pattern, Origin: string(r.Origin), Required: r.Required,
		Reachable: r.Reachable, Private: r.Private(), TLSColumn: TLSColumn(&r.Result), Proxy: ProxyColumn(&r.Result),
		Failure: r.Failure}
	j.Timings.Total = ms(r.Duration)
	if r.Entry != nil {
		j.Catalog = r.Entry.Pos
	}
	if d := r.DNS; d != nil {
		j.Timings.DNS = ms(d.Duration)
		j.DNS = &DNSJSON{Source: d.Source, Addresses: nonNil(d.Addresses)}
	}
	if c := r.TCP; c != nil {
		j.Timings.Connect = ms(c.Duration)
		j.TCP = &TCPJSON{Address: c.Address, Attempts: nonNil(c.Attempts)}
	}
	if t := r.TLS; t != nil {
		j.Timings.TLS = ms(t.Duration)
		j.TLS = &TLSJSON{Version: t.Version, Cipher: t.Cipher, Verified: t.Verified, Intercepted: t.Intercepted,
			Interceptor: t.Interceptor, Leaf: t.Leaf, Chain: nonNil(t.Chain)}
	}
	if p := r.Proxy; p != nil {
		j.Timings.Proxy = ms(p.Duration)
		j.ProxyHop = &ProxyJSON{URL: p.URL, Source: p.Source, Status: p.Status, AuthSchemes: nonNil(p.AuthSchemes), ProxyCode: p.ProxyCode}
	}
	j.Bypassed = r.Bypassed
	j.Fix = r.Fix
	j.Warnings = []WarningJSON{}
	for i, w := range r.Warnings {
		j.Warnings = append(j.Warnings, WarningJSON{Class: w.Class, Message: w.Message, Fix: r.WarningFixes[i]})
	}
	if d := r.PrivateDNS; d != nil {
		j.PrivateDNS = &DNSJSON{Source: d.Source, Addresses: nonNil(d.Addresses)}
	}
	if h := r.HTTP; h != nil {
		j.Timings.HTTP = ms(h.Duration)
		j.HTTP = &HTTPJSON{Status: h.Status, StatusText: h.StatusText}
	}
	return j
}

// CheckJSON writes the report as indented JSON.
func CheckJSON(w io.Writer, tool Tool, host Host, settings Settings, rep *check.Report) error {
	return writeJSON(w, NewCheckDocument(tool, host, settings, rep))
}
