package testnet

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
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

var productStates = []struct{ state, host string }{
	{"up", upHost}, {"down", downHost}, {"nx", nxHost}, {"blocked", blockedHost},
}

// productLab starts a lab origin and the options every product test shares.
func productLab(t *testing.T) (*Lab, ProductOptions) {
	t.Helper()
	lab := NewLab(t, LabOptions{})
	return lab, ProductOptions{
		Hosts: map[string]string{upHost: lab.IP, downHost: RandomLoopback(), blockedHost: lab.IP},
		Block: []string{blockedHost},
		// An inspection CA a client trusts, as enterprises deploy theirs.
		CA:         NewCA(t, "Arccheck Test Inspection CA", "Contoso Proxy"),
		UpstreamCA: lab.CA,
	}
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
	// OriginTLS and OriginHTTP count the connections the lab accepted during the request.
	OriginTLS, OriginHTTP int64
}

// code is the status code of a status line ("HTTP/1.1 403 Forbidden" → 403), 0 when none.
func code(line string) int {
	var proto string
	var c int
	fmt.Sscanf(line, "%s %d", &proto, &c)
	return c
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
	fmt.Fprintf(&b, "(origin saw tls+%d http+%d)", a.OriginTLS, a.OriginHTTP)
	return b.String()
}

// headers renders the distinctive headers of h (all but Date), sorted.
func headers(h http.Header) string {
	var out []string
	for k, v := range h {
		if k == "Date" {
			continue
		}
		val := strings.Join(v, ", ")
		if len(val) > 80 {
			val = val[:80] + "…"
		}
		out = append(out, k+": "+val)
	}
	sort.Strings(out)
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

// counted runs f and records how many connections the lab accepted meanwhile.
func counted(lab *Lab, f func(a *answer)) answer {
	tls0, http0 := lab.HTTPS.Accepted.Load(), lab.HTTP.Accepted.Load()
	var a answer
	f(&a)
	time.Sleep(20 * time.Millisecond) // let the lab's accept loop count a connection just made
	a.OriginTLS, a.OriginHTTP = lab.HTTPS.Accepted.Load()-tls0, lab.HTTP.Accepted.Load()-http0
	return a
}

// viaHTTPProxy asks an HTTP proxy at addr for host: kind "https" is CONNECT host:443 then TLS and a GET
// inside, "http" an absolute-form GET http://host/.
func viaHTTPProxy(lab *Lab, addr, kind, host, user, password string, roots *x509.CertPool) answer {
	return counted(lab, func(a *answer) {
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
func viaSOCKS(lab *Lab, addr, kind, host string, roots *x509.CertPool) answer {
	return counted(lab, func(a *answer) {
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
func direct(lab *Lab, ip, kind, host string, roots *x509.CertPool) answer {
	return counted(lab, func(a *answer) {
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

// matrix asks ask for every state and kind, logs the answers and returns them by "state/kind".
func matrix(t *testing.T, p interface{ Log() string }, ask func(kind, host string) answer) map[string]answer {
	t.Helper()
	out := map[string]answer{}
	for _, s := range productStates {
		for _, kind := range []string{"https", "http"} {
			a := ask(kind, s.host)
			out[s.state+"/"+kind] = a
			t.Logf("%-8s %-5s %s", s.state, kind, a)
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("product log:\n%s", tail(p.Log(), 60))
		}
	})
	return out
}

type productLog struct{ p *Product }

func (l productLog) Log() string { return l.p.Log() }

type squidLog struct{ s *Squid }

func (l squidLog) Log() string { return l.s.AccessLog() }

// expect checks the CONNECT (or SOCKS) answer and the answer inside or to the absolute-form request:
// 0 means "none" (no such answer), -1 "any".
func expect(t *testing.T, rows map[string]answer, key string, connect, status int) {
	t.Helper()
	a, ok := rows[key]
	if !ok {
		t.Fatalf("no row %s", key)
	}
	if connect >= 0 && code(a.Connect) != connect && !(strings.HasPrefix(a.Connect, "SOCKS5") && connect == socksCode(a.Connect)) {
		t.Errorf("%s: CONNECT answer %q, want %d", key, a.Connect, connect)
	}
	if status >= 0 && code(a.Status) != status {
		t.Errorf("%s: answer %q (%s), want %d", key, a.Status, a.Err, status)
	}
}

// expectHeader checks that the answer (inside the tunnel, or to the CONNECT) of a row has a header.
func expectHeader(t *testing.T, rows map[string]answer, key, header string) {
	t.Helper()
	a := rows[key]
	if !strings.Contains(a.Hdrs, header) && !strings.Contains(a.ConnectHdrs, header) {
		t.Errorf("%s: no %q in %s", key, header, a)
	}
}

func socksCode(s string) int {
	var c int
	fmt.Sscanf(s, "SOCKS5 reply %d", &c)
	return c
}

// expectOrigin checks whether the lab saw the request of a row.
func expectOrigin(t *testing.T, rows map[string]answer, key string, saw bool) {
	t.Helper()
	a := rows[key]
	if got := a.OriginTLS+a.OriginHTTP > 0; got != saw {
		t.Errorf("%s: origin saw a connection: %v, want %v (%s)", key, got, saw, a)
	}
}

// trusted is the pool a client of the products trusts: the lab's CA (public roots) and the inspection CA.
func trusted(lab *Lab, o ProductOptions) *x509.CertPool {
	p := lab.CA.Pool()
	if o.CA != nil {
		p.AddCert(o.CA.Cert)
	}
	return p
}

// authRows asks for up through an auth-requiring proxy with no, wrong and right credentials.
func authRows(t *testing.T, lab *Lab, addr string, roots *x509.CertPool) map[string]answer {
	t.Helper()
	out := map[string]answer{}
	for _, cred := range []struct{ name, user, pw string }{{"nocreds", "", ""}, {"wrongcreds", "alice", "wrong"}, {"rightcreds", "alice", "s3cret"}} {
		for _, kind := range []string{"https", "http"} {
			a := viaHTTPProxy(lab, addr, kind, upHost, cred.user, cred.pw, roots)
			out[cred.name+"/"+kind] = a
			t.Logf("%-10s %-5s %s", cred.name, kind, a)
		}
	}
	return out
}

var productUsers = map[string]string{"alice": "s3cret"}

func TestProductMitmproxy(t *testing.T) {
	t.Parallel()
	for _, lazy := range []bool{false, true} {
		t.Run(fmt.Sprintf("lazy=%v", lazy), func(t *testing.T) {
			lab, o := productLab(t)
			o.Lazy = lazy
			p := StartMitmproxy(t, o)
			roots := trusted(lab, o)
			rows := matrix(t, productLog{p}, func(kind, host string) answer {
				return viaHTTPProxy(lab, p.Addr, kind, host, "", "", roots)
			})
			expect(t, rows, "up/https", 200, 200)
			expect(t, rows, "up/http", 0, 200)
			expectOrigin(t, rows, "up/https", true)
			expect(t, rows, "blocked/http", 0, 403)
			expectOrigin(t, rows, "blocked/http", false)
			// The block list sees the request inside the intercepted tunnel, not the CONNECT.
			expect(t, rows, "blocked/https", 200, 403)
			expect(t, rows, "down/http", 0, 502)
			expect(t, rows, "nx/http", 0, 502)
			if lazy { // TLS with the client first, then mitmproxy's 502 page inside
				expect(t, rows, "down/https", 200, 502)
				expect(t, rows, "nx/https", 200, 502)
			} else { // the CONNECT itself fails
				expect(t, rows, "down/https", 502, 0)
				expect(t, rows, "nx/https", 502, 0)
			}
			if !strings.Contains(rows["up/https"].TLS, "Arccheck Test Inspection CA") {
				t.Errorf("up/https: TLS %s, want a certificate re-signed by the inspection CA", rows["up/https"].TLS)
			}
		})
	}
}

func TestProductTinyproxy(t *testing.T) {
	t.Parallel()
	lab, o := productLab(t)
	roots := trusted(lab, o)
	p := StartTinyproxy(t, o)
	rows := matrix(t, productLog{p}, func(kind, host string) answer {
		return viaHTTPProxy(lab, p.Addr, kind, host, "", "", roots)
	})
	expect(t, rows, "up/https", 200, 200)
	expect(t, rows, "up/http", 0, 200)
	expectOrigin(t, rows, "up/https", true)
	expect(t, rows, "blocked/https", 403, 0)
	expect(t, rows, "blocked/http", 0, 403)
	expectOrigin(t, rows, "blocked/https", false)
	expect(t, rows, "down/https", 500, 0)
	expect(t, rows, "nx/https", 500, 0)
	expect(t, rows, "down/http", 0, 500)
	expect(t, rows, "nx/http", 0, 500)

	o.Users = productUsers
	pa := StartTinyproxy(t, o)
	auth := authRows(t, lab, pa.Addr, roots)
	expect(t, auth, "nocreds/https", 407, 0)
	expect(t, auth, "nocreds/http", 0, 407)
	// tinyproxy answers wrong credentials 401 with WWW-Authenticate, not 407.
	expect(t, auth, "wrongcreds/https", 401, 0)
	expect(t, auth, "wrongcreds/http", 0, 401)
	expect(t, auth, "rightcreds/https", 200, 200)
	expect(t, auth, "rightcreds/http", 0, 200)
}

func TestProductPrivoxy(t *testing.T) {
	t.Parallel()
	lab, o := productLab(t)
	roots := trusted(lab, o)
	p := StartPrivoxy(t, o)
	rows := matrix(t, productLog{p}, func(kind, host string) answer {
		return viaHTTPProxy(lab, p.Addr, kind, host, "", "", roots)
	})
	expect(t, rows, "up/https", 200, 200)
	expect(t, rows, "up/http", 0, 200)
	expectOrigin(t, rows, "up/https", true)
	expect(t, rows, "blocked/https", 403, 0)
	expect(t, rows, "blocked/http", 0, 403)
	expectOrigin(t, rows, "blocked/https", false)
	expect(t, rows, "down/https", 503, 0)
	expect(t, rows, "down/http", 0, 503)
	expect(t, rows, "nx/https", 404, 0)
	expect(t, rows, "nx/http", 0, 404)
}

func TestProductApache(t *testing.T) {
	t.Parallel()
	lab, o := productLab(t)
	roots := trusted(lab, o)
	p := StartApacheProxy(t, o)
	rows := matrix(t, productLog{p}, func(kind, host string) answer {
		return viaHTTPProxy(lab, p.Addr, kind, host, "", "", roots)
	})
	expect(t, rows, "up/https", 200, 200)
	expect(t, rows, "up/http", 0, 200)
	expectOrigin(t, rows, "up/https", true)
	expect(t, rows, "blocked/https", 403, 0)
	expect(t, rows, "blocked/http", 0, 403)
	expectOrigin(t, rows, "blocked/https", false)
	expect(t, rows, "down/https", 503, 0)
	expect(t, rows, "down/http", 0, 503)
	expect(t, rows, "nx/https", 502, 0)
	expect(t, rows, "nx/http", 0, 500)

	o.Users = productUsers
	pa := StartApacheProxy(t, o)
	auth := authRows(t, lab, pa.Addr, roots)
	expect(t, auth, "nocreds/https", 407, 0)
	expect(t, auth, "wrongcreds/https", 407, 0)
	expect(t, auth, "rightcreds/https", 200, 200)
	expect(t, auth, "rightcreds/http", 0, 200)
}

func TestProductDante(t *testing.T) {
	t.Parallel()
	lab, o := productLab(t)
	roots := trusted(lab, o)
	p := StartDante(t, o)
	if !strings.HasPrefix(p.URL("", ""), "socks5h://") {
		t.Errorf("URL %s", p.URL("", ""))
	}
	rows := matrix(t, productLog{p}, func(kind, host string) answer {
		return viaSOCKS(lab, p.Addr, kind, host, roots)
	})
	expect(t, rows, "up/https", 0, 200) // SOCKS reply 0: succeeded
	expect(t, rows, "up/http", 0, 200)
	expectOrigin(t, rows, "up/https", true)
	expect(t, rows, "down/https", 5, 0)
	expect(t, rows, "nx/https", 4, 0)
	expect(t, rows, "blocked/https", 2, 0)
	expectOrigin(t, rows, "blocked/https", false)
}

func TestProductNginxInspector(t *testing.T) {
	t.Parallel()
	lab, o := productLab(t)
	roots := trusted(lab, o)
	p := StartNginxInspector(t, o)
	rows := matrix(t, productLog{p}, func(kind, host string) answer {
		return direct(lab, p.IP(), kind, host, roots)
	})
	expect(t, rows, "up/https", 0, 200)
	expect(t, rows, "up/http", 0, 200)
	expectOrigin(t, rows, "up/https", true)
	expect(t, rows, "blocked/https", 0, 403)
	expectOrigin(t, rows, "blocked/https", false)
	expect(t, rows, "nx/https", 0, 502)
	expect(t, rows, "down/https", 0, 502)
	expect(t, rows, "blocked/http", 0, 403)
	expect(t, rows, "nx/http", 0, 502)
	expect(t, rows, "down/http", 0, 502)
}

func TestProductHAProxyInspector(t *testing.T) {
	t.Parallel()
	lab, o := productLab(t)
	roots := trusted(lab, o)
	p := StartHAProxyInspector(t, o)
	rows := matrix(t, productLog{p}, func(kind, host string) answer {
		return direct(lab, p.IP(), kind, host, roots)
	})
	expect(t, rows, "up/https", 0, 200)
	expect(t, rows, "up/http", 0, 200)
	expectOrigin(t, rows, "up/https", true)
	expect(t, rows, "blocked/https", 0, 403)
	expectOrigin(t, rows, "blocked/https", false)
	expect(t, rows, "nx/https", 0, 503)
	expect(t, rows, "down/https", 0, 503)
	expect(t, rows, "blocked/http", 0, 403)
	expect(t, rows, "nx/http", 0, 503)
	expect(t, rows, "down/http", 0, 503)
}

func TestProductNginxWebServer(t *testing.T) {
	t.Parallel()
	lab, o := productLab(t)
	roots := trusted(lab, o)
	p := StartNginxWebServer(t)
	rows := matrix(t, productLog{p}, func(kind, host string) answer {
		return viaHTTPProxy(lab, p.Addr, kind, host, "", "", roots)
	})
	expect(t, rows, "up/http", 0, 200)
	expectOrigin(t, rows, "up/http", false)
	expect(t, rows, "up/https", 400, 0)
	if !strings.Contains(rows["up/http"].Body, "Welcome to nginx") {
		t.Errorf("up/http: body %q, want the welcome page", rows["up/http"].Body)
	}
}

func TestProductSquidBump(t *testing.T) {
	t.Parallel()
	lab, o := productLab(t)
	roots := trusted(lab, o)
	s := StartSquid(t, SquidOptions{Allow: []string{upHost, downHost, nxHost}, Hosts: o.Hosts, Bump: o.CA, UpstreamCA: lab.CA})
	rows := matrix(t, squidLog{s}, func(kind, host string) answer {
		return viaHTTPProxy(lab, s.Addr, kind, host, "", "", roots)
	})
	expect(t, rows, "up/https", 200, 200)
	expect(t, rows, "up/http", 0, 200)
	expectOrigin(t, rows, "up/https", true)
	expect(t, rows, "blocked/http", 0, 403)
	expect(t, rows, "blocked/https", 200, 403)
	expectHeader(t, rows, "blocked/https", "X-Squid-Error: ERR_ACCESS_DENIED")
	expect(t, rows, "down/https", 200, 503)
	expectHeader(t, rows, "down/https", "X-Squid-Error: ERR_CONNECT_FAIL")
	expect(t, rows, "nx/https", 200, 502)

	sa := StartSquid(t, SquidOptions{Hosts: o.Hosts, Users: productUsers})
	auth := authRows(t, lab, sa.Addr, roots)
	expect(t, auth, "nocreds/https", 407, 0)
	expect(t, auth, "wrongcreds/https", 407, 0)
	expect(t, auth, "rightcreds/https", 200, 200)
}

// restartSquidWith restarts a squid that StartSquid started with its ssl_bump rules replaced by bump, to
// observe the bumping variants that SquidOptions does not offer yet.
func restartSquidWith(t *testing.T, s *Squid, bump string) {
	t.Helper()
	conf := filepath.Join(s.Dir, "squid.conf")
	data, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	old := "acl step1 at_step SslBump1\nssl_bump peek step1\nssl_bump bump all\n"
	if !strings.Contains(string(data), old) {
		t.Fatalf("no ssl_bump rules in %s", data)
	}
	write(t, conf, strings.Replace(string(data), old, bump, 1))
	s.Kill()
	_, port, _ := net.SplitHostPort(s.Addr)
	bin := RequireBinary(t, "squid", "squid-openssl")
	daemon(t, "squid", s.Addr, filepath.Join(s.Dir, "cache.log"),
		exec.Command(bin, "-N", "-n", "arccheck"+port, "-f", conf))
}

func TestProductSquidVariants(t *testing.T) {
	t.Parallel()
	for _, v := range []struct{ name, bump string }{
		{"plain", ""},
		{"bump-step1", "ssl_bump bump all\n"},
		{"stare-step2-bump", "acl step1 at_step SslBump1\nacl step2 at_step SslBump2\nssl_bump peek step1\nssl_bump stare step2\nssl_bump bump all\n"},
	} {
		t.Run(v.name, func(t *testing.T) {
			lab, o := productLab(t)
			roots := trusted(lab, o)
			so := SquidOptions{Allow: []string{upHost, downHost, nxHost}, Hosts: o.Hosts, UpstreamCA: lab.CA}
			if v.bump != "" {
				so.Bump = o.CA
			}
			s := StartSquid(t, so)
			if v.bump != "" {
				restartSquidWith(t, s, v.bump)
			}
			rows := matrix(t, squidLog{s}, func(kind, host string) answer {
				return viaHTTPProxy(lab, s.Addr, kind, host, "", "", roots)
			})
			t.Logf("access.log:\n%s", s.AccessLog())
			expect(t, rows, "up/https", 200, 200)
			expect(t, rows, "up/http", 0, 200)
			expectOrigin(t, rows, "up/https", true)
			expect(t, rows, "blocked/http", 0, 403)
			expect(t, rows, "down/http", 0, 503)
			expectHeader(t, rows, "down/http", "X-Squid-Error: ERR_CONNECT_FAIL")
			expect(t, rows, "nx/http", 0, 502)
			if v.bump == "" {
				expect(t, rows, "down/https", 503, 0)
				expect(t, rows, "nx/https", 500, 0)
				expectHeader(t, rows, "nx/https", "X-Squid-Error: ERR_CANNOT_FORWARD")
				expect(t, rows, "blocked/https", 403, 0)
			} else {
				expect(t, rows, "down/https", 200, 503)
				expect(t, rows, "nx/https", 200, 502)
				expect(t, rows, "blocked/https", 200, 403)
			}
		})
	}
}
