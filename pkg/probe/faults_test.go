package probe

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/dns/dnsmessage"

	"github.com/arccheck/arccheck/internal/testnet"
)

// The fault matrix: every kind of network fault an Arc server meets, each on every path a probe takes to
// an endpoint, with the class an administrator must be told. The faults live where they would in a real
// network: DNS answers come from one test DNS server that arccheck, squid and microsocks all ask;
// endpoints are servers on addresses of a network namespace the test creates, behind iptables rules in
// that namespace where the fault is a firewall's; proxies are the real squid and microsocks, or fakes
// where a real one cannot be made to misbehave.

// path is one way to an endpoint.
type path int

const (
	pathDirect  path = iota
	pathSquid        // HTTP CONNECT through squid (absolute-form requests for http:// targets)
	pathSOCKS5h      // microsocks, the proxy resolving names
	pathSOCKS5       // microsocks, arccheck resolving names
	numPaths
)

var pathNames = [numPaths]string{"direct", "squid", "socks5h", "socks5"}

// Outcomes besides a failure class.
const (
	reachable Class = "reachable" // no failure, no warning
	na        Class = ""          // the fault does not exist on this path
)

// matrixTimeout is every row's probe timeout.
const matrixTimeout = time.Second

// outcome is what a row expects: a class (or reachable, or na) per path, the warning a reachable path
// must carry, and words every failure's message must hold.
type outcome struct {
	classes [numPaths]Class
	warn    Class
	// says checks what a failure says beyond its class: its cause, and the fact that tells it.
	says func(t *testing.T, path string, f *Finding)
}

// all expects one class on every path; each one per path.
func all(c Class) outcome { return outcome{classes: [numPaths]Class{c, c, c, c}} }

func each(direct, squid, socks5h, socks5 Class) outcome {
	return outcome{classes: [numPaths]Class{direct, squid, socks5h, socks5}}
}

func (o outcome) warning(c Class) outcome { o.warn = c; return o }

func (o outcome) saying(check func(t *testing.T, path string, f *Finding)) outcome {
	o.says = check
	return o
}

// causing is a check that a failure has cause, and the facts that check says.
func causing(cause Cause, facts func(t *testing.T, path string, f *Finding)) func(t *testing.T, path string, f *Finding) {
	return func(t *testing.T, path string, f *Finding) {
		t.Helper()
		if assert.Equal(t, cause, f.Cause, "%s: %s", path, factsJSON(f)) && facts != nil {
			facts(t, path, f)
		}
	}
}

// viaHTTPProxy and viaSOCKS are the expectations of a fault of an HTTP proxy or of a SOCKS proxy.
func viaHTTPProxy(c Class) outcome { return each(na, c, na, na) }
func viaSOCKS(c Class) outcome     { return each(na, na, c, c) }

// faultLab is the network the matrix runs in: a namespace for the endpoints, one DNS server, the CAs,
// and the proxies of every path.
type faultLab struct {
	ns  *testnet.Netns
	dns *testnet.DNSServer
	// ca is the endpoints' public CA (O=DigiCert Inc): trusted, and one of the reference public roots.
	ca *testnet.CA
	// missingRoot is a public root the machine lacks; inspect an inspection CA it trusts; rogue one it
	// does not.
	missingRoot, inspect, rogue *testnet.CA
	squid                       *testnet.Squid
	socks                       *testnet.SOCKS
	opts                        Options
}

// newFaultLab builds the lab: the namespace, a DNS server on port 53 of a loopback address (squid and
// microsocks ask only port 53), the CAs, and the squid and microsocks of the proxy paths, both asking
// that DNS server.
func newFaultLab(t *testing.T) *faultLab {
	testnet.RequireBinary(t, "iptables", "iptables")
	l := &faultLab{ns: testnet.NewNetns(t)}
	dnsIP := testnet.RandomLoopback()
	l.dns = testnet.NewDNSServerAt(t, dnsIP+":53", testnet.DNSAnswer, nil)
	l.ca = testnet.NewCA(t, "Lab Public Root", "DigiCert Inc")
	l.missingRoot = testnet.NewCA(t, "Lab Public Root G2", "DigiCert Inc")
	l.inspect = testnet.NewCA(t, "Corp Inspection CA", "Contoso")
	l.rogue = testnet.NewCA(t, "Rogue Inspection CA", "Fabrikam")
	l.squid = testnet.StartSquid(t, testnet.SquidOptions{DNS: dnsIP})
	l.socks = testnet.StartSOCKSWith(t, testnet.SOCKSOptions{DNSServer: dnsIP})
	res, err := NewServerResolver(l.dns.Addr)
	require.NoError(t, err)
	l.opts = Options{Timeout: matrixTimeout, Resolver: res, RootCAs: rootsOf(pool(l.ca, l.inspect)),
		ReferenceRoots: NewRootSet(l.ca.Cert, l.missingRoot.Cert)} // as --public-roots: its fingerprints known
	return l
}

// endpoint is one row's endpoint: its addresses in the namespace, and the target to probe.
type endpoint struct {
	v4, v6 netip.Addr
	target Target
	// proxy replaces, per path, the path's proxy URL ("" keeps it).
	proxy [numPaths]string
	// during, if set, runs while the probes run, as soon as they have started; it waits for its own
	// readiness signal (a question to the DNS server, say) before it acts.
	during func(t *testing.T)
}

// newEndpoint gives host its own addresses in the namespace and an A record, and probes https://host.
func (l *faultLab) newEndpoint(t *testing.T, host string) *endpoint {
	e := &endpoint{target: Target{Scheme: "https", Host: host, Port: 443, ExpectIssuers: []string{"DigiCert Inc"},
		EvidenceHeaders: evidence}}
	e.v4, e.v6 = l.ns.NewHost(t)
	l.dns.Set(host, testnet.DNSRecord{A: []netip.Addr{e.v4}})
	return e
}

// serve serves handle on the endpoint's address and port, in the namespace.
func (l *faultLab) serve(t *testing.T, addr netip.Addr, port int, handle func(net.Conn)) {
	ln := l.ns.Listen(t, "tcp", netip.AddrPortFrom(addr, uint16(port)).String())
	testnet.ServeOn(t, ln, handle)
}

// tlsEndpoint is an endpoint whose port 443 serves TLS as o says, with a valid certificate from the lab
// CA unless o has one.
func (l *faultLab) tlsEndpoint(t *testing.T, host string, o testnet.TLSOptions) *endpoint {
	e := l.newEndpoint(t, host)
	if o.Certificate.Certificate == nil {
		o.Certificate = l.ca.ValidLeaf(t, host)
	}
	l.serve(t, e.v4, 443, testnet.HandleTLS(o))
	return e
}

// rawEndpoint is an endpoint whose port 443 runs handle.
func (l *faultLab) rawEndpoint(t *testing.T, host string, handle func(net.Conn)) *endpoint {
	e := l.newEndpoint(t, host)
	l.serve(t, e.v4, 443, handle)
	return e
}

// httpEndpoint is an endpoint probed as http://host, whose port 80 runs handle.
func (l *faultLab) httpEndpoint(t *testing.T, host string, handle func(net.Conn)) *endpoint {
	e := l.newEndpoint(t, host)
	l.serve(t, e.v4, 80, handle)
	e.target = Target{Scheme: "http", Host: host, Port: 80, EvidenceHeaders: evidence}
	return e
}

// firewalled is a valid TLS endpoint with an iptables rule in front of it (the rule's own -d and
// --dport 443 are added).
func (l *faultLab) firewalled(t *testing.T, host string, rule ...string) *endpoint {
	e := l.tlsEndpoint(t, host, testnet.TLSOptions{})
	l.ns.Iptables(t, append([]string{"-A", "INPUT", "-d", e.v4.String(), "-p", "tcp", "--dport", "443"}, rule...)...)
	return e
}

// dnsFault is a valid TLS endpoint whose name the DNS server answers as rec says.
func (l *faultLab) dnsFault(t *testing.T, host string, rec testnet.DNSRecord) *endpoint {
	e := l.tlsEndpoint(t, host, testnet.TLSOptions{})
	l.dns.Set(host, rec)
	return e
}

// throughHTTPProxy is a valid endpoint probed through the HTTP proxy at url on the squid path.
func (l *faultLab) throughHTTPProxy(t *testing.T, host, url string) *endpoint {
	e := l.tlsEndpoint(t, host, testnet.TLSOptions{})
	e.proxy[pathSquid] = url
	return e
}

// fakeHTTPProxy is a valid endpoint probed through a fake HTTP proxy answering as o says.
func (l *faultLab) fakeHTTPProxy(t *testing.T, host string, o testnet.FakeProxyOptions) *endpoint {
	return l.throughHTTPProxy(t, host, "http://"+testnet.FakeProxy(t, o).Addr)
}

// throughSOCKS is a valid endpoint probed through the SOCKS server at addr on both SOCKS paths, with
// userinfo ("user:password@", or "") in the proxy URLs.
func (l *faultLab) throughSOCKS(t *testing.T, host, userinfo, addr string) *endpoint {
	e := l.tlsEndpoint(t, host, testnet.TLSOptions{})
	e.proxy[pathSOCKS5h] = "socks5h://" + userinfo + addr
	e.proxy[pathSOCKS5] = "socks5://" + userinfo + addr
	return e
}

// fault is one row of the matrix: a fault, how to make it, and the outcome on every path.
type fault struct {
	name  string
	setup setup
	want  outcome
}

// setup makes a row's fault in the lab for the endpoint named host.
type setup func(t *testing.T, l *faultLab, host string) *endpoint

// socksPassword is the password of the SOCKS rows with credentials; no message may show it.
const socksPassword = "s0cks-Secret-pw"

// faults lists the rows of the matrix: at least one for every fault of the issue, with the class an
// administrator can act on, on every path the fault exists on.
func faults() []fault {
	const (
		refused  = ClassTCPRefused
		upstream = ClassProxyUpstreamFailed
		hsFailed = ClassTLSHandshakeFailed
	)
	ok := setup(func(t *testing.T, l *faultLab, host string) *endpoint {
		return l.tlsEndpoint(t, host, testnet.TLSOptions{})
	})
	dns := func(rec testnet.DNSRecord) setup {
		return func(t *testing.T, l *faultLab, host string) *endpoint { return l.dnsFault(t, host, rec) }
	}
	firewall := func(rule ...string) setup {
		return func(t *testing.T, l *faultLab, host string) *endpoint { return l.firewalled(t, host, rule...) }
	}
	raw := func(handle func(net.Conn)) setup {
		return func(t *testing.T, l *faultLab, host string) *endpoint { return l.rawEndpoint(t, host, handle) }
	}
	tlsWith := func(o func(t *testing.T, l *faultLab, host string) testnet.TLSOptions) setup {
		return func(t *testing.T, l *faultLab, host string) *endpoint { return l.tlsEndpoint(t, host, o(t, l, host)) }
	}
	cert := func(mint func(t *testing.T, l *faultLab, host string) tls.Certificate) setup {
		return tlsWith(func(t *testing.T, l *faultLab, host string) testnet.TLSOptions {
			return testnet.TLSOptions{Certificate: mint(t, l, host)}
		})
	}
	web := func(handle func(net.Conn)) setup {
		return func(t *testing.T, l *faultLab, host string) *endpoint { return l.httpEndpoint(t, host, handle) }
	}
	status := func(code int) func(net.Conn) { // the endpoint's own answer: its evidence header, this status
		return testnet.HandleHTTP(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set(testnet.EvidenceHeader, testnet.OriginRequestID)
			w.WriteHeader(code)
		}))
	}
	proxyAnswer := func(answer string, close bool) setup {
		return func(t *testing.T, l *faultLab, host string) *endpoint {
			return l.fakeHTTPProxy(t, host, testnet.FakeProxyOptions{Answer: answer, Close: close})
		}
	}
	socksReply := func(code byte) fault {
		c := map[byte]Class{1: upstream, 2: ClassProxyDenied, 3: upstream, 4: upstream, 5: upstream, 6: upstream,
			7: ClassProxyDenied, 8: ClassProxyDenied, 9: ClassProxyDenied}[code]
		return fault{name: fmt.Sprintf("SOCKS reply %d", code), setup: func(t *testing.T, l *faultLab, host string) *endpoint {
			return l.throughSOCKS(t, host, "", testnet.SOCKSReplying(t, code).Addr)
		}, want: viaSOCKS(c)}
	}
	stallingSOCKS := func(stall testnet.SOCKSStall, userinfo string) setup {
		return func(t *testing.T, l *faultLab, host string) *endpoint {
			return l.throughSOCKS(t, host, userinfo, testnet.StallingSOCKS(t, stall).Addr)
		}
	}
	const httpOK = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
	const established = "HTTP/1.1 200 Connection established\r\n\r\n"

	rows := []fault{
		// A working endpoint on every path.
		{"valid endpoint", ok, all(reachable)},

		// DNS.
		{"DNS NXDOMAIN", dns(testnet.DNSRecord{RCode: dnsmessage.RCodeNameError}),
			each(ClassDNSNotFound, upstream, upstream, ClassDNSNotFound)},
		{"DNS NODATA", dns(testnet.DNSRecord{}), each(ClassDNSNotFound, upstream, upstream, ClassDNSNotFound)},
		{"DNS SERVFAIL", dns(testnet.DNSRecord{RCode: dnsmessage.RCodeServerFailure}),
			each(ClassDNSError, upstream, upstream, ClassDNSError)},
		{"DNS REFUSED", dns(testnet.DNSRecord{RCode: dnsmessage.RCodeRefused}),
			each(ClassDNSError, upstream, upstream, ClassDNSError)},
		{"DNS server silent", dns(testnet.DNSRecord{Silent: true}), each(ClassDNSTimeout, upstream, upstream, ClassDNSTimeout)},
		{"DNS slow answer", func(t *testing.T, l *faultLab, host string) *endpoint {
			e := l.tlsEndpoint(t, host, testnet.TLSOptions{})
			l.dns.Set(host, testnet.DNSRecord{A: []netip.Addr{e.v4}, Delay: 300 * time.Millisecond})
			return e
		}, all(reachable)},
		{"DNS CNAME chain", func(t *testing.T, l *faultLab, host string) *endpoint {
			e := l.tlsEndpoint(t, host, testnet.TLSOptions{})
			l.dns.Set(host, testnet.DNSRecord{CNAME: "edge." + host})
			l.dns.Set("edge."+host, testnet.DNSRecord{A: []netip.Addr{e.v4}})
			return e
		}, all(reachable)},
		{"DNS CNAME loop", func(t *testing.T, l *faultLab, host string) *endpoint {
			e := l.tlsEndpoint(t, host, testnet.TLSOptions{})
			l.dns.Set(host, testnet.DNSRecord{CNAME: "loop." + host})
			l.dns.Set("loop."+host, testnet.DNSRecord{CNAME: host})
			return e
		}, each(ClassDNSNotFound, upstream, upstream, ClassDNSNotFound)},
		{"DNS AAAA only", func(t *testing.T, l *faultLab, host string) *endpoint {
			e := l.newEndpoint(t, host)
			l.serve(t, e.v6, 443, testnet.HandleTLS(testnet.TLSOptions{Certificate: l.ca.ValidLeaf(t, host)}))
			l.dns.Set(host, testnet.DNSRecord{AAAA: []netip.Addr{e.v6}})
			return e
		}, all(reachable)},
		{"DNS A and AAAA, IPv6 dropped", func(t *testing.T, l *faultLab, host string) *endpoint {
			e := l.tlsEndpoint(t, host, testnet.TLSOptions{})
			l.ns.Iptables(t, "-A", "INPUT", "-d", e.v6.String(), "-j", "DROP")
			l.dns.Set(host, testnet.DNSRecord{A: []netip.Addr{e.v4}, AAAA: []netip.Addr{e.v6}})
			return e
		}, each(reachable, reachable, upstream, reachable)}, // microsocks tries only the first address, IPv6
		{"DNS A and AAAA, IPv4 dropped", func(t *testing.T, l *faultLab, host string) *endpoint {
			e := l.newEndpoint(t, host)
			l.serve(t, e.v6, 443, testnet.HandleTLS(testnet.TLSOptions{Certificate: l.ca.ValidLeaf(t, host)}))
			l.ns.Iptables(t, "-A", "INPUT", "-d", e.v4.String(), "-j", "DROP")
			l.dns.Set(host, testnet.DNSRecord{A: []netip.Addr{e.v4}, AAAA: []netip.Addr{e.v6}})
			return e
		}, all(reachable)},

		// TCP.
		{"TCP refused (nothing listens)", func(t *testing.T, l *faultLab, host string) *endpoint {
			return l.newEndpoint(t, host)
		}, each(refused, upstream, upstream, upstream)},
		{"TCP RST from a firewall", firewall("--syn", "-j", "REJECT", "--reject-with", "tcp-reset"),
			each(refused, upstream, upstream, upstream)},
		{"TCP ICMP administratively prohibited", firewall("-j", "REJECT", "--reject-with", "icmp-admin-prohibited"),
			each(refused, upstream, upstream, upstream)},
		{"TCP dropped", firewall("-j", "DROP"), each(ClassTCPTimeout, upstream, upstream, upstream)},
		{"TCP dropped after SYN-ACK", firewall("!", "--syn", "-j", "DROP"), all(hsFailed)},

		// TLS.
		{"TLS stall", raw(testnet.HandleSilent), all(hsFailed)},
		{"TLS trickle", tlsWith(func(t *testing.T, l *faultLab, host string) testnet.TLSOptions {
			return testnet.TLSOptions{Certificate: l.ca.ValidLeaf(t, host), Trickle: 50 * time.Millisecond}
		}), all(hsFailed)},
		{"TLS RST after ClientHello", raw(testnet.HandleReset), each(ClassTCPReset, hsFailed, hsFailed, hsFailed)},
		{"TLS FIN after ClientHello", raw(testnet.HandleClose), all(hsFailed)},
		// Go's ClientHello, with its post-quantum key share, is over 1,200 bytes; the SYN and ACKs are not.
		{"TLS ClientHello dropped by size", firewall("-m", "length", "--length", "600:65535", "-j", "DROP"), all(hsFailed)},
		{"TLS SNI-filtering RST", func(t *testing.T, l *faultLab, host string) *endpoint {
			return l.firewalled(t, host, "-m", "string", "--string", host, "--algo", "bm", "-j", "REJECT", "--reject-with", "tcp-reset")
		}, each(ClassTCPReset, hsFailed, hsFailed, hsFailed)},
		{"TLS expired", cert(func(t *testing.T, l *faultLab, host string) tls.Certificate {
			return l.ca.Leaf(t, []string{host}, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))
		}), all(ClassTLSExpired)},
		{"TLS not yet valid", cert(func(t *testing.T, l *faultLab, host string) tls.Certificate {
			return l.ca.Leaf(t, []string{host}, time.Now().Add(24*time.Hour), time.Now().Add(48*time.Hour))
		}), all(ClassTLSExpired)},
		{"TLS wrong host", cert(func(t *testing.T, l *faultLab, host string) tls.Certificate {
			return l.ca.ValidLeaf(t, "other.example")
		}), all(ClassTLSHostnameMismatch)},
		{"TLS name in CN only", cert(func(t *testing.T, l *faultLab, host string) tls.Certificate {
			return l.ca.LeafWith(t, testnet.LeafOptions{Names: []string{host}, CommonNameOnly: true})
		}), all(ClassTLSHostnameMismatch)},
		{"TLS self-signed", cert(func(t *testing.T, l *faultLab, host string) tls.Certificate {
			return testnet.SelfSigned(t, host)
		}), all(ClassTLSUntrusted).saying(causing(CauseSelfSigned, func(t *testing.T, path string, f *Finding) {
			assert.Contains(t, f.Subject, ".faults.test", "%s: the self-signed certificate's subject", path)
			assert.NotEmpty(t, f.Err, path)
		}))},
		{"TLS untrusted CA, a user's endpoint", func(t *testing.T, l *faultLab, host string) *endpoint {
			e := l.tlsEndpoint(t, host, testnet.TLSOptions{Certificate: l.rogue.ValidLeaf(t, host)})
			e.target.ExpectIssuers = nil // no public chain expected: nothing to call interception
			return e
		}, all(ClassTLSUntrusted)},
		{"TLS public root the machine lacks", cert(func(t *testing.T, l *faultLab, host string) tls.Certificate {
			return l.missingRoot.ValidLeaf(t, host)
		}), all(ClassTLSUntrusted)},
		{"TLS incomplete chain",
			cert(func(t *testing.T, l *faultLab, host string) tls.Certificate {
				c := l.ca.Intermediate(t, "Lab Issuing CA", "DigiCert Inc").ValidLeaf(t, host)
				c.Certificate = c.Certificate[:1]
				return c
			}), all(ClassTLSUntrusted).saying(causing(CauseIncompleteChain, func(t *testing.T, path string, f *Finding) {
				assert.Contains(t, f.Issuer, "CN=Lab Issuing CA", "%s: the CA whose certificate was not sent", path)
			}))},
		{"TLS complete chain", cert(func(t *testing.T, l *faultLab, host string) tls.Certificate {
			return l.ca.Intermediate(t, "Lab Issuing CA", "DigiCert Inc").ValidLeaf(t, host)
		}), all(reachable)},
		{"TLS client-only EKU", cert(func(t *testing.T, l *faultLab, host string) tls.Certificate {
			return l.ca.LeafWith(t, testnet.LeafOptions{Names: []string{host}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
		}), all(ClassTLSUntrusted)},
		{"TLS 1.0 only", tlsWith(func(t *testing.T, l *faultLab, host string) testnet.TLSOptions {
			return testnet.TLSOptions{Certificate: l.ca.ValidLeaf(t, host), MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10}
		}), all(ClassTLSVersionTooOld)},
		{"TLS 1.1 only", tlsWith(func(t *testing.T, l *faultLab, host string) testnet.TLSOptions {
			return testnet.TLSOptions{Certificate: l.ca.ValidLeaf(t, host), MinVersion: tls.VersionTLS11, MaxVersion: tls.VersionTLS11}
		}), all(ClassTLSVersionTooOld)},
		{"TLS 1.2 CBC suites only", tlsWith(func(t *testing.T, l *faultLab, host string) testnet.TLSOptions {
			return testnet.TLSOptions{Certificate: l.ca.ValidLeaf(t, host), MaxVersion: tls.VersionTLS12,
				CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA}}
		}), all(reachable)},
		{"TLS weak suites only (RC4)", tlsWith(func(t *testing.T, l *faultLab, host string) testnet.TLSOptions {
			return testnet.TLSOptions{Certificate: l.ca.ValidLeaf(t, host), MaxVersion: tls.VersionTLS12,
				CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_RC4_128_SHA}}
		}), all(hsFailed)},
		{"TLS garbage on 443", raw(testnet.HandleBanner("SSH-2.0-OpenSSH_9.2\r\n")), all(hsFailed)},
		{"TLS re-signed by a trusted inspection CA", cert(func(t *testing.T, l *faultLab, host string) tls.Certificate {
			return l.inspect.ValidLeaf(t, host)
		}), all(reachable).warning(ClassTLSIntercepted)},
		{"TLS re-signed by an untrusted inspection CA", cert(func(t *testing.T, l *faultLab, host string) tls.Certificate {
			return l.rogue.ValidLeaf(t, host)
		}), all(ClassTLSIntercepted)},

		// Plain HTTP on port 80.
		{"HTTP 200", web(testnet.HandleHTTP(nil)), all(reachable)},
		{"HTTP garbage", web(testnet.HandleBanner("SSH-2.0-OpenSSH_9.2\r\n")), all(ClassHTTPError)},
		{"HTTP 500", web(status(500)), all(reachable)},
		// Nothing of the endpoint's: anyone on the way could have answered (squid alone relaying it shows
		// it came from beyond squid).
		{"HTTP 200 without evidence", web(testnet.HandleHTTP(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))),
			each(ClassHTTPUnverified, reachable, ClassHTTPUnverified, ClassHTTPUnverified)},
		{"HTTP stall", web(testnet.HandleHTTPStall), each(ClassHTTPError, upstream, ClassHTTPError, ClassHTTPError)},
		{"HTTP trickle", web(testnet.HandleTrickle(httpOK, 100*time.Millisecond)),
			each(ClassHTTPError, upstream, ClassHTTPError, ClassHTTPError)},
		{"HTTP RST", web(testnet.HandleReset), each(ClassTCPReset, upstream, ClassHTTPError, ClassHTTPError)},

		// HTTP proxies.
		{"proxy down", func(t *testing.T, l *faultLab, host string) *endpoint {
			return l.throughHTTPProxy(t, host, "http://"+testnet.RefusedPort(t))
		}, viaHTTPProxy(ClassProxyUnreachable)},
		{"proxy 403 (squid ACL)", func(t *testing.T, l *faultLab, host string) *endpoint {
			squid := testnet.StartSquid(t, testnet.SquidOptions{DNS: l.dnsIP(), Allow: []string{".elsewhere.example"}})
			return l.throughHTTPProxy(t, host, squid.URL("", ""))
		}, viaHTTPProxy(ClassProxyDenied)},
		{"proxy 403 (other proxy)", func(t *testing.T, l *faultLab, host string) *endpoint {
			return l.throughHTTPProxy(t, host, "http://"+testnet.RefusingProxy(t, 403).Addr)
		}, viaHTTPProxy(ClassProxyDenied)},
		{"proxy 407 Basic (squid)", func(t *testing.T, l *faultLab, host string) *endpoint {
			squid := testnet.StartSquid(t, testnet.SquidOptions{DNS: l.dnsIP(), Users: map[string]string{"alice": "Pr0xy-Pa55"}})
			return l.throughHTTPProxy(t, host, squid.URL("", ""))
		}, viaHTTPProxy(ClassProxyAuthRequired)},
		{"proxy 407 NTLM only", proxyAnswer("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: NTLM\r\n"+
			"Content-Length: 0\r\n\r\n", true), viaHTTPProxy(ClassProxyAuthRequired)},
		{"proxy 302 to a login page", proxyAnswer("HTTP/1.1 302 Found\r\nLocation: http://login.corp.example/\r\n"+
			"Content-Length: 0\r\n\r\n", true), viaHTTPProxy(ClassProxyDenied)},
		{"proxy 204 to CONNECT", proxyAnswer("HTTP/1.1 204 No Content\r\n\r\n", false), viaHTTPProxy(ClassProxyDenied)},
		{"proxy 502", proxyAnswer("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n", true), viaHTTPProxy(upstream)},
		{"proxy 503", proxyAnswer("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", true), viaHTTPProxy(upstream)},
		{"proxy 200 then close", proxyAnswer(established, true), viaHTTPProxy(hsFailed)},
		{"proxy 200 then hang", proxyAnswer(established, false), viaHTTPProxy(hsFailed)},
		{"proxy garbage status", proxyAnswer("SSH-2.0-OpenSSH_9.2\r\n\r\n", true), viaHTTPProxy(ClassProxyUnreachable).saying(causing(CauseConnectNotHTTP,
			func(t *testing.T, path string, f *Finding) {
				assert.NotEmpty(t, f.Err, "%s: the reader's own error", path)
			}))},
		{"proxy trickled status", func(t *testing.T, l *faultLab, host string) *endpoint {
			return l.fakeHTTPProxy(t, host, testnet.FakeProxyOptions{Answer: established, Trickle: 100 * time.Millisecond})
		}, viaHTTPProxy(ClassProxyUnreachable).saying(causing(CauseConnectHalfAnswered, func(t *testing.T, path string, f *Finding) {
			assert.Positive(t, f.Read, "%s: the bytes of the answer that came", path)
			assert.NotEmpty(t, f.Connect, path)
		}))},
		{"proxy silent", proxyAnswer("", false), viaHTTPProxy(upstream)},
		{"https proxy with an untrusted certificate", func(t *testing.T, l *faultLab, host string) *endpoint {
			squid := testnet.StartSquid(t, testnet.SquidOptions{DNS: l.dnsIP(), TLS: testnet.NewCA(t, "Proxy CA", "Corp")})
			return l.throughHTTPProxy(t, host, squid.URL("", ""))
		}, viaHTTPProxy(ClassProxyTLSUntrusted).saying(causing(CauseProxyTLS, func(t *testing.T, path string, f *Finding) {
			assert.NotEmpty(t, f.Err, "%s: the handshake's own error", path)
			assert.False(t, f.TimedOut, path)
		}))},
		{"proxy killed mid-run", func(t *testing.T, l *faultLab, host string) *endpoint {
			squid := testnet.StartSquid(t, testnet.SquidOptions{DNS: l.dnsIP()})
			e := l.throughHTTPProxy(t, host, squid.URL("", ""))
			l.dns.Set(host, testnet.DNSRecord{A: []netip.Addr{e.v4}, Delay: 800 * time.Millisecond}) // squid still resolving
			resolving := l.dns.Asked(host)
			e.during = func(t *testing.T) {
				testnet.Await(t, resolving, "squid's question for "+host)
				squid.Kill()
			}
			return e
		}, viaHTTPProxy(ClassProxyUnreachable)},

		// SOCKS5 proxies: every RFC 1928 reply code (0 is the valid endpoint's), an unassigned one, and
		// the ways a SOCKS server fails.
		socksReply(1), socksReply(2), socksReply(3), socksReply(4), socksReply(5), socksReply(6), socksReply(7),
		socksReply(8), socksReply(9),
		{"SOCKS no acceptable method", func(t *testing.T, l *faultLab, host string) *endpoint {
			s := testnet.StartSOCKSWith(t, testnet.SOCKSOptions{DNSServer: l.dnsIP(), User: "arc", Password: socksPassword})
			return l.throughSOCKS(t, host, "", s.Addr)
		}, viaSOCKS(ClassProxyAuthRequired)},
		{"SOCKS bad credentials", func(t *testing.T, l *faultLab, host string) *endpoint {
			s := testnet.StartSOCKSWith(t, testnet.SOCKSOptions{DNSServer: l.dnsIP(), User: "arc", Password: "0ther-Secret-pw"})
			return l.throughSOCKS(t, host, "arc:"+socksPassword+"@", s.Addr)
		}, viaSOCKS(ClassProxyAuthRequired)},
		{"SOCKS down", func(t *testing.T, l *faultLab, host string) *endpoint {
			return l.throughSOCKS(t, host, "", testnet.RefusedPort(t))
		}, viaSOCKS(ClassProxyUnreachable)},
		{"SOCKS silent", stallingSOCKS(testnet.StallBeforeGreeting, ""), viaSOCKS(ClassProxyUnreachable)},
		{"SOCKS hang after greeting (at authentication)",
			stallingSOCKS(testnet.StallAtAuthentication, "arc:"+socksPassword+"@"),
			viaSOCKS(ClassProxyUnreachable).saying(causing(CauseSOCKS, func(t *testing.T, path string, f *Finding) {
				if assert.NotNil(t, f.SOCKS, path) {
					assert.Equal(t, SOCKSCredentials, f.SOCKS.Step, "%s: it asked for a username and password", path)
					assert.True(t, f.SOCKS.TimedOut, "%s: and did not answer them before the timeout", path)
				}
			}))},
		{"SOCKS hang before reply", stallingSOCKS(testnet.StallAfterGreeting, ""), viaSOCKS(upstream)},
		{"SOCKS garbage", func(t *testing.T, l *faultLab, host string) *endpoint {
			return l.throughSOCKS(t, host, "", testnet.NonHTTPServer(t, "HTTP/1.1 400 Bad Request\r\n\r\n").Addr)
		}, viaSOCKS(ClassProxyUnreachable)},
	}
	return rows
}

// dnsIP is the address of the lab's DNS server, for the proxies a row starts.
func (l *faultLab) dnsIP() string { h, _, _ := net.SplitHostPort(l.dns.Addr); return h }

// TestFaultMatrix probes every fault on every path and checks the class, that each probe ended (before
// testnet.HangGuard: a guard against hangs, no timing claim), and that no goroutine of arccheck's outlived
// the row. How long past its timeout the slowest path ended is reported, not judged: timing claims are
// benchmarks' (pkg/check's BenchmarkBlackHoled, overrun-ms).
func TestFaultMatrix(t *testing.T) {
	l := newFaultLab(t)
	rows := faults()
	perPath := [numPaths]int{}
	var latest time.Duration // the longest a path took, for the report
	for i, f := range rows {
		t.Run(f.name, func(t *testing.T) {
			e := f.setup(t, l, fmt.Sprintf("r%02d.faults.test", i))
			before := arccheckGoroutines()
			results, took := l.probeRow(t, e, f.want.classes)
			for p := range numPaths {
				if f.want.classes[p] == na {
					continue
				}
				perPath[p]++
				checkOutcome(t, pathNames[p], f.want.classes[p], f.want, results[p])
				latest = max(latest, took[p])
			}
			assertNoGoroutineLeft(t, before)
		})
	}
	t.Logf("faults per path: direct %d, squid %d, socks5h %d, socks5 %d (%d rows); the slowest path took %v with a timeout of %v "+
		"(overrun %v: reported, not judged)", perPath[pathDirect], perPath[pathSquid], perPath[pathSOCKS5h], perPath[pathSOCKS5],
		len(rows), latest.Round(time.Millisecond), matrixTimeout, max(0, latest-matrixTimeout).Round(time.Millisecond))
}

// checkOutcome checks one path's result against the row's outcome: the class (or reachable, with the
// warning the row names and no other), and messages that say something, in the row's words if it has
// them, and never show the SOCKS password nor a closed connection where a timeout was.
func checkOutcome(t *testing.T, path string, want Class, o outcome, r Result) {
	t.Helper()
	if r.Failure == nil {
		assert.Equal(t, want, reachable, "%s: reachable", path)
		var warnings []Class
		for _, w := range r.Warnings {
			warnings = append(warnings, w.Class)
		}
		if o.warn != "" {
			assert.Equal(t, []Class{o.warn}, warnings, path)
		} else {
			assert.Empty(t, warnings, path)
		}
		return
	}
	assert.Equal(t, want, r.Failure.Class, "%s: %s: %s", path, r.Failure.Phase, factsJSON(r.Failure))
	assert.True(t, r.Failure.Cause != "" || !reflect.ValueOf(r.Failure.Facts).IsZero(), "%s: the failure says nothing: %s",
		path, factsJSON(r.Failure))
	text := factText(r.Failure)
	assert.NotContains(t, text, socksPassword, path)
	assert.NotContains(t, text, "closed network connection", path)
	if o.says != nil {
		o.says(t, path, r.Failure)
	}
}

// probeRow probes the endpoint on every path the row has, at once, each path in a batch of its own as a
// run would, and returns each path's result and how long its batch took.
func (l *faultLab) probeRow(t *testing.T, e *endpoint, want [numPaths]Class) ([numPaths]Result, [numPaths]time.Duration) {
	defaults := [numPaths]string{"", l.squid.URL("", ""), l.socks.URL("socks5h", "", ""), l.socks.URL("socks5", "", "")}
	var results [numPaths]Result
	var took [numPaths]time.Duration
	var wg sync.WaitGroup
	for p := range numPaths {
		if want[p] == na {
			continue
		}
		opts := l.opts
		if url := cmp.Or(e.proxy[p], defaults[p]); url != "" {
			px := mustProxy(t, url)
			opts.Proxy = &ProxyConfig{HTTPS: px, HTTP: px}
		}
		prober := New(opts)
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			b := prober.NewBatch(context.Background(), 0)
			b.Go(e.target, func(r *Result) { results[p] = *r })
			b.Wait()
			took[p] = time.Since(start)
		}()
	}
	if e.during != nil {
		e.during(t)
	}
	ended := make(chan struct{})
	go func() { wg.Wait(); close(ended) }()
	testnet.Await(t, ended, "the row's probes' end")
	return results, took
}

// arccheckGoroutines lists the goroutines that are neither the test's servers (internal/testnet), the
// components' process plumbing, nor the testing framework: those a probe could leave behind.
func arccheckGoroutines() []string {
	buf := make([]byte, 4<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		switch {
		case strings.Contains(g, "arccheck/internal/testnet."), strings.Contains(g, "os/exec."),
			strings.Contains(g, "testing.tRunner"), strings.Contains(g, "testing.(*T).Run"),
			strings.Contains(g, "testing.(*M)."), strings.Contains(g, "os/signal."):
			continue
		}
		out = append(out, g)
	}
	return out
}

// assertNoGoroutineLeft waits for the goroutines a probe started to end, looking every 20 ms, and fails
// with their stacks if more remain than before once testnet.HangGuard has passed: a goroutine that ends
// at all is no leak, however slow the machine.
func assertNoGoroutineLeft(t *testing.T, before []string) {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	guard := time.NewTimer(testnet.HangGuard)
	defer guard.Stop()
	for {
		now := arccheckGoroutines()
		if len(now) <= len(before) {
			return
		}
		select {
		case <-tick.C:
		case <-guard.C:
			t.Errorf("%d goroutines left behind:\n%s", len(now)-len(before), strings.Join(now, "\n\n"))
			return
		}
	}
}
