package main

// Integration tests of issue 18 against the real Debian proxy products (internal/testnet/products.go and
// StartSquid): for each product, the origin is up, down, not resolving and blocked, and one arccheck run
// per state checks every https and plain-HTTP row of westeurope + ESU. A row counts as reachable behind
// an inspecting box only because the origin answered: the lab records the requests it answered.

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/probe"
	"github.com/arccheck/arccheck/pkg/report"
)

// The states of the origin behind a product.
const (
	stateUp      = "up"      // every name resolves (at the product) to the lab
	stateDown    = "down"    // every name resolves to a loopback address where nothing listens
	stateNX      = "nx"      // no name resolves at the product
	stateBlocked = "blocked" // every name resolves to the lab, and the product's policy refuses it
)

var productOriginStates = []string{stateUp, stateDown, stateNX, stateBlocked}

// The credentials of the authentication tests: neither may ever appear in arccheck's output.
const (
	productUser     = "arcuser"
	productPassword = "Pr0xy-Pass-91f3e"
	productWrongPw  = "Wr0ng-Pass-27c1d"
)

// productEnv is one state's lab, the names to map and the inspection CA this server trusts.
type productEnv struct {
	lab   *testnet.Lab
	corp  *testnet.CA
	hosts []string
	state string
}

// newProductEnv starts a lab (which answers 200 with the endpoint's evidence header and logs each
// request's host).
func newProductEnv(t *testing.T, state string) *productEnv {
	t.Helper()
	lab := testnet.NewLab(t, testnet.LabOptions{})
	var hosts []string
	for _, h := range append(planHosts(t, esuWesteurope), "westeurope.login.microsoft.com") {
		if !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	return &productEnv{lab: lab, corp: testnet.NewCA(t, "Arccheck Test Inspection CA", "Contoso Proxy"),
		hosts: hosts, state: state}
}

// options maps every name as the state says.
func (e *productEnv) options() testnet.ProductOptions {
	o := testnet.ProductOptions{Hosts: map[string]string{}, CA: e.corp, UpstreamCA: e.lab.CA}
	down := testnet.RandomLoopback()
	for _, h := range e.hosts {
		switch e.state {
		case stateUp:
			o.Hosts[h] = e.lab.IP
		case stateDown:
			o.Hosts[h] = down
		case stateBlocked:
			o.Hosts[h] = e.lab.IP
			o.Block = append(o.Block, h)
		}
	}
	return o
}

// boxOptions is options() for the TLS-terminating boxes: their certificate covers every name, also
// the names they cannot resolve, so that the failure shows as the box's answer.
func (e *productEnv) boxOptions() testnet.ProductOptions {
	o := e.options()
	if e.state == stateNX {
		o.CertNames = e.hosts
	}
	return o
}

// squidOptions is options() for squid: blocked names are left out of its allowlist.
func (e *productEnv) squidOptions() testnet.SquidOptions {
	o := e.options()
	so := testnet.SquidOptions{Hosts: o.Hosts, UpstreamCA: e.lab.CA}
	if e.state == stateBlocked {
		so.Allow = []string{"allowed.example.test"}
	}
	return so
}

// trustArgs make this server trust the lab's CA and the inspection CA, with the lab's CA as the public
// roots: a chain re-signed by the inspection CA is trusted and detected as intercepted.
func (e *productEnv) trustArgs(t *testing.T) []string {
	return []string{"--ca-file", bundle(t, e.lab.CA, e.corp), "--public-roots", e.lab.CA.WritePEM(t)}
}

// productRun is one arccheck run and what the origin saw meanwhile.
type productRun struct {
	doc                    report.CheckDocument
	r                      result
	httpsConns, httpConns  int64
	product, state, column string
}

// run runs check -l westeurope -e esu -o json with the extra args and records the origin's counts.
func (e *productEnv) run(t *testing.T, product, column string, args ...string) productRun {
	t.Helper()
	tls0, http0 := e.lab.HTTPS.Accepted.Load(), e.lab.HTTP.Accepted.Load()
	all := append([]string{"-l", "westeurope", "-e", "esu", "--timeout", "5s", "--agent", "off"}, e.trustArgs(t)...)
	doc, r := checkJSON(t, nil, append(all, args...)...)
	e.lab.Settle(t) // the lab's accept loops have counted every connection the run made
	pr := productRun{doc: doc, r: r, httpsConns: e.lab.HTTPS.Accepted.Load() - tls0, httpConns: e.lab.HTTP.Accepted.Load() - http0,
		product: product, state: e.state, column: column}
	require.NotEmpty(t, doc.Results, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	for _, res := range doc.Results {
		t.Logf("OBSERVED %s %s %s %s", product, e.state+column, res.Endpoint, describe(res))
	}
	t.Logf("OBSERVED %s %s exit=%d origin tls=%d http=%d requests=%v", product, e.state+column, r.code,
		pr.httpsConns, pr.httpConns, e.lab.RequestLog())
	return pr
}

// describe is a row in one line: reachable, class, message, warnings and fix.
func describe(res report.ResultJSON) string {
	var b strings.Builder
	fmt.Fprintf(&b, "reachable=%v", res.Reachable)
	if res.Failure != nil {
		fmt.Fprintf(&b, " class=%s message=%q", res.Failure.Class, res.Failure.Message)
	}
	if res.Fix != nil {
		fmt.Fprintf(&b, " fix=%q", res.Fix.Hint)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(&b, " warning=%s(%q)", w.Class, w.Fix.Hint)
	}
	if res.HTTP != nil {
		fmt.Fprintf(&b, " http=%d evidence=%q proven=%v", res.HTTP.Status, res.HTTP.Evidence, res.HTTP.Proven)
	}
	return b.String()
}

func isHTTPS(res report.ResultJSON) bool { return strings.HasPrefix(res.Endpoint, "https://") }

func hostOfEndpoint(endpoint string) string {
	_, rest, _ := strings.Cut(endpoint, "://")
	h, _, _ := strings.Cut(rest, "/")
	if hh, _, err := net.SplitHostPort(h); err == nil {
		return hh
	}
	return h
}

func hasWarning(res report.ResultJSON, c probe.Class) bool {
	for _, w := range res.Warnings {
		if w.Class == c {
			return true
		}
	}
	return false
}

// rowWant is what a row must show.
type rowWant struct {
	reachable bool
	// class is the failure class of an unreachable row.
	class probe.Class
	// warning is a warning the row must carry; noWarnings forbids any.
	warning    probe.Class
	noWarnings bool
	// hintAny: the fix (of the failure, or of the warning) contains one of these.
	hintAny []string
	// messageHas: the failure's message contains this (case-insensitive).
	messageHas string
}

// expectRow checks one row; a mismatch is reported with the observed class and message, greppable as
// MISMATCH.
func expectRow(t *testing.T, pr productRun, res report.ResultJSON, w rowWant) {
	t.Helper()
	where := fmt.Sprintf("MISMATCH product=%s state=%s row=%s", pr.product, pr.state+pr.column, res.Endpoint)
	got := describe(res)
	if w.reachable {
		if !res.Reachable {
			t.Errorf("%s: want reachable; observed %s", where, got)
			return
		}
	} else {
		if res.Reachable || res.Failure == nil {
			t.Errorf("%s: want unreachable with %s; observed %s", where, w.class, got)
			return
		}
		if res.Failure.Class != w.class {
			t.Errorf("%s: want class %s; observed %s", where, w.class, got)
		}
		if w.messageHas != "" && !strings.Contains(strings.ToLower(res.Failure.Message), strings.ToLower(w.messageHas)) {
			t.Errorf("%s: want the message to say %q; observed %s", where, w.messageHas, got)
		}
	}
	if w.warning != "" && !hasWarning(res, w.warning) {
		t.Errorf("%s: want warning %s; observed %s", where, w.warning, got)
	}
	if w.noWarnings && len(res.Warnings) > 0 {
		t.Errorf("%s: want no warning; observed %s", where, got)
	}
	if len(w.hintAny) > 0 {
		var hints []string
		if res.Fix != nil {
			hints = append(hints, res.Fix.Hint)
		}
		for _, wn := range res.Warnings {
			if w.warning == "" || wn.Class == w.warning {
				hints = append(hints, wn.Fix.Hint)
			}
		}
		found := false
		for _, h := range hints {
			for _, s := range w.hintAny {
				found = found || strings.Contains(h, s)
			}
		}
		if !found {
			t.Errorf("%s: want a fix naming one of %q; observed %s", where, w.hintAny, got)
		}
	}
}

func expectExit(t *testing.T, pr productRun, code int) {
	t.Helper()
	if pr.r.code != code {
		t.Errorf("MISMATCH product=%s state=%s: exit code %d, want %d (summary %+v)\nstderr: %s", pr.product,
			pr.state+pr.column, pr.r.code, code, pr.doc.Summary, pr.r.stderr)
	}
}

// expectNoSecret checks that no password appears in what the run printed.
func expectNoSecret(t *testing.T, pr productRun) {
	t.Helper()
	for _, pw := range []string{productPassword, productWrongPw} {
		assert.NotContains(t, pr.r.stdout, pw, "the proxy password on stdout")
		assert.NotContains(t, pr.r.stderr, pw, "the proxy password on stderr")
	}
}

// productKind says how a product sits in the path and what it does to TLS.
type productKind int

const (
	forwardProxy    productKind = iota // CONNECT (or SOCKS) tunnels, TLS end to end
	inspectingProxy                    // a forward proxy that re-signs TLS (mitmproxy, squid ssl_bump)
	inspectingBox                      // a TLS-terminating box the server is pointed at (nginx, haproxy)
)

// productCase is one product under test.
type productCase struct {
	name string
	kind productKind
	// start starts the product for env and returns the arguments that send arccheck through it and the
	// words a fix must name it by.
	start func(t *testing.T, e *productEnv) (args []string, names []string, log func() string)
	// nxPlain404: the product answers a plain-HTTP request for a name it cannot resolve with a 404 page of
	// its own and no mark of a proxy (privoxy's "404 No such domain"). The row is http_unverified: a 404
	// that fails the content proof says nothing certain about its cause (docs/verdicts.md, plain-HTTP
	// rows), a documented gap; over CONNECT the same 404 is proxy_upstream_failed.
	nxPlain404 bool
	// upstreamDNS: the fix of an nx https row says the proxy could not resolve the name.
	upstreamDNS bool
	// eagerUpstream: the product connects upstream before its block list answers (mitmproxy's
	// connection_strategy=eager): for a blocked row the origin accepts connections (TLS and plain HTTP)
	// but answers no request.
	eagerUpstream bool
}

func forwardStart(start func(testing.TB, testnet.ProductOptions) *testnet.Product) func(*testing.T, *productEnv) ([]string, []string, func() string) {
	return func(t *testing.T, e *productEnv) ([]string, []string, func() string) {
		p := start(t, e.options())
		return []string{"--proxy", p.URL("", "")}, []string{p.Addr}, p.Log
	}
}

// boxStart starts a TLS-terminating box and points every name at it; arccheck resolves any other name
// through a loopback DNS server that knows none, never through the system resolver.
func boxStart(start func(testing.TB, testnet.ProductOptions) *testnet.Product) func(*testing.T, *productEnv) ([]string, []string, func() string) {
	return func(t *testing.T, e *productEnv) ([]string, []string, func() string) {
		p := start(t, e.boxOptions())
		args := []string{"--dns-server", testnet.NewDNSServer(t, testnet.DNSNXDomain, nil).Addr}
		for _, h := range e.hosts {
			args = append(args, "--resolve", h+":*:"+p.IP())
		}
		return args, []string{p.Name, p.Addr, "Arccheck Test Inspection CA"}, p.Log
	}
}

func mitmStart(lazy bool) func(*testing.T, *productEnv) ([]string, []string, func() string) {
	return func(t *testing.T, e *productEnv) ([]string, []string, func() string) {
		o := e.options()
		o.Lazy = lazy
		p := testnet.StartMitmproxy(t, o)
		return []string{"--proxy", p.URL("", "")}, []string{p.Addr}, p.Log
	}
}

func squidStart(mode testnet.SquidBumpMode) func(*testing.T, *productEnv) ([]string, []string, func() string) {
	return func(t *testing.T, e *productEnv) ([]string, []string, func() string) {
		so := e.squidOptions()
		so.Bump, so.BumpMode = e.corp, mode
		s := testnet.StartSquid(t, so)
		return []string{"--proxy", s.URL("", "")}, []string{s.Addr}, func() string {
			b, _ := os.ReadFile(filepath.Join(s.Dir, "cache.log"))
			return s.AccessLog() + "\n" + string(b)
		}
	}
}

var productCases = []productCase{
	{name: "tinyproxy", kind: forwardProxy, start: forwardStart(testnet.StartTinyproxy)},
	{name: "privoxy", kind: forwardProxy, start: forwardStart(testnet.StartPrivoxy), upstreamDNS: true, nxPlain404: true},
	{name: "apache2", kind: forwardProxy, start: forwardStart(testnet.StartApacheProxy)},
	{name: "dante", kind: forwardProxy, start: forwardStart(testnet.StartDante)},
	{name: "mitmproxy-eager", kind: inspectingProxy, start: mitmStart(false), eagerUpstream: true},
	{name: "mitmproxy-lazy", kind: inspectingProxy, start: mitmStart(true)},
	{name: "squid-bump-peek", kind: inspectingProxy, start: squidStart(testnet.SquidBumpPeek)},
	{name: "squid-bump-client-first", kind: inspectingProxy, start: squidStart(testnet.SquidBumpClientFirst)},
	{name: "squid-bump-server-first", kind: inspectingProxy, start: squidStart(testnet.SquidBumpServerFirst)},
	// nginx answers 502 for a down or unknown origin, on port 80 too.
	{name: "nginx-inspector", kind: inspectingBox, start: boxStart(testnet.StartNginxInspector)},
	// haproxy answers its bare 503 page, with no mark of its own.
	{name: "haproxy-inspector", kind: inspectingBox, start: boxStart(testnet.StartHAProxyInspector)},
}

// wantFor is what a row of a product must show in a state.
func wantFor(c productCase, state string, res report.ResultJSON, names []string) rowWant {
	https := isHTTPS(res)
	if !https && c.kind == inspectingBox {
		// No proxy and no re-signing CA on a plain-HTTP row: the fix names the box by its place.
		names = []string{"a box in the path"}
	}
	switch state {
	case stateUp:
		w := rowWant{reachable: true}
		switch {
		case https && c.kind != forwardProxy:
			w.warning, w.hintAny = probe.ClassTLSIntercepted, names
		default:
			w.noWarnings = true
		}
		return w
	case stateDown, stateNX:
		w := rowWant{class: probe.ClassProxyUpstreamFailed, hintAny: names}
		if !https && state == stateNX && c.nxPlain404 {
			w.class = probe.ClassHTTPUnverified
		}
		if https && state == stateNX && c.upstreamDNS {
			w.hintAny = []string{"could not resolve"}
			w.messageHas = "could not resolve"
		}
		return w
	default: // blocked
		return rowWant{class: probe.ClassProxyDenied, hintAny: names}
	}
}

// TestProductVerdicts runs every product with the origin up, down, not resolving and blocked, and checks
// each row's verdict, class and fix, the exit code, and what the origin itself saw.
func TestProductVerdicts(t *testing.T) {
	t.Parallel()
	for _, c := range productCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			for _, state := range productOriginStates {
				t.Run(state, func(t *testing.T) {
					t.Parallel()
					e := newProductEnv(t, state)
					args, names, plog := c.start(t, e)
					testnet.LogOnFailure(t, c.name, plog)
					pr := e.run(t, c.name, "", args...)
					https, plain := 0, 0
					for _, res := range pr.doc.Results {
						if isHTTPS(res) {
							https++
						} else {
							plain++
						}
						expectRow(t, pr, res, wantFor(c, state, res, names))
					}
					require.Positive(t, plain, "no plain-HTTP row: -e esu should add http://www.microsoft.com/pkiops/certs")
					if state == stateUp {
						expectExit(t, pr, 0)
					} else {
						expectExit(t, pr, 1)
					}
					expectOrigin(t, c, e, pr, https)
				})
			}
		})
	}
}

// expectOrigin checks what the origin saw: every row reachable through an inspecting product, and every
// reachable plain-HTTP row, was answered by it (its request arrived); a blocked row never reached it.
func expectOrigin(t *testing.T, c productCase, e *productEnv, pr productRun, https int) {
	t.Helper()
	where := fmt.Sprintf("MISMATCH product=%s state=%s", c.name, e.state)
	switch e.state {
	case stateUp:
		for _, res := range pr.doc.Results {
			if !res.Reachable {
				continue
			}
			if isHTTPS(res) && c.kind == forwardProxy {
				continue // counted below: TLS end to end, a verified chain is the proof
			}
			if n := e.lab.Requests(hostOfEndpoint(res.Endpoint)); n == 0 {
				t.Errorf("%s row=%s: reachable behind %s, but the origin answered no request for it (origin answered %v)",
					where, res.Endpoint, c.name, e.lab.RequestLog())
			}
			if isHTTPS(res) && (res.HTTP == nil || res.HTTP.Evidence == "") {
				t.Errorf("%s row=%s: reachable behind %s without the endpoint's evidence: %s", where, res.Endpoint, c.name, describe(res))
			}
		}
		if c.kind == forwardProxy && pr.httpsConns < int64(https) {
			t.Errorf("%s: %d https rows reachable, but the origin accepted only %d TLS connections", where, https, pr.httpsConns)
		}
	case stateBlocked:
		for _, h := range e.hosts {
			if n := e.lab.Requests(h); n > 0 {
				t.Errorf("%s: %s is blocked, but the origin answered %d requests for it", where, h, n)
			}
		}
		if pr.httpConns > 0 && !c.eagerUpstream {
			t.Errorf("%s: everything is blocked, but the origin's plain-HTTP server saw %d connections", where, pr.httpConns)
		}
		if c.kind == forwardProxy && pr.httpsConns > 0 {
			t.Errorf("%s: everything is blocked, but the origin accepted %d TLS connections", where, pr.httpsConns)
		}
	}
}

// TestProductCredentials runs the authenticating proxies (tinyproxy, apache2, squid) with no, wrong and
// right credentials, and every forward proxy that needs none with credentials it never asks for.
func TestProductCredentials(t *testing.T) {
	t.Parallel()
	users := map[string]string{productUser: productPassword}
	auth := []struct {
		name  string
		start func(t *testing.T, e *productEnv) (proxy func(user, pw string) string, addr string, log func() string)
	}{
		{"tinyproxy", func(t *testing.T, e *productEnv) (func(string, string) string, string, func() string) {
			o := e.options()
			o.Users = users
			p := testnet.StartTinyproxy(t, o)
			return p.URL, p.Addr, p.Log
		}},
		{"apache2", func(t *testing.T, e *productEnv) (func(string, string) string, string, func() string) {
			o := e.options()
			o.Users = users
			p := testnet.StartApacheProxy(t, o)
			return p.URL, p.Addr, p.Log
		}},
		{"squid", func(t *testing.T, e *productEnv) (func(string, string) string, string, func() string) {
			so := e.squidOptions()
			so.Users = users
			s := testnet.StartSquid(t, so)
			return s.URL, s.Addr, s.AccessLog
		}},
	}
	for _, a := range auth {
		t.Run(a.name+"-auth", func(t *testing.T) {
			t.Parallel()
			e := newProductEnv(t, stateUp)
			proxy, addr, plog := a.start(t, e)
			testnet.LogOnFailure(t, a.name, plog)
			for _, cred := range []struct{ column, user, pw string }{
				{"/no-credentials", "", ""}, {"/wrong-credentials", productUser, productWrongPw}, {"/right-credentials", productUser, productPassword},
			} {
				pr := e.run(t, a.name, cred.column, "--proxy", proxy(cred.user, cred.pw))
				expectNoSecret(t, pr)
				for _, res := range pr.doc.Results {
					switch cred.column {
					case "/no-credentials":
						expectRow(t, pr, res, rowWant{class: probe.ClassProxyAuthRequired, hintAny: []string{addr}})
					case "/wrong-credentials":
						expectRow(t, pr, res, rowWant{class: probe.ClassProxyAuthRequired, hintAny: []string{addr},
							messageHas: "refused the credentials"})
					default:
						expectRow(t, pr, res, rowWant{reachable: true, warning: probe.ClassProxyAuthAgentUnsupported, hintAny: []string{addr}})
					}
				}
				if cred.column == "/right-credentials" {
					expectExit(t, pr, 0)
				} else {
					expectExit(t, pr, 1)
				}
			}
		})
	}
	noAuth := []struct {
		name  string
		start func(t *testing.T, e *productEnv) (proxy func(user, pw string) string, log func() string)
	}{
		{"tinyproxy", unasked(testnet.StartTinyproxy)},
		{"privoxy", unasked(testnet.StartPrivoxy)},
		{"apache2", unasked(testnet.StartApacheProxy)},
		{"squid", func(t *testing.T, e *productEnv) (func(string, string) string, func() string) {
			s := testnet.StartSquid(t, e.squidOptions())
			return s.URL, s.AccessLog
		}},
	}
	for _, a := range noAuth {
		t.Run(a.name+"-unasked-credentials", func(t *testing.T) {
			t.Parallel()
			e := newProductEnv(t, stateUp)
			proxy, plog := a.start(t, e)
			testnet.LogOnFailure(t, a.name, plog)
			pr := e.run(t, a.name, "/unasked-credentials", "--proxy", proxy(productUser, productPassword))
			expectNoSecret(t, pr)
			for _, res := range pr.doc.Results {
				expectRow(t, pr, res, rowWant{reachable: true, noWarnings: true})
				if hasWarning(res, probe.ClassProxyAuthAgentUnsupported) {
					t.Errorf("MISMATCH product=%s state=up/unasked-credentials row=%s: %s warned, but the proxy never asked for credentials",
						a.name, res.Endpoint, probe.ClassProxyAuthAgentUnsupported)
				}
			}
			expectExit(t, pr, 0)
		})
	}
}

// unasked starts a forward proxy that asks for no credentials.
func unasked(start func(testing.TB, testnet.ProductOptions) *testnet.Product) func(*testing.T, *productEnv) (func(string, string) string, func() string) {
	return func(t *testing.T, e *productEnv) (func(string, string) string, func() string) {
		p := start(t, e.options())
		return p.URL, p.Log
	}
}

// TestProductNginxWebServerAsProxy gives a plain nginx web server as the proxy: it is not a forward
// proxy, for the https rows (CONNECT refused) and the plain-HTTP rows (its own pages) alike. It resolves
// nothing, so the origin's states do not apply to it.
func TestProductNginxWebServerAsProxy(t *testing.T) {
	t.Parallel()
	e := newProductEnv(t, stateUp)
	p := testnet.StartNginxWebServer(t)
	pr := e.run(t, "nginx-web-server", "", "--proxy", p.URL("", ""))
	for _, res := range pr.doc.Results {
		expectRow(t, pr, res, rowWant{class: probe.ClassProxyNotAProxy, hintAny: []string{p.Addr}})
	}
	expectExit(t, pr, 1)
	if pr.httpsConns+pr.httpConns > 0 {
		t.Errorf("MISMATCH product=nginx-web-server: the origin saw %d+%d connections through a web server", pr.httpsConns, pr.httpConns)
	}
}

// TestProductSOCKSGivenAsHTTP gives dante, a SOCKS5 server, as an http:// proxy: the fix is socks5h://.
func TestProductSOCKSGivenAsHTTP(t *testing.T) {
	t.Parallel()
	e := newProductEnv(t, stateUp)
	p := testnet.StartDante(t, e.options())
	pr := e.run(t, "dante-as-http", "", "--proxy", "http://"+p.Addr)
	for _, res := range pr.doc.Results {
		expectRow(t, pr, res, rowWant{class: probe.ClassProxySchemeMismatch, hintAny: []string{"socks5h://" + p.Addr}})
	}
	expectExit(t, pr, 1)
}
