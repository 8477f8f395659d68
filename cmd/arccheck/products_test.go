package main

// Integration tests of issue 18 against the real Debian proxy products (internal/testnet/products.go and
// StartSquid): for each product, the origin is up, down, not resolving and blocked, and one arccheck run
// per state checks every https and plain-HTTP row of westeurope + ESU. A row counts as reachable behind
// an inspecting box only because the origin answered: the test origin records the requests it served.

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

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

// originLog records the requests the lab's TLS server answered, by host.
type originLog struct {
	mu    sync.Mutex
	hosts map[string]int
}

func (l *originLog) add(host string) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.hosts[strings.ToLower(host)]++
}

func (l *originLog) count(host string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.hosts[strings.ToLower(host)]
}

func (l *originLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprint(l.hosts)
}

// productEnv is one state's lab, the names to map and the inspection CA this server trusts.
type productEnv struct {
	lab    *testnet.Lab
	origin *originLog
	corp   *testnet.CA
	hosts  []string
	state  string
}

// newProductEnv starts a lab whose TLS server answers like the default one (200 with the endpoint's
// evidence header) and records each request's host.
func newProductEnv(t *testing.T, state string) *productEnv {
	t.Helper()
	origin := &originLog{hosts: map[string]int{}}
	lab := testnet.NewLab(t, testnet.LabOptions{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin.add(r.Host)
		w.Header().Set(testnet.EvidenceHeader, testnet.OriginRequestID)
		io.WriteString(w, "arccheck test origin: "+r.Host+r.URL.Path+"\n")
	})})
	var hosts []string
	for _, h := range append(planHosts(t, esuWesteurope), "westeurope.login.microsoft.com") {
		if !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	return &productEnv{lab: lab, origin: origin, corp: testnet.NewCA(t, "Arccheck Test Inspection CA", "Contoso Proxy"),
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

// boxOptions is options() for the TLS-terminating boxes, whose certificate covers the names of Hosts and
// Block and their parent domains' wildcards: with the origin not resolving, each name gets a sibling that
// resolves (to an address where nothing listens, never connected to) so that the box's certificate still
// covers it and the failure shows as the box's answer. A name with no parent domain of two labels or more
// (aka.ms) cannot be covered so: see uncoverableByBox.
func (e *productEnv) boxOptions() testnet.ProductOptions {
	o := e.options()
	if e.state == stateNX {
		sink := testnet.RandomLoopback()
		for _, h := range e.hosts {
			if _, parent, ok := strings.Cut(h, "."); ok && strings.Contains(parent, ".") {
				o.Hosts["arccheck-sibling."+parent] = sink
			}
		}
	}
	return o
}

// uncoverableByBox reports whether the TLS-terminating boxes' certificate cannot cover host when it does
// not resolve at the box (see boxOptions): testnet.ProductOptions has no field for extra certificate names.
func uncoverableByBox(host string) bool { return strings.Count(host, ".") < 2 }

// nginxWithTLS13 lets the nginx inspector speak TLS 1.3: nginx 1.22's default ssl_protocols stop at TLS
// 1.2, where its ECDSA certificate allows only ECDHE_ECDSA suites, which the Arc agent does not accept
// (arccheck rightly says cipher_unsupported_by_agent); the inspectors enterprises run speak TLS 1.3.
// StartNginxInspector should say ssl_protocols itself; until it does, its configuration is patched and
// reloaded here.
func nginxWithTLS13(t *testing.T, p *testnet.Product) {
	t.Helper()
	conf := filepath.Join(p.Dir, "nginx.conf")
	data, err := os.ReadFile(conf)
	require.NoError(t, err)
	if !strings.Contains(string(data), "ssl_protocols") {
		patched := strings.Replace(string(data), "\t\tssl_certificate ", "\t\tssl_protocols TLSv1.2 TLSv1.3;\n\t\tssl_certificate ", 1)
		require.NotEqual(t, string(data), patched, "no ssl_certificate line in %s", conf)
		require.NoError(t, os.WriteFile(conf, []byte(patched), 0o644))
		bin := testnet.RequireBinary(t, "nginx", "nginx")
		out, err := exec.Command(bin, "-p", p.Dir, "-e", filepath.Join(p.Dir, "error.log"), "-c", conf, "-s", "reload").CombinedOutput()
		require.NoError(t, err, "nginx -s reload: %s", out)
	}
	// The old worker may accept a few more connections while it shuts down: wait for a run of TLS 1.3
	// handshakes.
	run := 0
	for deadline := time.Now().Add(10 * time.Second); run < 20; {
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: time.Second}, "tcp", p.Addr, &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"})
		run++
		if err == nil {
			if c.ConnectionState().Version != tls.VersionTLS13 {
				run = 0
			}
			c.Close()
		} else {
			run = 0
		}
		if run == 0 {
			time.Sleep(50 * time.Millisecond)
		}
		if run < 20 && time.Now().After(deadline) {
			t.Fatalf("nginx at %s does not speak TLS 1.3 after the reload (%v)", p.Addr, err)
		}
	}
}

// squidOptions is options() for squid: blocked names are left out of its allowlist.
func (e *productEnv) squidOptions(bump bool) testnet.SquidOptions {
	o := e.options()
	so := testnet.SquidOptions{Hosts: o.Hosts, UpstreamCA: e.lab.CA}
	if bump {
		so.Bump = e.corp
	}
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
	time.Sleep(20 * time.Millisecond) // let the lab's accept loops count the last connections
	pr := productRun{doc: doc, r: r, httpsConns: e.lab.HTTPS.Accepted.Load() - tls0, httpConns: e.lab.HTTP.Accepted.Load() - http0,
		product: product, state: e.state, column: column}
	require.NotEmpty(t, doc.Results, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	for _, res := range doc.Results {
		t.Logf("OBSERVED %s %s %s %s", product, e.state+column, res.Endpoint, describe(res))
	}
	t.Logf("OBSERVED %s %s exit=%d origin tls=%d http=%d requests=%s", product, e.state+column, r.code,
		pr.httpsConns, pr.httpConns, e.origin)
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
	// classes are the failure classes accepted (the first is the expected one).
	classes []probe.Class
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
			t.Errorf("%s: want unreachable with %v; observed %s", where, w.classes, got)
			return
		}
		if !slices.Contains(w.classes, res.Failure.Class) {
			t.Errorf("%s: want class %v; observed %s", where, w.classes, got)
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
	// plainMarked: the product's own page for an upstream failure of a plain-HTTP request carries its
	// marks (tinyproxy's Server, squid's X-Squid-Error, mitmproxy's Server) or is a 502/504, so the row
	// must be proxy_upstream_failed (otherwise http_unverified is accepted).
	plainMarked map[string]bool
	// socks: the product is a SOCKS server; every row fails at the proxy hop, plain HTTP too.
	socks bool
	// upstreamDNS: the fix of an nx row says the proxy could not resolve the name.
	upstreamDNS bool
	// eagerUpstream: the product connects upstream before its block list answers (mitmproxy's
	// connection_strategy=eager): for a blocked row the origin accepts connections (TLS and plain HTTP)
	// but, on its TLS server where requests are recorded, answers none. The lab's plain-HTTP server
	// records no requests, so only its connection count is known, and it is not checked for this product.
	eagerUpstream bool
}

func forwardStart(start func(testing.TB, testnet.ProductOptions) *testnet.Product) func(*testing.T, *productEnv) ([]string, []string, func() string) {
	return func(t *testing.T, e *productEnv) ([]string, []string, func() string) {
		p := start(t, e.options())
		return []string{"--proxy", p.URL("", "")}, []string{p.Addr}, p.Log
	}
}

func boxStart(start func(testing.TB, testnet.ProductOptions) *testnet.Product) func(*testing.T, *productEnv) ([]string, []string, func() string) {
	return func(t *testing.T, e *productEnv) ([]string, []string, func() string) {
		p := start(t, e.boxOptions())
		if p.Name == "nginx" {
			nginxWithTLS13(t, p)
		}
		var args []string
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

// The ssl_bump rules of the squid variants. StartSquid's own ("peek at step 1, then bump") is the
// default; client-first bumps at step 1, before squid connects to the server; server-first stares at
// step 2 and bumps at step 3, after squid has the server's certificate.
const (
	squidBumpClientFirst = "ssl_bump bump all\n"
	squidBumpServerFirst = "acl step1 at_step SslBump1\nacl step2 at_step SslBump2\nssl_bump peek step1\nssl_bump stare step2\nssl_bump bump all\n"
)

func squidStart(bump string) func(*testing.T, *productEnv) ([]string, []string, func() string) {
	return func(t *testing.T, e *productEnv) ([]string, []string, func() string) {
		s := testnet.StartSquid(t, e.squidOptions(true))
		if bump != "" {
			restartSquidWith(t, s, bump)
		}
		return []string{"--proxy", s.URL("", "")}, []string{s.Addr}, func() string {
			b, _ := os.ReadFile(filepath.Join(s.Dir, "cache.log"))
			return s.AccessLog() + "\n" + string(b)
		}
	}
}

// restartSquidWith restarts a squid that StartSquid started (with Bump) with its ssl_bump rules replaced
// by bump. SquidOptions has no choice of bumping step yet (see the report of issue 18's tests).
func restartSquidWith(t *testing.T, s *testnet.Squid, bump string) {
	t.Helper()
	conf := filepath.Join(s.Dir, "squid.conf")
	data, err := os.ReadFile(conf)
	require.NoError(t, err)
	old := "acl step1 at_step SslBump1\nssl_bump peek step1\nssl_bump bump all\n"
	require.Contains(t, string(data), old, "StartSquid's ssl_bump rules changed")
	require.NoError(t, os.WriteFile(conf, []byte(strings.Replace(string(data), old, bump, 1)), 0o644))
	s.Kill()
	_, port, _ := net.SplitHostPort(s.Addr)
	bin := testnet.RequireBinary(t, "squid", "squid-openssl")
	var out bytes.Buffer
	cmd := exec.Command(bin, "-N", "-n", "arccheck"+port, "-f", conf)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	})
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(s.Dir, "cache.log"))
			t.Fatalf("squid exited at restart: %s\n%s", out.String(), log)
		default:
		}
		if c, err := net.DialTimeout("tcp", s.Addr, 100*time.Millisecond); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("squid did not listen on %s within 10s after the restart: %s", s.Addr, out.String())
}

var allMarked = map[string]bool{stateDown: true, stateNX: true}

var productCases = []productCase{
	{name: "tinyproxy", kind: forwardProxy, start: forwardStart(testnet.StartTinyproxy), plainMarked: allMarked},
	{name: "privoxy", kind: forwardProxy, start: forwardStart(testnet.StartPrivoxy), upstreamDNS: true},
	{name: "apache2", kind: forwardProxy, start: forwardStart(testnet.StartApacheProxy)},
	{name: "dante", kind: forwardProxy, start: forwardStart(testnet.StartDante), socks: true},
	{name: "mitmproxy-eager", kind: inspectingProxy, start: mitmStart(false), plainMarked: allMarked, eagerUpstream: true},
	{name: "mitmproxy-lazy", kind: inspectingProxy, start: mitmStart(true), plainMarked: allMarked},
	{name: "squid-bump-peek", kind: inspectingProxy, start: squidStart(""), plainMarked: allMarked},
	{name: "squid-bump-client-first", kind: inspectingProxy, start: squidStart(squidBumpClientFirst), plainMarked: allMarked},
	{name: "squid-bump-server-first", kind: inspectingProxy, start: squidStart(squidBumpServerFirst), plainMarked: allMarked},
	// nginx answers 502 for a down or unknown origin, on port 80 too.
	{name: "nginx-inspector", kind: inspectingBox, start: boxStart(testnet.StartNginxInspector), plainMarked: allMarked},
	// haproxy answers its bare 503 page, with no mark of its own.
	{name: "haproxy-inspector", kind: inspectingBox, start: boxStart(testnet.StartHAProxyInspector)},
}

// wantFor is what a row of a product must show in a state.
func wantFor(c productCase, state string, res report.ResultJSON, names []string) rowWant {
	https := isHTTPS(res)
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
		w := rowWant{classes: []probe.Class{probe.ClassProxyUpstreamFailed}, hintAny: names}
		if !https && !c.socks && !c.plainMarked[state] {
			w.classes = append(w.classes, probe.ClassHTTPUnverified)
		}
		if !https && c.kind == inspectingBox {
			w.hintAny = nil // no proxy and no re-signing CA on a plain-HTTP row: the box may be unnamed
		}
		if https && state == stateNX && c.upstreamDNS {
			w.hintAny = []string{"could not resolve"}
			w.messageHas = "could not resolve"
		}
		return w
	default: // blocked
		w := rowWant{classes: []probe.Class{probe.ClassProxyDenied}, hintAny: names}
		if !https && !c.socks {
			// A proxy's block page for a plain-HTTP request: denied, blocked, or at least unverified.
			w.classes = append(w.classes, probe.ClassHTTPBlockedByProxy, probe.ClassHTTPUnverified)
			if c.kind == inspectingBox {
				w.hintAny = nil
			}
		}
		return w
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
					t.Cleanup(func() {
						if t.Failed() {
							t.Logf("%s log:\n%s", c.name, lastLines(plog(), 60))
						}
					})
					pr := e.run(t, c.name, "", args...)
					https, plain := 0, 0
					for _, res := range pr.doc.Results {
						if isHTTPS(res) {
							https++
						} else {
							plain++
						}
						if c.kind == inspectingBox && state == stateNX && uncoverableByBox(hostOfEndpoint(res.Endpoint)) {
							t.Logf("NOT ASSERTED %s %s %s: the box's certificate cannot cover a name it cannot resolve and that "+
								"has no sibling of three labels or more; testnet.ProductOptions needs a CertNames field", c.name, state, res.Endpoint)
							continue
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

// expectOrigin checks what the origin saw: every row reachable through an inspecting product was answered
// by it (its request arrived); a blocked row never reached it.
func expectOrigin(t *testing.T, c productCase, e *productEnv, pr productRun, https int) {
	t.Helper()
	where := fmt.Sprintf("MISMATCH product=%s state=%s", c.name, e.state)
	switch e.state {
	case stateUp:
		for _, res := range pr.doc.Results {
			if !res.Reachable {
				continue
			}
			if !isHTTPS(res) {
				if pr.httpConns == 0 {
					t.Errorf("%s row=%s: reachable, but the origin's plain-HTTP server saw no connection", where, res.Endpoint)
				}
				continue
			}
			if c.kind == forwardProxy {
				continue // counted below: TLS end to end, a verified chain is the proof
			}
			if n := e.origin.count(hostOfEndpoint(res.Endpoint)); n == 0 {
				t.Errorf("%s row=%s: reachable behind %s, but the origin answered no request for it (origin saw %s)",
					where, res.Endpoint, c.name, e.origin)
			}
			if res.HTTP == nil || res.HTTP.Evidence == "" {
				t.Errorf("%s row=%s: reachable behind %s without the endpoint's evidence: %s", where, res.Endpoint, c.name, describe(res))
			}
		}
		if c.kind == forwardProxy && pr.httpsConns < int64(https) {
			t.Errorf("%s: %d https rows reachable, but the origin accepted only %d TLS connections", where, https, pr.httpsConns)
		}
	case stateBlocked:
		for _, h := range e.hosts {
			if n := e.origin.count(h); n > 0 {
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

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
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
			so := e.squidOptions(false)
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
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("%s log:\n%s", a.name, lastLines(plog(), 60))
				}
			})
			for _, cred := range []struct{ column, user, pw string }{
				{"/no-credentials", "", ""}, {"/wrong-credentials", productUser, productWrongPw}, {"/right-credentials", productUser, productPassword},
			} {
				pr := e.run(t, a.name, cred.column, "--proxy", proxy(cred.user, cred.pw))
				expectNoSecret(t, pr)
				for _, res := range pr.doc.Results {
					switch cred.column {
					case "/no-credentials":
						expectRow(t, pr, res, rowWant{classes: []probe.Class{probe.ClassProxyAuthRequired}, hintAny: []string{addr}})
					case "/wrong-credentials":
						expectRow(t, pr, res, rowWant{classes: []probe.Class{probe.ClassProxyAuthRequired}, hintAny: []string{addr},
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
		{"tinyproxy", func(t *testing.T, e *productEnv) (func(string, string) string, func() string) {
			p := testnet.StartTinyproxy(t, e.options())
			return p.URL, p.Log
		}},
		{"privoxy", func(t *testing.T, e *productEnv) (func(string, string) string, func() string) {
			p := testnet.StartPrivoxy(t, e.options())
			return p.URL, p.Log
		}},
		{"apache2", func(t *testing.T, e *productEnv) (func(string, string) string, func() string) {
			p := testnet.StartApacheProxy(t, e.options())
			return p.URL, p.Log
		}},
		{"squid", func(t *testing.T, e *productEnv) (func(string, string) string, func() string) {
			s := testnet.StartSquid(t, e.squidOptions(false))
			return s.URL, s.AccessLog
		}},
	}
	for _, a := range noAuth {
		t.Run(a.name+"-unasked-credentials", func(t *testing.T) {
			t.Parallel()
			e := newProductEnv(t, stateUp)
			proxy, plog := a.start(t, e)
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("%s log:\n%s", a.name, lastLines(plog(), 60))
				}
			})
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

// TestProductNginxWebServerAsProxy gives a plain nginx web server as the proxy: it is not a forward
// proxy, for the https rows (CONNECT refused) and the plain-HTTP rows (its own pages) alike. It resolves
// nothing, so the origin's states do not apply to it.
func TestProductNginxWebServerAsProxy(t *testing.T) {
	t.Parallel()
	e := newProductEnv(t, stateUp)
	p := testnet.StartNginxWebServer(t)
	pr := e.run(t, "nginx-web-server", "", "--proxy", p.URL("", ""))
	for _, res := range pr.doc.Results {
		expectRow(t, pr, res, rowWant{classes: []probe.Class{probe.ClassProxyNotAProxy}, hintAny: []string{p.Addr}})
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
		expectRow(t, pr, res, rowWant{classes: []probe.Class{probe.ClassProxySchemeMismatch}, hintAny: []string{"socks5h://" + p.Addr}})
	}
	expectExit(t, pr, 1)
}
