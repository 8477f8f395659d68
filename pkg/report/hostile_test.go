package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/agent"
	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
)

// evil is what a hostile peer, agent or report writes: a screen clear and a bell, a right-to-left
// override, a spreadsheet formula and bytes that are not UTF-8.
const evil = "\x1b[2J\a\u202e=1+2\xff\xfe"

// assertInert fails when out holds a character a terminal, an editor or a reader would act on: a
// control character other than the format's own line breaks, a bidirectional control, invalid UTF-8.
func assertInert(t *testing.T, format, out string) {
	t.Helper()
	require.NotEmpty(t, out, format)
	for i, l := range strings.Split(out, "\n") {
		l = strings.TrimLeft(l, "\t") // the indentation of XML
		assert.True(t, safetext.IsSafe(l), "%s, line %d: %q", format, i+1, l)
	}
}

// assertJSONInert fails when a JSON document, once decoded, holds a string (key or value) that is not
// inert: JSON escapes control characters, but a reader of the decoded text sees them.
func assertJSONInert(t *testing.T, format string, data []byte) {
	t.Helper()
	assertInert(t, format, string(data))
	var v any
	require.NoError(t, json.Unmarshal(data, &v), format)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			assert.True(t, safetext.IsSafe(v), "%s: %q", format, v)
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for k, e := range v {
				walk(k)
				walk(e)
			}
		}
	}
	walk(v)
}

// evilReport is the sample report with hostile text everywhere a peer or the user's input can put it:
// the endpoint, its pattern, the messages, the certificates, a proxy's status, the classes.
func evilReport(t *testing.T) *check.Report {
	rep := sampleReport(t)
	timeout := &rep.Results[0]                                        // tcp_timeout, required
	timeout.Probe.Target.Host = "gbl\n" + evil + ".his.arc.azure.com" // a line break cannot forge a line of a cell
	timeout.Probe.Failure.Message = "dial tcp: " + evil
	px, err := probe.ParseProxy("http://proxy.corp:3128", "test")
	require.NoError(t, err)
	timeout.Probe.Proxy = &probe.ProxyPhase{Proxy: px, Status: "403 " + evil, ProxyCode: evil, AuthSchemes: []string{evil}}
	*timeout = check.NewResult(timeout.Probe, "*"+evil+".his.arc.azure.com", timeout.Entry, timeout.Origin, timeout.Required)
	timeout.Failure.Fix.Proxy, timeout.Failure.Fix.Issuer = "proxy"+evil+":3128", evil

	ok := &rep.Results[2] // management.azure.com, reachable with an interception warning
	leaf := *ok.Probe.TLS.Leaf
	leaf.Subject, leaf.Issuer, leaf.DNSNames, leaf.CRL = "CN="+evil, "CN=Evil CA "+evil, []string{evil}, []string{"http://crl" + evil}
	tlsPhase := *ok.Probe.TLS
	tlsPhase.Leaf, tlsPhase.Chain, tlsPhase.Interceptor = &leaf, []probe.Certificate{leaf}, "CN="+evil
	ok.Probe.TLS = &tlsPhase
	ok.Probe.HTTP = &probe.HTTPPhase{Status: 200, StatusText: "200 " + evil, BlockedBy: evil, Evidence: evil}
	ok.Probe.Warnings = []probe.Finding{{Class: probe.ClassTLSIntercepted, Phase: probe.PhaseTLS, Message: "re-signed by " + evil},
		{Class: check.ClassRevocationNotProbed, Phase: probe.PhaseTLS, Message: evil}}
	*ok = check.NewResult(ok.Probe, ok.Pattern, ok.Entry, ok.Origin, ok.Required)
	ok.Warnings[1].Fix.Revocation = []string{"ldap://" + evil}

	classless := probe.Result{Target: probe.Target{Scheme: "https", Host: "x" + evil + ".example", Port: 443},
		Failure: &probe.Finding{Class: probe.Class("class" + evil), Phase: probe.Phase(evil), Message: evil}}
	rep.Results = append(rep.Results, check.NewResult(classless, evil, nil, check.OriginUser, true))

	rep.Warnings = []check.Finding{{Finding: probe.Finding{Class: check.ClassClockSkew, Phase: probe.PhaseHTTP, Message: evil}}}
	rep.Revocation = []check.Revocation{{URL: "http://crl" + evil, Kind: check.RevocationCRL, NeededBy: []string{evil},
		Probe: probe.Result{Failure: &probe.Finding{Class: probe.ClassTCPTimeout, Message: evil}}}}
	rep.NotTested = append(rep.NotTested, check.NotTested{Pattern: evil, Reason: evil, Required: true})
	rep.Discoveries = append(rep.Discoveries, check.Discovery{Token: evil, URL: evil, Hosts: []string{evil},
		Failure: &probe.Finding{Class: probe.ClassHTTPTooLarge, Message: evil}})
	return rep
}

var (
	evilHost     = Host{OS: "linux", Arch: "amd64", Hostname: "srv" + evil}
	evilTool     = Tool{Name: "arccheck", Version: "v1" + evil}
	evilSettings = Settings{Catalog: evil, DNSServer: evil, Endpoints: []string{evil}, Proxy: ProxySetting{HTTPS: "http://p" + evil},
		Sources: map[string]string{evil: evil}, Agent: &AgentJSON{Path: evil, WinHTTPProxy: evil}}
)

// TestHostileTextNeverReachesAReader: hostile text in every field a check report shows goes through
// every format of check as visible escapes; the XML still parses, and so does the Prometheus text.
func TestHostileTextNeverReachesAReader(t *testing.T) {
	rep := evilReport(t)
	var buf bytes.Buffer
	for _, width := range []int{0, 80} {
		buf.Reset()
		require.NoError(t, CheckTable(&buf, rep, TableOptions{Width: width}))
		assertInert(t, "table", buf.String())
		if width == 0 {
			assert.Contains(t, buf.String(), `\x1b[2J\x07\u202e=1+2\xff\xfe`, "shown as the characters it holds")
			assert.Contains(t, buf.String(), `https://gbl\x0a\x1b`, "a line break in a value is escaped, not a new line of the cell")
		}
	}
	for i := range rep.Results {
		assertInert(t, "-v", ProgressLine(&rep.Results[i]))
	}
	assertInert(t, "summary", SummaryLine(rep))
	assertInert(t, "agent line", AgentLine(agent.Settings{Path: evil, WinHTTPProxy: evil}, nil, false))
	assertInert(t, "agent line", AgentLine(agent.Settings{Path: evil, WinHTTPProxy: evil}, []endpoints.Field{endpoints.FieldLocation}, true))

	buf.Reset()
	require.NoError(t, CheckMarkdown(&buf, evilTool, evilHost, evilSettings, rep))
	assertInert(t, "markdown", buf.String())

	for _, failOnWarning := range []bool{false, true} {
		buf.Reset()
		require.NoError(t, CheckJUnit(&buf, evilTool, evilHost, evilSettings, rep, JUnitOptions{FailOnWarning: failOnWarning}))
		assertInert(t, "junit", buf.String())
		assertXMLInert(t, "junit", buf.Bytes())
	}

	buf.Reset()
	require.NoError(t, CheckPrometheus(&buf, rep), "a label that is not UTF-8 would make client_golang panic")
	assertInert(t, "prometheus", buf.String())
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err, buf.String())
	for _, f := range families {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				assert.True(t, safetext.IsSafe(l.GetValue()), "label %s=%q", l.GetName(), l.GetValue())
			}
		}
	}

	buf.Reset()
	require.NoError(t, CheckJSON(&buf, evilTool, evilHost, evilSettings, rep))
	assertJSONInert(t, "json", buf.Bytes())
	assert.NotContains(t, buf.String(), "\u202e", "encoding/json does not escape a bidirectional override")
}

// assertXMLInert parses XML with encoding/xml and requires every text and attribute to be inert.
func assertXMLInert(t *testing.T, format string, data []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return
		}
		require.NoError(t, err, "%s: %s", format, data)
		switch tok := tok.(type) {
		case xml.StartElement:
			for _, a := range tok.Attr {
				assert.True(t, safetext.IsSafe(a.Value), "%s: attribute %s=%q", format, a.Name.Local, a.Value)
			}
		case xml.CharData:
			for _, l := range strings.Split(string(tok), "\n") {
				l = strings.TrimLeft(l, "\t")
				assert.True(t, safetext.IsSafe(l), "%s: text %q", format, l)
			}
		}
	}
}

// evilPlan is a gateway plan whose gateway prefix is a formula ("=1+2", as a user typed it) and whose
// catalog text is hostile (a --catalog FILE may be): descriptions, notes, service tags, notices.
func evilPlan(t *testing.T) *endpoints.Plan {
	p := exportPlan(t, endpoints.Selection{GatewayURL: "https://contoso.gw.arc.azure.com"})
	p.GatewayURL = "https://=1+2\n" + evil + ".gw.arc.azure.com"
	p.Location = "westeurope" + evil
	p.Endpoints = slices.Clone(p.Endpoints)
	gateway := -1
	for i := range p.Endpoints {
		ep := &p.Endpoints[i]
		e := *ep.Entry // the embedded catalog is shared: change a copy
		e.Description, e.Legacy, e.Notes = "=1+2 "+evil, "-"+evil, []string{"@" + evil}
		ep.Entry = &e
		if slices.ContainsFunc(ep.Targets, func(t endpoints.Target) bool { return t.Host == "contoso.gw.arc.azure.com" }) {
			ep.Pattern = "=1+2.gw.arc.azure.com"
			ep.Targets = []endpoints.Target{{URL: "https://=1+2.gw.arc.azure.com", Scheme: "https", Host: "=1+2.gw.arc.azure.com", Port: 443}}
			gateway = i
		}
	}
	require.GreaterOrEqual(t, gateway, 0, "the gateway list has the gateway's own endpoint")
	p.Endpoints[(gateway+1)%len(p.Endpoints)].Pattern = "x" + evil + ".example" // from a hostile --catalog FILE
	p.ServiceTags = slices.Clone(p.ServiceTags)
	p.ServiceTags = append(p.ServiceTags, endpoints.ServiceTag{Name: "+Tag" + evil, Condition: "when\nevil.example 443 https"})
	p.Notices = append(slices.Clone(p.Notices), endpoints.Notice{Text: evil})
	return p
}

// TestHostileTextNeverReachesARuleFile: no export holds a name that is not a valid host or wildcard
// (the formula prefix is left out and said on stderr), no comment or description holds a line break or
// a control character, and every CSV cell is inert and never a formula.
func TestHostileTextNeverReachesARuleFile(t *testing.T) {
	p := evilPlan(t)
	for _, f := range []exportFormat{allowlistFormat, csvFormat, squidFormat, azureFirewallFormat} {
		out, unfilled := f.render(t, p)
		assertInert(t, f.name, out)
		assert.NotContains(t, out, "=1+2.gw", "%s: the formula host is left out", f.name)
		assert.NotContains(t, out, "\nevil.example 443 https", "%s: a condition cannot add a rule", f.name)
		lines := unfilled.Lines()
		for _, l := range lines {
			assertInert(t, f.name+" unfilled", l)
		}
		assert.Contains(t, lines, "not exported: =1+2.gw.arc.azure.com (required): it is not a valid host name or wildcard; check the value it was made from (--gateway-url, --set, the catalog)", f.name)
		for _, host := range ruleNames(t, f.name, out) {
			assert.True(t, validRuleHost(host), "%s writes %q", f.name, host)
		}
	}

	out, _ := csvFormat.render(t, p)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	for _, row := range rows {
		for _, cell := range row {
			assert.True(t, safetext.IsSafe(cell), "%q", cell)
			if cell != "" {
				assert.NotContains(t, "=+-@\t\r", cell[:1], "a formula: %q", cell)
			}
		}
	}
	assert.True(t, slices.ContainsFunc(rows, func(r []string) bool { return strings.HasPrefix(r[6], "'=1+2 ") }),
		"a description that starts as a formula is neutralised, not dropped")

	var buf bytes.Buffer
	for _, write := range []func() error{
		func() error { return ListTable(&buf, p, TableOptions{Width: 100}) },
		func() error { return ListPlain(&buf, p) },
		func() error { return ChangesTable(&buf, p) },
	} {
		buf.Reset()
		require.NoError(t, write())
		assertInert(t, "list", buf.String())
	}
	buf.Reset()
	require.NoError(t, ListJSON(&buf, evilTool, p, map[string]string{evil: evil}, &AgentJSON{Path: evil}))
	assertJSONInert(t, "list json", buf.Bytes())
	assertInert(t, "list summary", ListSummary(p))
}

// ruleNames are the host names or wildcards a rule file names: the allowlist's first fields, squid's
// entries, Azure Firewall's target FQDNs, the CSV's endpoint hosts.
func ruleNames(t *testing.T, format, out string) []string {
	var names []string
	switch format {
	case "azure-firewall":
		var c azureFirewallCollection
		require.NoError(t, json.Unmarshal([]byte(out), &c))
		for _, r := range c.Properties.Rules {
			names = append(names, r.TargetFqdns...)
		}
	case "csv":
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		require.NoError(t, err)
		for _, r := range rows[1:] {
			if r[len(r)-1] == csvKindEndpoint {
				names = append(names, r[0])
			}
		}
	default:
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if !strings.HasPrefix(l, "#") {
				names = append(names, strings.TrimPrefix(strings.Fields(l)[0], "."))
			}
		}
	}
	require.NotEmpty(t, names, format)
	return names
}

// evilDocument is a check report as a hostile server (or anyone who can write into the reports'
// directory) writes it: control characters escaped as JSON requires, a right-to-left override and
// bytes that are not UTF-8 as they are.
func evilDocument(t *testing.T) []byte {
	rep := evilReport(t)
	doc := NewCheckDocument(evilTool, evilHost, evilSettings, rep)
	doc.Results[0].Failure.Class = probe.Class("tcp_timeout" + evil) // a class map key of the fleet
	data, err := json.Marshal(doc)
	require.NoError(t, err)
	// json.Marshal writes invalid UTF-8 as U+FFFD: put raw bytes back where a file may hold them.
	data = bytes.ReplaceAll(data, []byte(`\ufffd`), []byte("\xff"))
	require.Contains(t, string(data), "\u202e")
	return data
}

// TestHostileReportsNeverReachAReader: reports read for merge are escaped when read, and every fleet
// format shows only inert text, from files whose names are hostile too; fleet JSON carries the escaped
// text; fleet JUnit parses and keeps no right-to-left override.
func TestHostileReportsNeverReachAReader(t *testing.T) {
	data := evilDocument(t)
	doc, err := ReadCheckReport(bytes.NewReader(data))
	require.NoError(t, err)
	for _, s := range []string{doc.Host.Hostname, doc.Settings.Proxy.HTTPS, doc.Results[0].Endpoint, doc.Results[0].Pattern,
		string(doc.Results[0].Failure.Class), doc.Results[0].Failure.Message, doc.Results[0].Fix.Hint} {
		assert.True(t, safetext.IsSafe(s), "read as %q", s)
	}
	// encoding/json reads bytes that are not UTF-8 as U+FFFD, which is inert.
	assert.Equal(t, `srv\x1b[2J\x07\u202e=1+2`+"\ufffd\ufffd", doc.Host.Hostname)

	// The reports as read, and as a caller might hand them over without reading them (unescaped).
	var raw CheckDocument
	require.NoError(t, json.Unmarshal(data, &raw))
	reports := []CheckDocument{doc, raw}
	f := NewFleet(reports, []string{"a" + evil + ".json", "b\u202e.json"})
	for _, s := range f.Servers {
		assert.True(t, safetext.IsSafe(s.Name) && safetext.IsSafe(s.File) && safetext.IsSafe(s.Proxy), "%+v", s)
	}
	for _, e := range f.Endpoints {
		for c := range e.Classes {
			assert.True(t, safetext.IsSafe(c), "class %q", c)
		}
	}

	var buf bytes.Buffer
	for _, width := range []int{0, 80} {
		buf.Reset()
		require.NoError(t, FleetTable(&buf, f, TableOptions{Width: width}))
		assertInert(t, "fleet table", buf.String())
	}
	buf.Reset()
	require.NoError(t, FleetMarkdown(&buf, f))
	assertInert(t, "fleet markdown", buf.String())
	buf.Reset()
	require.NoError(t, FleetJUnit(&buf, reports, f))
	assertInert(t, "fleet junit", buf.String())
	assertXMLInert(t, "fleet junit", buf.Bytes())
	buf.Reset()
	require.NoError(t, FleetJSON(&buf, evilTool, f))
	assertJSONInert(t, "fleet json", buf.Bytes())
	assert.Contains(t, buf.String(), `\\u202e`, "the escaped text, as JSON writes a backslash")
}

// TestInertCopies: inert escapes every string of a document, keys included, and leaves the document
// given unchanged; nil stays nil (null) and empty stays empty ([]), times stay as they were.
func TestInertCopies(t *testing.T) {
	type inner struct {
		Name  string
		Class probe.Class
	}
	type doc struct {
		Text    string
		List    []string
		Empty   []string
		Nil     []string
		Map     map[string]inner
		Ptr     *inner
		NilPtr  *inner
		Array   [2]string
		Any     any
		When    time.Time
		Count   int
		private string
	}
	when := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	in := doc{Text: evil, List: []string{evil}, Empty: []string{}, Map: map[string]inner{evil: {Name: evil, Class: probe.Class(evil)}},
		Ptr: &inner{Name: evil}, Array: [2]string{evil, "ok"}, Any: evil, When: when, Count: 3, private: evil}
	out := inert(in)
	e := safetext.Escape(evil)
	assert.Equal(t, doc{Text: e, List: []string{e}, Empty: []string{}, Map: map[string]inner{e: {Name: e, Class: probe.Class(e)}},
		Ptr: &inner{Name: e}, Array: [2]string{e, "ok"}, Any: e, When: when, Count: 3, private: evil}, out)
	assert.NotNil(t, out.Empty)
	assert.Nil(t, out.Nil)
	assert.Equal(t, evil, in.List[0], "the document given is not changed")
	assert.Equal(t, evil, in.Ptr.Name)
	assert.Contains(t, in.Map, evil)
}
