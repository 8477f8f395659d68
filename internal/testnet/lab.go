package testnet

import (
	"crypto/tls"
	"maps"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// Lab stands in for Azure on one loopback address: a TLS server on port 443 that presents, for whatever
// name the client asks for (SNI), a certificate minted by the lab's CA, and a plain HTTP server on
// port 80. Tests point names at Lab.IP with --resolve, a DNS server or a proxy's hosts file. Both
// servers log the requests they answer, by host (see Requests).
type Lab struct {
	// IP is the lab's loopback address, 127.x.y.z (never 127.0.0.1, so parallel tests do not collide).
	IP string
	// CA signs the lab's certificates.
	CA    *CA
	HTTPS *Server
	HTTP  *Server

	mu       sync.Mutex
	requests map[string]int // host → requests answered
}

// LabOptions shape a lab.
type LabOptions struct {
	// CA signs the certificates; a new "Lab Public Root" (O=DigiCert Inc) when nil.
	CA *CA
	// Handler answers HTTPS requests; nil answers 200 with the evidence header to everything.
	Handler http.Handler
	// TLS bounds the versions offered (MinVersion, MaxVersion) and injects Delay.
	TLS TLSOptions
	// OnHello, if set, is called with the name (SNI) of every TLS ClientHello the lab receives, before
	// it answers: a readiness signal for a test that must act while a client's probe is under way.
	OnHello func(serverName string)
}

// NewLab starts a lab. Listening on ports 443 and 80 needs root, of the machine or of the tests' user
// namespace (see EnterUserNamespace); without it the test skips (fails under RequireEnv), saying so.
func NewLab(t testing.TB, o LabOptions) *Lab {
	t.Helper()
	if o.CA == nil {
		o.CA = NewCA(t, "Lab Public Root", "DigiCert Inc")
	}
	lab := &Lab{CA: o.CA, requests: map[string]int{}}
	var mu sync.Mutex
	certs := map[string]*tls.Certificate{}
	getCert := func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if o.OnHello != nil {
			o.OnHello(h.ServerName)
		}
		name := h.ServerName
		if name == "" {
			name = lab.IP
		}
		mu.Lock()
		defer mu.Unlock()
		if c, ok := certs[name]; ok {
			return c, nil
		}
		c := lab.CA.ValidLeaf(t, name)
		certs[name] = &c
		return &c, nil
	}
	var https, plain net.Listener
	lab.IP, https, plain = listenLab(t)
	tlsOpts := o.TLS
	tlsOpts.GetCertificate = getCert
	if o.Handler == nil {
		o.Handler = answerOK("arccheck test server")
	}
	tlsOpts.Handler = lab.logged(o.Handler)
	lab.HTTPS = ServeOn(t, https, HandleTLS(tlsOpts))
	lab.HTTP = ServeOn(t, plain, HandleHTTP(lab.logged(lab.pki(nil))))
	return lab
}

// listenLab listens on ports 443 and 80 of a random 127.x.y.z address that has both free, and returns
// the address and the two listeners, which the lab's servers then serve: no other test can take either
// port between the choice and the serving.
func listenLab(t testing.TB) (ip string, https, plain net.Listener) {
	t.Helper()
	var err error
	for range 20 {
		ip = RandomLoopback()
		if https, err = net.Listen("tcp", ip+":443"); err != nil {
			requirePrivilegedPort(t, "the lab listens on port 443 of a loopback address (127.x.y.z)", err)
			continue // taken: another address
		}
		if plain, err = net.Listen("tcp", ip+":80"); err != nil {
			https.Close()
			requirePrivilegedPort(t, "the lab listens on port 80 of a loopback address (127.x.y.z)", err)
			continue
		}
		return ip, https, plain
	}
	t.Fatalf("no loopback address with ports 443 and 80 free for the lab: %v", err)
	return "", nil, nil
}

// logged records each request's host before h answers it: once a client has the answer, the request is
// in the log, so a test that has its client's answers reads the log without waiting.
func (l *Lab) logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.requests[requestHost(r.Host)]++
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// requestHost is a Host header's name, without the port, in lower case.
func requestHost(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.ToLower(host)
}

// Requests returns how many requests for host (by their Host header: the name the client, or the
// proxy or box in its path, asked for; case-insensitive, the port left out) the lab's TLS and plain
// servers have answered so far.
func (l *Lab) Requests(host string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.requests[requestHost(host)]
}

// RequestLog returns the lab's request log: host → requests answered (a copy).
func (l *Lab) RequestLog() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.requests)
}

// Settle returns once the lab's servers have accepted every connection made to them before the call, so
// that their Accepted counts are complete (see Server.Settle).
func (l *Lab) Settle(t testing.TB) {
	t.Helper()
	l.HTTPS.Settle(t)
	l.HTTP.Settle(t)
}

// pki serves the lab CA's certificate for any path ending in .crt (a CA-issuers URL, the proof of the
// plain-HTTP certificate endpoints) and its CRL for .crl, and hands every other request to h (nil: 200).
func (l *Lab) pki(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, ".crt"):
			w.Header().Set(EvidenceHeader, OriginRequestID)
			w.Write(l.CA.Cert.Raw)
		case h != nil:
			h.ServeHTTP(w, r)
		default:
			answerOK("arccheck test lab").ServeHTTP(w, r)
		}
	})
}

// ResolveArgs returns --resolve flags that send every host to the lab (any port).
func (l *Lab) ResolveArgs(hosts ...string) []string {
	var out []string
	for _, h := range hosts {
		out = append(out, "--resolve", h+":*:"+l.IP)
	}
	return out
}
