package report

import (
	"crypto/tls"
	"net/netip"
	"time"

	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/probe"
	"github.com/arccheck/arccheck/pkg/report/internal/write"
)

// The results of the check JSON (CheckDocument.Results): one per probed endpoint, with its phases.

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

// AddressProbeJSON is the probe of one address of a name (--all-addresses).
type AddressProbeJSON struct {
	Address   string       `json:"address"`
	Family    string       `json:"family"`
	Reachable bool         `json:"reachable"`
	Failure   *FailureJSON `json:"failure"`
}

// RevocationRefJSON is a revocation URL a result's chain names, and whether it was reachable.
type RevocationRefJSON struct {
	URL       string `json:"url"`
	Kind      string `json:"kind"`
	Reachable bool   `json:"reachable"`
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
			AuthSchemes: write.NonNil(x.AuthSchemes), ProxyCode: x.ProxyCode, Authenticated: x.Authenticated, UpstreamDNS: x.UpstreamDNS}
	}
	if h := p.HTTP; h != nil {
		j.Timings.HTTP = ms(h.Duration)
		j.HTTP = &HTTPJSON{Status: h.Status, StatusText: h.StatusText, BlockedBy: AnswererText(h.BlockedBy), Evidence: h.Evidence, Proven: h.Proven}
		if !h.Date.IsZero() {
			d := h.Date.UTC()
			j.HTTP.Date = &d
		}
	}
	j.Addresses = addressesJSON(p.Addresses)
	if f := r.Failure; f != nil {
		j.Failure = findingJSON(*f)
		fix := fixJSON(*f)
		j.Fix = &fix
	}
	for _, w := range r.Warnings {
		j.Warnings = append(j.Warnings, warningJSON(w))
	}
	return j
}

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

// addressesJSON lists the per-address probes.
func addressesJSON(as []probe.AddressResult) []AddressProbeJSON {
	var out []AddressProbeJSON
	for _, a := range as {
		out = append(out, AddressProbeJSON{Address: a.Address.String(), Family: familyWord(a.Address.Addr()),
			Reachable: a.Failure == nil, Failure: failureJSON(wordedProbe(a.Failure))})
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
