package testnet

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The names every product test maps: up reaches the lab, down an address where nothing listens, nx is
// unknown to the product, blocked reaches the lab but the product's policy refuses it.
const (
	upHost      = "up.example.test"
	downHost    = "down.example.test"
	nxHost      = "nx.example.test"
	blockedHost = "blocked.example.test"
)

// productEnv is a product test's lab, the options every product test shares and the roots its client
// trusts: the lab's CA (the public roots) and the inspection CA, as enterprises deploy theirs.
type productEnv struct {
	lab   *Lab
	o     ProductOptions
	roots *x509.CertPool
}

func newProductEnv(t *testing.T) productEnv {
	t.Helper()
	lab := NewLab(t, LabOptions{})
	o := ProductOptions{
		Hosts:      map[string]string{upHost: lab.IP, downHost: RandomLoopback(), blockedHost: lab.IP},
		Block:      []string{blockedHost},
		CA:         NewCA(t, "Arccheck Test Inspection CA", "Contoso Proxy"),
		UpstreamCA: lab.CA,
	}
	roots := lab.CA.Pool()
	roots.AddCert(o.CA.Cert)
	return productEnv{lab: lab, o: o, roots: roots}
}

// answer is what a client saw for one request through a product.
type answer struct {
	// Connect is the CONNECT status line (or the SOCKS reply); empty when there was none.
	Connect     string
	ConnectHdrs string
	// TLS is how the handshake inside the tunnel (or with the box) went and whose certificate it had.
	TLS    string
	Status string
	Hdrs   string
	Body   string
	Err    string
	// OriginTLS and OriginHTTP count the connections the lab accepted during the request; Requests the
	// requests for the host it answered.
	OriginTLS, OriginHTTP int64
	Requests              int
}

// code is the status code of a status line ("HTTP/1.1 403 Forbidden" → 403), 0 when none.
func code(line string) int {
	var proto string
	var c int
	fmt.Sscanf(line, "%s %d", &proto, &c)
	return c
}

// connectCode is the answer to the CONNECT as a row states it: its status ("403"), the SOCKS reply
// ("socks 2"), or "" when there was none.
func (a answer) connectCode() string {
	if reply, ok := strings.CutPrefix(a.Connect, "SOCKS5 reply "); ok {
		n, _, _ := strings.Cut(reply, " ")
		return "socks " + n
	}
	if a.Connect == "" {
		return ""
	}
	return strconv.Itoa(code(a.Connect))
}

func (a answer) String() string {
	var b strings.Builder
	if a.Connect != "" {
		fmt.Fprintf(&b, "CONNECT→ %q [%s] ", a.Connect, a.ConnectHdrs)
	}
	if a.TLS != "" {
		fmt.Fprintf(&b, "TLS: %s ", a.TLS)
	}
	if a.Status != "" {
		fmt.Fprintf(&b, "→ %q [%s] body %q ", a.Status, a.Hdrs, a.Body)
	} else if a.Body != "" {
		fmt.Fprintf(&b, "body %q ", a.Body)
	}
	if a.Err != "" {
		fmt.Fprintf(&b, "ERR: %s ", a.Err)
	}
	fmt.Fprintf(&b, "(origin saw tls+%d http+%d, answered %d requests)", a.OriginTLS, a.OriginHTTP, a.Requests)
	return b.String()
}

// headers renders the distinctive headers of h (all but Date), sorted.
func headers(h http.Header) string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(h)) {
		if k == "Date" {
			continue
		}
		val := strings.Join(h[k], ", ")
		if len(val) > 80 {
			val = val[:80] + "…"
		}
		out = append(out, k+": "+val)
	}
	return strings.Join(out, "; ")
}

// readAnswer reads an HTTP response into a.
func readAnswer(a *answer, br *bufio.Reader, method string) {
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		a.Err = "reading the answer: " + err.Error()
		return
	}
	defer resp.Body.Close()
	a.Status = resp.Proto + " " + resp.Status
	a.Hdrs = headers(resp.Header)
	body := make([]byte, 200)
	n, _ := io.ReadFull(resp.Body, body)
	a.Body = string(body[:n])
}

// bufConn reads what a bufio.Reader already holds before reading the connection.
type bufConn struct {
	net.Conn
	r *bufio.Reader
}

func (c bufConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// tlsInside shakes hands with host over c, accepting any certificate but telling whose it is and whether
// roots trust it, then sends GET / and reads the answer.
func tlsInside(a *answer, c net.Conn, host string, roots *x509.CertPool) {
	tc := tls.Client(c, &tls.Config{ServerName: host, InsecureSkipVerify: true})
	if err := tc.Handshake(); err != nil {
		a.TLS = "failed: " + err.Error()
		return
	}
	certs := tc.ConnectionState().PeerCertificates
	leaf := certs[0]
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	verdict := "trusted"
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: roots, Intermediates: inter}); err != nil {
		verdict = "UNTRUSTED (" + err.Error() + ")"
	}
	a.TLS = fmt.Sprintf("ok, cert issued by %q, %s", leaf.Issuer.CommonName, verdict)
	fmt.Fprintf(tc, "GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: arccheck-test\r\nConnection: close\r\n\r\n", host)
	readAnswer(a, bufio.NewReader(tc), "GET")
}

// proxyAuth is a Proxy-Authorization header line, or nothing when user is empty.
func proxyAuth(user, password string) string {
	if user == "" {
		return ""
	}
	return "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password)) + "\r\n"
}

// counted runs f, a request for host, and records the connections the lab accepted and the requests for
// host it answered meanwhile.
func counted(t *testing.T, lab *Lab, host string, f func(a *answer)) answer {
	t.Helper()
	tls0, http0, req0 := lab.HTTPS.Accepted.Load(), lab.HTTP.Accepted.Load(), lab.Requests(host)
	var a answer
	f(&a)
	lab.Settle(t)
	a.OriginTLS, a.OriginHTTP = lab.HTTPS.Accepted.Load()-tls0, lab.HTTP.Accepted.Load()-http0
	a.Requests = lab.Requests(host) - req0
	return a
}

// viaHTTPProxy asks an HTTP proxy at addr for host: kind "https" is CONNECT host:443 then TLS and a GET
// inside, "http" an absolute-form GET http://host/.
func viaHTTPProxy(t *testing.T, lab *Lab, addr, kind, host, user, password string, roots *x509.CertPool) answer {
	return counted(t, lab, host, func(a *answer) {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			a.Err = err.Error()
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		br := bufio.NewReader(c)
		if kind == "http" {
			fmt.Fprintf(c, "GET http://%s/ HTTP/1.1\r\nHost: %s\r\nUser-Agent: arccheck-test\r\n%sConnection: close\r\n\r\n",
				host, host, proxyAuth(user, password))
			readAnswer(a, br, "GET")
			return
		}
		fmt.Fprintf(c, "CONNECT %s:443 HTTP/1.1\r\nHost: %s:443\r\nUser-Agent: arccheck-test\r\n%s\r\n", host, host, proxyAuth(user, password))
		resp, err := http.ReadResponse(br, &http.Request{Method: "CONNECT"})
		if err != nil {
			a.Err = "reading the CONNECT answer: " + err.Error()
			return
		}
		a.Connect, a.ConnectHdrs = resp.Proto+" "+resp.Status, headers(resp.Header)
		if resp.StatusCode != 200 {
			body := make([]byte, 200)
			n, _ := io.ReadFull(resp.Body, body)
			a.Body = string(body[:n])
			return
		}
		tlsInside(a, bufConn{c, br}, host, roots)
	})
}

// viaSOCKS asks a SOCKS5 server at addr (no authentication) for host by name, then speaks TLS
// (kind "https", port 443) or plain HTTP (kind "http", port 80) through it.
func viaSOCKS(t *testing.T, lab *Lab, addr, kind, host string, roots *x509.CertPool) answer {
	return counted(t, lab, host, func(a *answer) {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			a.Err = err.Error()
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		c.Write([]byte{5, 1, 0})
		greet := make([]byte, 2)
		if _, err := io.ReadFull(c, greet); err != nil {
			a.Err = "greeting: " + err.Error()
			return
		}
		port := uint16(443)
		if kind == "http" {
			port = 80
		}
		req := append([]byte{5, 1, 0, 3, byte(len(host))}, host...)
		req = binary.BigEndian.AppendUint16(req, port)
		c.Write(req)
		head := make([]byte, 4)
		if _, err := io.ReadFull(c, head); err != nil {
			a.Err = "SOCKS reply: " + err.Error()
			return
		}
		a.Connect = fmt.Sprintf("SOCKS5 reply %d (%s)", head[1], socksReplies[head[1]])
		skip := map[byte]int{1: 4 + 2, 4: 16 + 2}[head[3]]
		if head[3] == 3 {
			l := make([]byte, 1)
			io.ReadFull(c, l)
			skip = int(l[0]) + 2
		}
		io.ReadFull(c, make([]byte, skip))
		if head[1] != 0 {
			return
		}
		if kind == "http" {
			fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: arccheck-test\r\nConnection: close\r\n\r\n", host)
			readAnswer(a, bufio.NewReader(c), "GET")
			return
		}
		tlsInside(a, c, host, roots)
	})
}

var socksReplies = map[byte]string{0: "succeeded", 1: "general failure", 2: "not allowed by ruleset",
	3: "network unreachable", 4: "host unreachable", 5: "connection refused", 6: "TTL expired",
	7: "command not supported", 8: "address type not supported"}

// direct talks to a box a client is pointed at (--resolve host:443:ip): TLS with SNI host on ip:443
// and a GET (kind "https"), or a GET with Host: host on ip:80 (kind "http").
func direct(t *testing.T, lab *Lab, ip, kind, host string, roots *x509.CertPool) answer {
	return counted(t, lab, host, func(a *answer) {
		port := "443"
		if kind == "http" {
			port = "80"
		}
		c, err := net.DialTimeout("tcp", net.JoinHostPort(ip, port), 5*time.Second)
		if err != nil {
			a.Err = err.Error()
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		if kind == "http" {
			fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: arccheck-test\r\nConnection: close\r\n\r\n", host)
			readAnswer(a, bufio.NewReader(c), "GET")
			return
		}
		tlsInside(a, c, host, roots)
	})
}

// origin is what the lab saw of one request through a product.
type origin int

const (
	untouched origin = iota // no connection, no request
	connected               // connections (the product went upstream before its policy answered), no request
	served                  // it answered the request for the host
)

var originWords = [...]string{untouched: "untouched", connected: "connected to, no request", served: "served"}

func (o origin) String() string { return originWords[o] }

// row is what one request through a product must get.
type row struct {
	// connect is the answer to the CONNECT: its status ("403") or the SOCKS reply ("socks 2"); "" for none.
	connect string
	// status is the answer's status, inside the tunnel or to the request; 0 for none.
	status int
	// origin is what the lab saw of the request.
	origin origin
	// tls, header and body, when set, are what the handshake inside the tunnel (or with the box) said, a
	// header of the answer (or of the CONNECT's), and a piece of the answer's body.
	tls, header, body string
}

// The certificates a client of the products sees: the origin's own, or one the inspection CA re-signed.
const (
	endToEnd  = `cert issued by "Lab Public Root", trusted`
	inspected = `cert issued by "Arccheck Test Inspection CA", trusted`
)

func (w row) check(t *testing.T, key string, a answer) {
	t.Helper()
	if got := a.connectCode(); got != w.connect {
		t.Errorf("%s: CONNECT answer %q, want %q", key, a.Connect, w.connect)
	}
	if got := code(a.Status); got != w.status {
		t.Errorf("%s: answer %q (%s), want %d", key, a.Status, a.Err, w.status)
	}
	if !strings.Contains(a.TLS, w.tls) {
		t.Errorf("%s: TLS %q, want %q", key, a.TLS, w.tls)
	}
	if w.header != "" && !strings.Contains(a.Hdrs, w.header) && !strings.Contains(a.ConnectHdrs, w.header) {
		t.Errorf("%s: no %q in %s", key, w.header, a)
	}
	if !strings.Contains(a.Body, w.body) {
		t.Errorf("%s: body %q, want %q in it", key, a.Body, w.body)
	}
	saw := untouched
	switch {
	case a.Requests > 0:
		saw = served
	case a.OriginTLS+a.OriginHTTP > 0:
		saw = connected
	}
	if saw != w.origin {
		t.Errorf("%s: origin %s, want %s (%s)", key, saw, w.origin, a)
	}
}

// rowRequests are what the rows ask for: the key's part before the slash names the host and the
// credentials; after it comes the kind ("https": CONNECT, or the box's port 443, then TLS and a GET;
// "http": a plain GET).
var rowRequests = map[string]struct{ host, user, password string }{
	"up": {upHost, "", ""}, "down": {downHost, "", ""}, "nx": {nxHost, "", ""}, "blocked": {blockedHost, "", ""},
	// The authentication rows ask for up with no, wrong and right credentials.
	"nocreds": {upHost, "", ""}, "wrongcreds": {upHost, "alice", "wrong"}, "rightcreds": {upHost, "alice", "s3cret"},
}

var productUsers = map[string]string{"alice": "s3cret"}

// asker asks for host through a product: kind "https" or "http", with credentials when user is set.
type asker func(t *testing.T, kind, host, user, password string) answer

// starter starts a product for a test's env and returns how to ask through it and its log.
type starter func(t *testing.T, e productEnv) (asker, func() string)

// httpProxy starts an HTTP forward proxy with the env's options, shaped by shape.
func httpProxy(start func(testing.TB, ProductOptions) *Product, shape ...func(*ProductOptions)) starter {
	return func(t *testing.T, e productEnv) (asker, func() string) {
		for _, f := range shape {
			f(&e.o)
		}
		p := start(t, e.o)
		return func(t *testing.T, kind, host, user, password string) answer {
			return viaHTTPProxy(t, e.lab, p.Addr, kind, host, user, password, e.roots)
		}, p.Log
	}
}

func withUsers(o *ProductOptions) { o.Users = productUsers }

func lazy(o *ProductOptions) { o.Lazy = true }

// dante starts dante, whose URL must be socks5h://, and asks through it by name.
func dante(t *testing.T, e productEnv) (asker, func() string) {
	p := StartDante(t, e.o)
	if !strings.HasPrefix(p.URL("", ""), "socks5h://") {
		t.Errorf("URL %s, want socks5h://", p.URL("", ""))
	}
	return func(t *testing.T, kind, host, _, _ string) answer {
		return viaSOCKS(t, e.lab, p.Addr, kind, host, e.roots)
	}, p.Log
}

// box starts a TLS-terminating box and asks it directly, as a client pointed at it.
func box(start func(testing.TB, ProductOptions) *Product) starter {
	return func(t *testing.T, e productEnv) (asker, func() string) {
		p := start(t, e.o)
		return func(t *testing.T, kind, host, _, _ string) answer {
			return direct(t, e.lab, p.IP(), kind, host, e.roots)
		}, p.Log
	}
}

// webServer starts nginx serving files, asked as if it were a proxy.
func webServer(t *testing.T, e productEnv) (asker, func() string) {
	p := StartNginxWebServer(t)
	return func(t *testing.T, kind, host, user, password string) answer {
		return viaHTTPProxy(t, e.lab, p.Addr, kind, host, user, password, e.roots)
	}, p.Log
}

// squid starts squid allowing every name but the blocked one, shaped by shape.
func squid(shape func(e productEnv, so *SquidOptions)) starter {
	return func(t *testing.T, e productEnv) (asker, func() string) {
		so := SquidOptions{Allow: []string{upHost, downHost, nxHost}, Hosts: e.o.Hosts, UpstreamCA: e.lab.CA}
		shape(e, &so)
		s := StartSquid(t, so)
		return func(t *testing.T, kind, host, user, password string) answer {
			return viaHTTPProxy(t, e.lab, s.Addr, kind, host, user, password, e.roots)
		}, s.AccessLog
	}
}

func bumping(mode SquidBumpMode) func(productEnv, *SquidOptions) {
	return func(e productEnv, so *SquidOptions) { so.Bump, so.BumpMode = e.o.CA, mode }
}

// The rows of squid's bumping modes, which answer alike.
var squidBumped = map[string]row{
	"up/https":      {connect: "200", status: 200, origin: served, tls: inspected},
	"up/http":       {status: 200, origin: served},
	"down/https":    {connect: "200", status: 503, tls: inspected, header: "X-Squid-Error: ERR_CONNECT_FAIL"},
	"down/http":     {status: 503, header: "X-Squid-Error: ERR_CONNECT_FAIL"},
	"nx/https":      {connect: "200", status: 502, tls: inspected},
	"nx/http":       {status: 502},
	"blocked/https": {connect: "200", status: 403, tls: inspected, header: "X-Squid-Error: ERR_ACCESS_DENIED"},
	"blocked/http":  {status: 403},
}

// The rows of a proxy that answers 407 to no and to wrong credentials.
var authRequired = map[string]row{
	"nocreds/https":    {connect: "407"},
	"nocreds/http":     {status: 407},
	"wrongcreds/https": {connect: "407"},
	"wrongcreds/http":  {status: 407},
	"rightcreds/https": {connect: "200", status: 200, origin: served, tls: endToEnd},
	"rightcreds/http":  {status: 200, origin: served},
}

// productTests are the products and what each row through them must get.
var productTests = []struct {
	name  string
	start starter
	rows  map[string]row
}{
	{"mitmproxy-eager", httpProxy(StartMitmproxy), map[string]row{
		"up/https": {connect: "200", status: 200, origin: served, tls: inspected},
		"up/http":  {status: 200, origin: served},
		// The CONNECT itself fails.
		"down/https": {connect: "502"},
		"down/http":  {status: 502},
		"nx/https":   {connect: "502"},
		"nx/http":    {status: 502},
		// The block list sees the request inside the intercepted tunnel, not the CONNECT, and eager
		// mitmproxy has connected upstream by then.
		"blocked/https": {connect: "200", status: 403, origin: connected, tls: inspected},
		"blocked/http":  {status: 403},
	}},
	{"mitmproxy-lazy", httpProxy(StartMitmproxy, lazy), map[string]row{
		"up/https": {connect: "200", status: 200, origin: served, tls: inspected},
		"up/http":  {status: 200, origin: served},
		// TLS with the client first, then mitmproxy's 502 page inside.
		"down/https": {connect: "200", status: 502, tls: inspected},
		"down/http":  {status: 502},
		"nx/https":   {connect: "200", status: 502, tls: inspected},
		"nx/http":    {status: 502},
		// Lazy or not, mitmproxy connects upstream before its block list answers the request inside.
		"blocked/https": {connect: "200", status: 403, origin: connected, tls: inspected},
		"blocked/http":  {status: 403},
	}},
	{"tinyproxy", httpProxy(StartTinyproxy), map[string]row{
		"up/https":      {connect: "200", status: 200, origin: served, tls: endToEnd},
		"up/http":       {status: 200, origin: served},
		"down/https":    {connect: "500"},
		"down/http":     {status: 500},
		"nx/https":      {connect: "500"},
		"nx/http":       {status: 500},
		"blocked/https": {connect: "403"},
		"blocked/http":  {status: 403},
	}},
	{"tinyproxy-auth", httpProxy(StartTinyproxy, withUsers), map[string]row{
		"nocreds/https": {connect: "407"},
		"nocreds/http":  {status: 407},
		// tinyproxy answers wrong credentials 401 with WWW-Authenticate, not 407.
		"wrongcreds/https": {connect: "401"},
		"wrongcreds/http":  {status: 401},
		"rightcreds/https": {connect: "200", status: 200, origin: served, tls: endToEnd},
		"rightcreds/http":  {status: 200, origin: served},
	}},
	{"privoxy", httpProxy(StartPrivoxy), map[string]row{
		"up/https":   {connect: "200", status: 200, origin: served, tls: endToEnd},
		"up/http":    {status: 200, origin: served},
		"down/https": {connect: "503"},
		"down/http":  {status: 503},
		// privoxy's "404 No such domain".
		"nx/https":      {connect: "404"},
		"nx/http":       {status: 404},
		"blocked/https": {connect: "403"},
		"blocked/http":  {status: 403},
	}},
	{"apache2", httpProxy(StartApacheProxy), map[string]row{
		"up/https":      {connect: "200", status: 200, origin: served, tls: endToEnd},
		"up/http":       {status: 200, origin: served},
		"down/https":    {connect: "503"},
		"down/http":     {status: 503},
		"nx/https":      {connect: "502"},
		"nx/http":       {status: 500},
		"blocked/https": {connect: "403"},
		"blocked/http":  {status: 403},
	}},
	{"apache2-auth", httpProxy(StartApacheProxy, withUsers), authRequired},
	{"dante", dante, map[string]row{
		"up/https":      {connect: "socks 0", status: 200, origin: served, tls: endToEnd},
		"up/http":       {connect: "socks 0", status: 200, origin: served},
		"down/https":    {connect: "socks 5"}, // connection refused
		"down/http":     {connect: "socks 5"},
		"nx/https":      {connect: "socks 4"}, // host unreachable
		"nx/http":       {connect: "socks 4"},
		"blocked/https": {connect: "socks 2"}, // not allowed by ruleset
		"blocked/http":  {connect: "socks 2"},
	}},
	{"nginx-inspector", box(StartNginxInspector), map[string]row{
		"up/https":      {status: 200, origin: served, tls: inspected},
		"up/http":       {status: 200, origin: served},
		"down/https":    {status: 502, tls: inspected},
		"down/http":     {status: 502},
		"nx/https":      {status: 502, tls: inspected},
		"nx/http":       {status: 502},
		"blocked/https": {status: 403, tls: inspected},
		"blocked/http":  {status: 403},
	}},
	{"haproxy-inspector", box(StartHAProxyInspector), map[string]row{
		"up/https":      {status: 200, origin: served, tls: inspected},
		"up/http":       {status: 200, origin: served},
		"down/https":    {status: 503, tls: inspected},
		"down/http":     {status: 503},
		"nx/https":      {status: 503, tls: inspected},
		"nx/http":       {status: 503},
		"blocked/https": {status: 403, tls: inspected},
		"blocked/http":  {status: 403},
	}},
	// A web server resolves nothing: one host tells all.
	{"nginx-web-server", webServer, map[string]row{
		"up/https": {connect: "400"},
		"up/http":  {status: 200, body: "Welcome to nginx"},
	}},
	{"squid", squid(func(productEnv, *SquidOptions) {}), map[string]row{
		"up/https":      {connect: "200", status: 200, origin: served, tls: endToEnd},
		"up/http":       {status: 200, origin: served},
		"down/https":    {connect: "503"},
		"down/http":     {status: 503, header: "X-Squid-Error: ERR_CONNECT_FAIL"},
		"nx/https":      {connect: "500", header: "X-Squid-Error: ERR_CANNOT_FORWARD"},
		"nx/http":       {status: 502},
		"blocked/https": {connect: "403"},
		"blocked/http":  {status: 403},
	}},
	{"squid-bump-peek", squid(bumping(SquidBumpPeek)), squidBumped},
	{"squid-bump-client-first", squid(bumping(SquidBumpClientFirst)), squidBumped},
	{"squid-bump-server-first", squid(bumping(SquidBumpServerFirst)), squidBumped},
	{"squid-auth", squid(func(_ productEnv, so *SquidOptions) { so.Allow, so.Users = nil, productUsers }), authRequired},
}

// TestProducts asks for every row of each product and checks the answers, and what the origin saw.
func TestProducts(t *testing.T) {
	t.Parallel()
	for _, pt := range productTests {
		t.Run(pt.name, func(t *testing.T) {
			t.Parallel()
			ask, log := pt.start(t, newProductEnv(t))
			LogOnFailure(t, pt.name, log)
			for _, key := range slices.Sorted(maps.Keys(pt.rows)) {
				asked, kind, _ := strings.Cut(key, "/")
				r := rowRequests[asked]
				a := ask(t, kind, r.host, r.user, r.password)
				t.Logf("%-16s %s", key, a)
				pt.rows[key].check(t, key, a)
			}
		})
	}
}
