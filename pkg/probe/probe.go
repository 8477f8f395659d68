// Package probe knows HOW to check one network target and many at once: DNS, TCP, TLS and HTTP, directly
// or through a proxy, with per-phase timings and a stable classification of every failure. It knows
// nothing about Azure.
package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/arccheck/arccheck/internal/hostport"
)

// Target is one thing to probe: a scheme ("https" or "http"), host, port and optional path.
type Target struct {
	Scheme string
	Host   string
	Port   int
	Path   string
	// ExpectIssuers names organisations of which one must appear in the verified reference chain
	// (see Options.ReferenceRoots); empty means any.
	ExpectIssuers []string
	// AllowedTLS lists the TLS versions (tls.VersionTLS12, …) the endpoint accepts, where known.
	AllowedTLS []uint16
	// NoProxy makes this target bypass the proxy (the agent's proxy.bypass).
	NoProxy bool
	// ExpectPrivateDNS requires the name to resolve, locally, to a private address (a private endpoint).
	ExpectPrivateDNS bool
	// AcceptedSuites are the TLS 1.2 suites the client that matters accepts: when a TLS 1.2 handshake
	// ends in another suite, one more handshake offering only these tells whether the path can speak one
	// (TLSPhase.SuiteRetry). Empty means any.
	AcceptedSuites []uint16
	// Expect is the documented answer to a request, judged when an HTTP request is sent; nil means any.
	Expect *Expectation
	// Proof is content only the endpoint serves, which a plain-HTTP answer must carry to count; nil
	// means none is known.
	Proof *Proof
	// EvidenceHeaders are response headers that only the endpoint's own servers set, never a proxy or an
	// inspecting box on an answer of its own: an answer with one of them is the endpoint's.
	EvidenceHeaders []string
}

// Expectation is a documented answer: the status a GET of Path answers.
type Expectation struct {
	// Path is the path (and query) to request instead of Target.Path.
	Path   string
	Status int
}

// Address returns host:port to dial: an IPv6 literal in brackets with its zone as it is
// ([fe80::1%eth0]:443).
func (t Target) Address() string { return hostport.Address(t.Host, t.Port) }

// URL writes the target as a URL, leaving out the scheme's default port, an IPv6 zone written %25zone
// (RFC 6874) so that it parses back; endpoints.Target writes the same URL.
func (t Target) URL() string { return hostport.URL(t.Scheme, t.Host, t.Port, t.Path) }

// authority is host[:port] as in a URL or a Host header: the port left out when it is the scheme's
// default, an IPv6 literal (with or without a zone) in brackets.
func (t Target) authority() string { return hostport.Authority(t.Scheme, t.Host, t.Port) }

// Options configure a Prober. The zero value probes directly with the system resolver and roots.
type Options struct {
	// Timeout bounds each target's whole probe; zero means 10s.
	Timeout time.Duration
	// ConnectTimeout bounds, within Timeout, the TCP connect: to the target (its addresses share it), or to
	// the proxy; with socks5:// (names resolved locally) it bounds the tunnels to the target's addresses,
	// which share it. Zero means Timeout.
	ConnectTimeout time.Duration
	// Resolver answers DNS lookups; nil means the system resolver.
	Resolver *Resolver
	// Overrides give the addresses to connect to for some hosts and ports, skipping DNS (curl's --resolve).
	Overrides Overrides
	// RootCAs verifies servers' certificates; nil means the system roots.
	RootCAs *RootSet
	// ReferenceRoots, when set, is the reference set of public roots: a chain the machine trusts that does
	// not verify against these is reported as intercepted.
	ReferenceRoots *RootSet
	// HTTPS also sends an HTTP request over https targets and records the status.
	HTTPS bool
	// UserAgent is sent with HTTP requests.
	UserAgent string
	// Proxy routes connections through proxies; nil connects directly.
	Proxy *ProxyConfig
	// Now returns the time for certificate validity; nil means time.Now.
	Now func() time.Time
	// AllAddresses also probes, in parallel and within the same timeout, TCP (and TLS for https) to every
	// address of the name when it connects directly: the target passes only when all do
	// (ClassAddressUnreachable otherwise; Result.Addresses).
	AllAddresses bool
}

// Prober probes targets with fixed options. It is safe for concurrent use.
type Prober struct {
	opts Options
	// scrub removes the proxies' passwords from what peers say.
	scrub *scrubber
	// warmed starts reading the roots once (warm).
	warmed sync.Once
}

// New returns a Prober for the options.
func New(opts Options) *Prober {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.ConnectTimeout <= 0 || opts.ConnectTimeout > opts.Timeout {
		opts.ConnectTimeout = opts.Timeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "arccheck"
	}
	p := &Prober{opts: opts}
	if c := opts.Proxy; c != nil {
		p.scrub = newScrubber(c.HTTPS, c.HTTP, c.CurlAll)
	}
	return p
}

// SendsHTTPS reports whether probes send an HTTP request over https targets (Options.HTTPS).
func (p *Prober) SendsHTTPS() bool { return p.opts.HTTPS }

// Probe checks one target within the per-target timeout and returns what happened in each phase.
// It returns by the deadline (or at once when ctx is cancelled) and leaves no goroutine behind.
func (p *Prober) Probe(ctx context.Context, t Target) Result {
	return p.probe(ctx, t, time.Time{}, nil)
}

// maxBody bounds the body Fetch returns: a discovery answer is a few hundred bytes.
const maxBody = 1 << 20

// Fetch is Probe with an HTTP GET whatever the options, returning the body of a 200 answer; any other
// status is an http_error, and a body past maxBody (1 MiB) an http_too_large, never a body cut short.
// Discovery calls use it, through the same proxy and TLS.
func (p *Prober) Fetch(ctx context.Context, t Target) ([]byte, Result) {
	var body []byte
	r := p.probe(ctx, t, time.Time{}, &body)
	return body, r
}

// errTimedOut is the cause of a probe's context when its time is up, so that a timeout can be told
// from an interruption (the run's context cancelled, by Ctrl-C say).
var errTimedOut = errors.New("probe: timed out")

// interrupted reports whether ctx ended for another reason than the probe's own deadline.
func interrupted(ctx context.Context) bool {
	return ctx.Err() != nil && !errors.Is(context.Cause(ctx), errTimedOut)
}

// deadlineHit reports whether err came from the probe's own deadline: the context's, or a connection's
// deadline set to the same instant, which can fire a moment before the context's. A read cut short by
// it may not say so (a partial line reads as a malformed one), so a deadline passed counts too.
func deadlineHit(ctx context.Context, err error) bool {
	return !interrupted(ctx) && (ctx.Err() != nil || isTimeout(err) || deadlinePassed(ctx))
}

// deadlinePassed reports whether ctx's deadline is behind us, whether or not its timer has fired yet.
func deadlinePassed(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ok && !time.Now().Before(d)
}

// errText is err's first line, or, once ctx has ended, the context's cause: the connection is closed
// when it ends, and "use of closed network connection" would hide why.
func errText(ctx context.Context, err error) string {
	if ctx.Err() != nil {
		return context.Cause(ctx).Error()
	}
	return firstLine(err.Error())
}

// probe probes t. Every string of its result that can carry what a peer said is cleaned at its end, in
// this one place: no form of a proxy's password, no control or bidirectional character (see scrubber).
func (p *Prober) probe(ctx context.Context, t Target, until time.Time, body *[]byte) Result {
	r := new(Result)
	p.probeInto(ctx, &t, until, body, r)
	return *r
}

// probeInto is probe, its result written into r (a new Result), so that a Batch's probes copy none.
func (p *Prober) probeInto(ctx context.Context, t *Target, until time.Time, body *[]byte, r *Result) {
	r.Target, r.Start = *t, time.Now()
	defer p.scrub.result(r)
	if ctx.Err() != nil {
		notStarted(ctx, r)
		return
	}
	var pctx context.Context
	var cancel context.CancelFunc
	if deadline := time.Now().Add(p.opts.Timeout); until.IsZero() || deadline.Before(until) {
		pctx, cancel = context.WithDeadlineCause(ctx, deadline, errTimedOut)
	} else {
		// ctx is the batch's, which ends at until for errTimedOut: one timer for the whole batch rather
		// than one per probe, which at the deadline all fire at once, each in a goroutine of its own.
		pctx, cancel = context.WithCancel(ctx)
	}
	defer cancel()
	p.run(pctx, r, body)
	r.Duration = time.Since(r.Start)
	finish(r)
}

// notStarted fails a probe whose context ended before it started.
//
// It, finish and the other helpers that build findings are not inlined into the frames a probe waits in
// (probeInto, Batch.one): a parked probe's stack must stay small enough for the collector to shrink it to
// the 8 KiB a bare handshake's shrinks to (docs/development.md, "Benchmarks").
//
//go:noinline
func notStarted(ctx context.Context, r *Result) {
	r.fail(Finding{Class: ClassCanceled, Phase: PhaseQueue, Cause: CauseNotStarted, Facts: Facts{Err: context.Cause(ctx).Error()}})
}

// finish gives a probe that ran its verdict and its last warnings.
//
//go:noinline
func finish(r *Result) {
	if c := r.CurlRoute; c != nil {
		r.warn(Finding{Class: ClassNoProxyCurlDiffers, Phase: PhaseProxy, Cause: CauseCurlDiffers, Facts: Facts{Curl: c}})
	}
	if r.Failure == nil {
		r.Reachable = true
		if r.Proxy != nil && r.Proxy.Authenticated {
			r.warn(Finding{Class: ClassProxyAuthAgentUnsupported, Phase: PhaseProxy})
		}
	}
}

func (p *Prober) run(ctx context.Context, r *Result, body *[]byte) {
	t := &r.Target
	if t.ExpectPrivateDNS && !p.checkPrivateDNS(ctx, r) {
		return // never connect to the public address a private endpoint's name resolved to
	}
	var every *addressProbes
	if p.opts.AllAddresses {
		every = &addressProbes{}
		defer every.judge(r)
	}
	conn, px, ok := p.open(ctx, r, every)
	if !ok {
		return
	}
	defer conn.Close()
	if t.Scheme == "https" {
		tconn, ok := p.handshake(ctx, conn, r)
		if !ok {
			p.diagnoseNoCommonSuite(ctx, r)
			return
		}
		p.checkSuite(ctx, r)
		// Behind a box that re-signs TLS with a CA this machine trusts, the handshake was with the box:
		// only an answer through the tunnel can show whether the endpoint is there.
		if p.opts.HTTPS || body != nil || r.TLS.Intercepted {
			p.request(ctx, tconn, r, nil, body)
		}
		return
	}
	p.request(ctx, conn, r, px, body)
}

// open gets a connection to the target as the proxy settings route it: direct, through a tunnel, or to
// an HTTP proxy for an absolute-form request (px is then that proxy). The connection closes when ctx
// ends and has ctx's deadline. every, if set, receives the probes of every address of a direct connection.
func (p *Prober) open(ctx context.Context, r *Result, every *addressProbes) (conn net.Conn, px *Proxy, ok bool) {
	px, bypass, curl := p.opts.Proxy.Route(r.Target)
	r.Bypass, r.CurlRoute = bypass, curl
	var absolute bool
	if px != nil {
		conn, ok, absolute = p.connectViaProxy(ctx, r, px)
		if !absolute {
			px = nil // a tunnel: requests inside it are the endpoint's
		}
	} else {
		conn, ok = p.connect(ctx, r, every)
	}
	if !ok {
		return nil, nil, false
	}
	return p.hook(ctx, conn), px, true
}

// hook gives conn ctx's deadline and closes it when ctx ends (or when it is closed first).
func (p *Prober) hook(ctx context.Context, conn net.Conn) net.Conn {
	return &stopConn{Conn: conn, stop: bind(ctx, conn)}
}

// bind gives conn ctx's deadline and closes it when ctx ends, so that no read or write outlives ctx
// (a blocked one included); stop undoes the closing.
func bind(ctx context.Context, conn net.Conn) (stop func() bool) {
	stop = context.AfterFunc(ctx, func() { conn.Close() })
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	return stop
}

// stopConn is a connection that, once closed, no longer waits for its context to close it.
type stopConn struct {
	net.Conn
	stop func() bool
}

// Close closes the connection and drops the context's hook.
func (c *stopConn) Close() error {
	c.stop()
	return c.Conn.Close()
}

// connectViaProxy gets a connection to the target through the proxy: a CONNECT or SOCKS tunnel, or, for a
// plain-http target behind an HTTP proxy, a connection to the proxy itself for an absolute-form request
// (absolute is then true). The proxy resolves the name, except with socks5:// where arccheck does.
func (p *Prober) connectViaProxy(ctx context.Context, r *Result, px *Proxy) (conn net.Conn, ok, absolute bool) {
	t := r.Target
	phase := &ProxyPhase{Proxy: px}
	r.Proxy = phase
	if px.Scheme == "socks5" {
		addrs, ok := p.resolve(ctx, r)
		if !ok {
			return nil, false, false
		}
		conn, err := p.socksToAddresses(ctx, phase, addrs, t.Port)
		return conn, proxyOK(ctx, r, err), false
	}
	r.DNS = &DNSPhase{Source: DNSSource{Kind: SourceProxy}}
	start := time.Now()
	var err error
	switch {
	case px.forwardsHTTP() && t.Scheme == "http":
		d := &HTTPConnectDialer{Proxy: px, ConnectTimeout: p.opts.ConnectTimeout}
		conn, err = d.dialProxy(ctx)
		absolute = true
	case px.forwardsHTTP():
		d := &HTTPConnectDialer{Proxy: px, UserAgent: p.opts.UserAgent, ConnectTimeout: p.opts.ConnectTimeout}
		conn, err = d.DialContext(ctx, "tcp", t.Address())
		phase.Status = d.LastStatus
		phase.Authenticated = d.Authenticated // sent only when the proxy asked for them
	default:
		var s *socksDial
		s, err = dialSOCKS(ctx, px, t.Address(), p.opts.ConnectTimeout)
		conn, phase.Authenticated = s.conn, s.authenticated
	}
	phase.Duration = time.Since(start)
	return conn, proxyOK(ctx, r, err), absolute
}

// socksToAddresses opens a SOCKS tunnel to each address in turn (socks5://, names resolved locally) until
// one works; the tunnels share the connect timeout as direct connections do. A failure of the proxy
// itself ends the search.
func (p *Prober) socksToAddresses(ctx context.Context, phase *ProxyPhase, addrs []netip.Addr, port int) (net.Conn, error) {
	start := time.Now()
	defer func() { phase.Duration = time.Since(start) }()
	dial := func(ctx context.Context, a netip.AddrPort) (net.Conn, error) {
		s, err := dialSOCKS(ctx, phase.Proxy, a.String(), p.opts.ConnectTimeout)
		phase.Authenticated = s.authenticated
		return s.conn, err
	}
	proxyItself := func(err error) bool {
		var pe *ProxyError
		return errors.As(err, &pe) && (pe.Class == ClassProxyUnreachable || pe.Class == ClassProxyAuthRequired ||
			pe.Class == ClassLocalResources || pe.Class == ClassNoRoute)
	}
	conn, attempts, err := dialShared(ctx, p.opts.ConnectTimeout, addrPorts(addrs, port), dial, proxyItself)
	phase.Attempts = attempts
	return conn, err
}

// proxyOK records the failure to get through the proxy that err stands for, and reports whether err is nil.
func proxyOK(ctx context.Context, r *Result, err error) bool {
	if err == nil {
		return true
	}
	phase := r.Proxy
	var pe *ProxyError
	if !errors.As(err, &pe) {
		pe = &ProxyError{Class: ClassProxyUnreachable, Cause: CauseProxyDial, Proxy: phase.Proxy.String(), Err: err}
	}
	phase.Status, phase.AuthSchemes, phase.ProxyCode, phase.UpstreamDNS = pe.Status, pe.AuthSchemes, pe.ProxyCode, pe.UpstreamDNS
	r.fail(pe.finding(ctx))
	return false
}
