package report

import (
	"crypto/tls"
	"io"
	"net/netip"
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

// CheckDocument is the JSON form of a check (see README, "JSON: check").
type CheckDocument struct {
	Schema      string          `json:"schema"`
	Tool        Tool            `json:"tool"`
	StartedAt   time.Time       `json:"startedAt"`
	DurationMs  float64         `json:"durationMs"`
	Host        Host            `json:"host"`
	Settings    Settings        `json:"settings"`
	Summary     SummaryJSON     `json:"summary"`
	Results     []ResultJSON    `json:"results"`
	NotTested   []NotTestedJSON `json:"notTested"`
	Excluded    []ExcludedJSON  `json:"excluded"`
	Discoveries []DiscoveryJSON `json:"discoveries"`
	WhatToFix   []FixGroupJSON  `json:"whatToFix"`
	Notices     []NoticeJSON    `json:"notices"`
	Interrupt   bool            `json:"interrupted"`
	// Revocation are the revocation URLs the chains named, each probed once.
	Revocation []RevocationJSON `json:"revocation"`
	// Clock compares this machine's clock with the servers' Date headers (null when none had one).
	Clock *ClockJSON `json:"clock"`
	// Warnings are findings about the whole run (clock_skew).
	Warnings []WarningJSON `json:"warnings"`
}

// RevocationJSON is one revocation URL and its probe.
type RevocationJSON struct {
	URL       string       `json:"url"`
	Kind      string       `json:"kind"`
	Reachable bool         `json:"reachable"`
	Proxy     string       `json:"proxy"`
	Failure   *FailureJSON `json:"failure"`
	NeededBy  []string     `json:"neededBy"`
}

// RevocationRefJSON is a revocation URL a result's chain names, and whether it was reachable.
type RevocationRefJSON struct {
	URL       string `json:"url"`
	Kind      string `json:"kind"`
	Reachable bool   `json:"reachable"`
}

// ClockJSON is this machine's clock offset from the servers' Date headers.
type ClockJSON struct {
	// OffsetMs is how far this machine's clock is behind the servers' (negative: ahead).
	OffsetMs float64 `json:"offsetMs"`
	Source   string  `json:"source"`
	Answers  int     `json:"answers"`
	Skewed   bool    `json:"skewed"`
}

// AddressProbeJSON is the probe of one address of a name (--all-addresses).
type AddressProbeJSON struct {
	Address   string       `json:"address"`
	Family    string       `json:"family"`
	Reachable bool         `json:"reachable"`
	Failure   *FailureJSON `json:"failure"`
}

// SummaryJSON counts a check's results.
type SummaryJSON struct {
	Endpoints           int `json:"endpoints"`
	Reachable           int `json:"reachable"`
	Unreachable         int `json:"unreachable"`
	RequiredUnreachable int `json:"requiredUnreachable"`
	Canceled            int `json:"canceled"`
	RequiredCanceled    int `json:"requiredCanceled"`
	Warnings            int `json:"warnings"`
	NotTested           int `json:"notTested"`
	// RequiredNeedRegion counts the required not-tested patterns that need a region (needs "location"):
	// any fails the run.
	RequiredNeedRegion int `json:"requiredNeedRegion"`
}

// summaryJSON counts a report's results.
func summaryJSON(rep *check.Report) SummaryJSON {
	s := rep.Summary()
	return SummaryJSON{Endpoints: s.Endpoints, Reachable: s.Reachable, Unreachable: s.Unreachable,
		RequiredUnreachable: s.RequiredUnreachable, Canceled: s.Canceled, RequiredCanceled: s.RequiredCanceled,
		Warnings: s.Warnings, NotTested: s.NotTested, RequiredNeedRegion: len(rep.RegionMissing())}
}

// FixGroupJSON is one action and the patterns it applies to.
type FixGroupJSON struct {
	Action   string   `json:"action"`
	Patterns []string `json:"patterns"`
}

// FailureJSON is a failure: its class, the phase it happened in, and the underlying message.
type FailureJSON struct {
	Class   probe.Class `json:"class"`
	Phase   probe.Phase `json:"phase"`
	Message string      `json:"message"`
}

// FixJSON is what to change for a failure or warning.
type FixJSON struct {
	Action  string `json:"action"`
	Pattern string `json:"pattern"`
	Hint    string `json:"hint"`
}

// AddressJSON is one resolved address.
type AddressJSON struct {
	IP      string `json:"ip"`
	Private bool   `json:"private"`
}

// AttemptJSON is one connection attempt.
type AttemptJSON struct {
	Address string `json:"address"`
	Error   string `json:"error,omitempty"`
}

// CertificateJSON holds the facts about a certificate that explain a failure.
type CertificateJSON struct {
	Subject            string    `json:"subject"`
	Issuer             string    `json:"issuer"`
	SubjectOrg         []string  `json:"subjectOrganization,omitempty"`
	IssuerOrganization []string  `json:"issuerOrganization,omitempty"`
	DNSNames           []string  `json:"dnsNames,omitempty"`
	NotBefore          time.Time `json:"notBefore"`
	NotAfter           time.Time `json:"notAfter"`
	NegativeSerial     bool      `json:"negativeSerial,omitempty"`
	CRL                []string  `json:"crl,omitempty"`
	OCSP               []string  `json:"ocsp,omitempty"`
	CAIssuers          []string  `json:"caIssuers,omitempty"`
}

// DiscoveryJSON is one live discovery call.
type DiscoveryJSON struct {
	Token   string       `json:"token"`
	URL     string       `json:"url"`
	Hosts   []string     `json:"hosts"`
	Failure *FailureJSON `json:"failure"`
}

// WarningJSON is a finding on a row, with its fix.
type WarningJSON struct {
	Class   probe.Class `json:"class"`
	Message string      `json:"message"`
	Fix     FixJSON     `json:"fix"`
}

// ResultJSON is one probed endpoint.
type ResultJSON struct {
	Endpoint  string     `json:"endpoint"`
	Pattern   string     `json:"pattern"`
	Origin    string     `json:"origin"`
	Required  bool       `json:"required"`
	Reachable bool       `json:"reachable"`
	Private   string     `json:"private"`
	TLSColumn string     `json:"tls"`
	Proxy     string     `json:"proxy"`
	Timings   Timings    `json:"timingsMs"`
	DNS       *DNSJSON   `json:"dns"`
	TCP       *TCPJSON   `json:"tcp"`
	TLS       *TLSJSON   `json:"tlsHandshake"`
	HTTP      *HTTPJSON  `json:"http"`
	ProxyHop  *ProxyJSON `json:"proxyHop"`
	Bypassed  string     `json:"proxyBypassed,omitempty"`
	// CurlRoute says how curl would route the endpoint under the same NO_PROXY, where that differs from
	// Go's rules, which arccheck and the Arc agent follow: "direct (NO_PROXY entry X)" or "through the proxy".
	CurlRoute string        `json:"curlRoute,omitempty"`
	Failure   *FailureJSON  `json:"failure"`
	Fix       *FixJSON      `json:"fix"`
	Warnings  []WarningJSON `json:"warnings"`
	Catalog   string        `json:"catalog,omitempty"`
	// NotCarried is set in gateway mode for an endpoint the Arc gateway does not carry: allow it directly.
	NotCarried bool `json:"notCarriedByGateway,omitempty"`
	// PrivateDNS is the private-link DNS check (private-link mode, private endpoints only).
	PrivateDNS *DNSJSON `json:"privateLinkDns,omitempty"`
	// Addresses are the probes of every address of the name (--all-addresses).
	Addresses []AddressProbeJSON `json:"addresses,omitempty"`
	// Revocation are the revocation URLs its chain names.
	Revocation []RevocationRefJSON `json:"revocation,omitempty"`
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
	Source    string        `json:"source"`
	Addresses []AddressJSON `json:"addresses"`
}

// TCPJSON is the connection.
type TCPJSON struct {
	Address  string        `json:"address"`
	Attempts []AttemptJSON `json:"attempts"`
}

// TLSJSON is the handshake and the certificates seen.
type TLSJSON struct {
	Version     string            `json:"version"`
	Cipher      string            `json:"cipher"`
	Verified    bool              `json:"verified"`
	Intercepted bool              `json:"intercepted"`
	Interceptor string            `json:"interceptor,omitempty"`
	Leaf        *CertificateJSON  `json:"leaf"`
	Chain       []CertificateJSON `json:"chain"`
	// SuiteRetry is the handshake offering only the agent's TLS 1.2 suites, made when the path chose another.
	SuiteRetry *SuiteRetryJSON `json:"agentSuiteRetry,omitempty"`
	// Legacy is the handshake offering legacy suites, made when the server refused every suite offered.
	Legacy *LegacyJSON `json:"legacyHandshake,omitempty"`
}

// SuiteRetryJSON is a handshake offering only some suites.
type SuiteRetryJSON struct {
	Offered  []string `json:"offered"`
	Accepted bool     `json:"accepted"`
	Cipher   string   `json:"cipher,omitempty"`
	Error    string   `json:"error,omitempty"`
}

// LegacyJSON is what a server that refused every current suite would have spoken.
type LegacyJSON struct {
	Version string `json:"version,omitempty"`
	Cipher  string `json:"cipher,omitempty"`
	Error   string `json:"error,omitempty"`
}

// HTTPJSON is the HTTP response.
type HTTPJSON struct {
	Status     int    `json:"status"`
	StatusText string `json:"statusText"`
	// Date is the answer's Date header; BlockedBy the proxy that answered in the endpoint's place.
	Date      *time.Time `json:"date,omitempty"`
	BlockedBy string     `json:"blockedBy,omitempty"`
	// Evidence is what shows the endpoint itself answered (an Azure front end's header, or the
	// documented answer); Proven is set when the content proved its origin (a certificate or CRL).
	Evidence string `json:"evidence,omitempty"`
	Proven   bool   `json:"proven,omitempty"`
}

// ProxyJSON is the hop through a proxy.
type ProxyJSON struct {
	URL         string   `json:"url"`
	Source      string   `json:"source"`
	Status      string   `json:"status"`
	AuthSchemes []string `json:"authSchemes"`
	ProxyCode   string   `json:"proxyErrorCode,omitempty"`
	// Authenticated: the proxy asked for credentials and took those of the proxy URL; UpstreamDNS: the
	// proxy said it could not resolve the name.
	Authenticated bool `json:"authenticated,omitempty"`
	UpstreamDNS   bool `json:"upstreamDNS,omitempty"`
}

// NotTestedJSON is a pattern that could not be probed.
type NotTestedJSON struct {
	Pattern  string `json:"pattern"`
	Reason   string `json:"reason"`
	Required bool   `json:"required"`
	// Needs is the part of the selection that would make it testable: "location" (-l/--location),
	// "gateway-url" or "set" (--set); absent when none would.
	Needs string `json:"needs,omitempty"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// NewCheckDocument builds the JSON form of a report.
func NewCheckDocument(tool Tool, host Host, settings Settings, rep *check.Report) CheckDocument {
	settings.Endpoints, settings.Resolve, settings.ProxyBypass = nonNil(settings.Endpoints), nonNil(settings.Resolve), nonNil(settings.ProxyBypass)
	doc := CheckDocument{Schema: CheckSchema, Tool: tool, StartedAt: rep.Start.UTC(), DurationMs: ms(rep.Duration),
		Host: host, Settings: settings, Summary: summaryJSON(rep), Results: []ResultJSON{}, NotTested: []NotTestedJSON{},
		Excluded: []ExcludedJSON{}, Discoveries: []DiscoveryJSON{}, WhatToFix: []FixGroupJSON{}, Notices: []NoticeJSON{},
		Interrupt: rep.Interrupted, Revocation: revocationJSON(rep), Clock: clockJSON(rep.Clock), Warnings: []WarningJSON{}}
	for _, w := range rep.Warnings {
		doc.Warnings = append(doc.Warnings, WarningJSON{Class: w.Class, Message: w.Message, Fix: fixJSON(w)})
	}
	for _, g := range WhatToFix(rep) {
		doc.WhatToFix = append(doc.WhatToFix, FixGroupJSON(g))
	}
	for _, d := range rep.Discoveries {
		doc.Discoveries = append(doc.Discoveries, DiscoveryJSON{Token: d.Token, URL: d.URL, Hosts: nonNil(d.Hosts), Failure: failureJSON(d.Failure)})
	}
	for i := range rep.Results {
		j := resultJSON(&rep.Results[i])
		j.Revocation = revocationRefs(rep, &rep.Results[i])
		doc.Results = append(doc.Results, j)
	}
	for _, n := range rep.NotTested {
		doc.NotTested = append(doc.NotTested, NotTestedJSON{Pattern: n.Pattern, Reason: notTestedReason(n), Required: n.Required,
			Needs: string(n.Needs)})
	}
	if rep.Plan != nil {
		doc.Excluded = excludedJSON(rep.Plan)
		doc.Notices = noticesJSON(rep.Plan)
	}
	return doc
}

func failureJSON(f *probe.Finding) *FailureJSON {
	if f == nil {
		return nil
	}
	j := FailureJSON(*f)
	return &j
}

func fixJSON(f check.Finding) FixJSON { return FixJSON(FixOf(f)) }

func addrPort(a netip.AddrPort) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func dnsJSON(d *probe.DNSPhase) *DNSJSON {
	if d == nil {
		return nil
	}
	j := &DNSJSON{Source: dnsSourceWord(d.Source), Addresses: []AddressJSON{}}
	for _, a := range d.Addresses {
		j.Addresses = append(j.Addresses, AddressJSON{IP: a.IP.String(), Private: a.Private})
	}
	return j
}

func tcpJSON(c *probe.TCPPhase) *TCPJSON {
	j := &TCPJSON{Address: addrPort(c.Address), Attempts: []AttemptJSON{}}
	for _, a := range c.Attempts {
		j.Attempts = append(j.Attempts, AttemptJSON{Address: addrPort(a.Address), Error: a.Error})
	}
	return j
}

// certificateJSON records a certificate's facts; its DER bytes (Raw) stay out of the report.
func certificateJSON(c probe.Certificate) CertificateJSON {
	return CertificateJSON{Subject: c.Subject, Issuer: c.Issuer, SubjectOrg: c.SubjectOrg, IssuerOrganization: c.IssuerOrganization,
		DNSNames: c.DNSNames, NotBefore: c.NotBefore, NotAfter: c.NotAfter, NegativeSerial: c.NegativeSerial,
		CRL: c.CRL, OCSP: c.OCSP, CAIssuers: c.CAIssuers}
}

func tlsJSON(t *probe.TLSPhase) *TLSJSON {
	j := &TLSJSON{Version: tlsVersionName(t.Version), Verified: t.Verified, Intercepted: t.Intercepted,
		Interceptor: t.Interceptor, Chain: []CertificateJSON{}}
	if t.CipherSuite != 0 {
		j.Cipher = tls.CipherSuiteName(t.CipherSuite)
	}
	if t.Leaf != nil {
		leaf := certificateJSON(*t.Leaf)
		j.Leaf = &leaf
	}
	for _, c := range t.Chain {
		j.Chain = append(j.Chain, certificateJSON(c))
	}
	if r := t.SuiteRetry; r != nil {
		j.SuiteRetry = &SuiteRetryJSON{Offered: []string{}, Accepted: r.OK, Error: r.Error}
		for _, s := range r.Offered {
			j.SuiteRetry.Offered = append(j.SuiteRetry.Offered, tls.CipherSuiteName(s))
		}
		if r.OK {
			j.SuiteRetry.Cipher = tls.CipherSuiteName(r.Suite)
		}
	}
	if l := t.Legacy; l != nil {
		j.Legacy = &LegacyJSON{Error: l.Error}
		if l.Suite != 0 {
			j.Legacy.Version, j.Legacy.Cipher = tlsVersionName(l.Version), tls.CipherSuiteName(l.Suite)
		}
	}
	return j
}

// revocationJSON lists the run's revocation URLs.
func revocationJSON(rep *check.Report) []RevocationJSON {
	out := []RevocationJSON{}
	for _, rv := range rep.Revocation {
		out = append(out, RevocationJSON{URL: rv.URL, Kind: string(rv.Kind), Reachable: rv.Probe.Reachable,
			Proxy: ProxyColumn(&rv.Probe), Failure: failureJSON(rv.Probe.Failure), NeededBy: nonNil(rv.NeededBy)})
	}
	return out
}

// revocationRefs lists the revocation URLs of a result's chain with their reachability.
func revocationRefs(rep *check.Report, r *check.Result) []RevocationRefJSON {
	var out []RevocationRefJSON
	for _, u := range r.Revocation {
		for _, rv := range rep.Revocation {
			if rv.URL == u {
				out = append(out, RevocationRefJSON{URL: u, Kind: string(rv.Kind), Reachable: rv.Probe.Reachable})
			}
		}
	}
	return out
}

func clockJSON(c *check.Clock) *ClockJSON {
	if c == nil {
		return nil
	}
	return &ClockJSON{OffsetMs: ms(c.Offset), Source: c.Source, Answers: c.Answers, Skewed: c.Skewed()}
}

// addressesJSON lists the per-address probes.
func addressesJSON(as []probe.AddressResult) []AddressProbeJSON {
	var out []AddressProbeJSON
	for _, a := range as {
		out = append(out, AddressProbeJSON{Address: a.Address.String(), Family: familyWord(a.Address.Addr()),
			Reachable: a.Failure == nil, Failure: failureJSON(a.Failure)})
	}
	return out
}

func resultJSON(r *check.Result) ResultJSON {
	p := &r.Probe
	j := ResultJSON{Endpoint: r.URL(), Pattern: r.Pattern, Origin: string(r.Origin), Required: r.Required,
		Reachable: r.Reachable, Private: PrivateColumn(p), TLSColumn: TLSColumn(p), Proxy: ProxyColumn(p),
		DNS: dnsJSON(p.DNS), PrivateDNS: dnsJSON(p.PrivateDNS), Bypassed: bypassWord(p.Bypass), CurlRoute: curlRouteWord(p.CurlRoute), Warnings: []WarningJSON{}}
	j.Timings.Total = ms(p.Duration)
	j.NotCarried = r.NotCarried
	if r.Entry != nil {
		j.Catalog = r.Entry.Pos
	}
	if p.DNS != nil {
		j.Timings.DNS = ms(p.DNS.Duration)
	}
	if c := p.TCP; c != nil {
		j.Timings.Connect = ms(c.Duration)
		j.TCP = tcpJSON(c)
	}
	if t := p.TLS; t != nil {
		j.Timings.TLS = ms(t.Duration)
		j.TLS = tlsJSON(t)
	}
	if x := p.Proxy; x != nil {
		j.Timings.Proxy = ms(x.Duration)
		j.ProxyHop = &ProxyJSON{URL: x.Proxy.String(), Source: x.Proxy.Source, Status: x.Status,
			AuthSchemes: nonNil(x.AuthSchemes), ProxyCode: x.ProxyCode, Authenticated: x.Authenticated, UpstreamDNS: x.UpstreamDNS}
	}
	if h := p.HTTP; h != nil {
		j.Timings.HTTP = ms(h.Duration)
		j.HTTP = &HTTPJSON{Status: h.Status, StatusText: h.StatusText, BlockedBy: h.BlockedBy, Evidence: h.Evidence, Proven: h.Proven}
		if !h.Date.IsZero() {
			d := h.Date.UTC()
			j.HTTP.Date = &d
		}
	}
	j.Addresses = addressesJSON(p.Addresses)
	if f := r.Failure; f != nil {
		j.Failure = failureJSON(&f.Finding)
		fix := fixJSON(*f)
		j.Fix = &fix
	}
	for _, w := range r.Warnings {
		j.Warnings = append(j.Warnings, WarningJSON{Class: w.Class, Message: w.Message, Fix: fixJSON(w)})
	}
	return j
}

// CheckJSON writes the report as indented JSON.
func CheckJSON(w io.Writer, tool Tool, host Host, settings Settings, rep *check.Report) error {
	return writeJSON(w, NewCheckDocument(tool, host, settings, rep))
}
