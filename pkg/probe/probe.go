// Package probe knows HOW to check one network target and many at once: DNS, TCP, TLS and HTTP, directly
// or through a proxy, with per-phase timings and a stable classification of every failure. It knows
// nothing about Azure.
package probe

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"strconv"
	"sync"
	"time"
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
}

// Address returns host:port.
func (t Target) Address() string { return net.JoinHostPort(t.Host, strconv.Itoa(t.Port)) }

// URL writes the target as a URL, leaving out the scheme's default port.
func (t Target) URL() string {
	host := t.Host
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		host = "[" + host + "]"
	}
	if !(t.Scheme == "https" && t.Port == 443) && !(t.Scheme == "http" && t.Port == 80) {
		host = t.Address()
	}
	return t.Scheme + "://" + host + t.Path
}

// Options configure a Prober. The zero value probes directly with the system resolver and roots.
type Options struct {
	// Timeout bounds each target's whole probe; zero means 10s.
	Timeout time.Duration
	// ConnectTimeout bounds the TCP connect within Timeout; zero means Timeout.
	ConnectTimeout time.Duration
	// Resolver answers DNS lookups; nil means the system resolver.
	Resolver *Resolver
	// Overrides maps "host:port" (or "host:*") to the address to connect to, skipping DNS (curl's --resolve).
	Overrides map[string]string
	// RootCAs verifies servers' certificates; nil means the system roots.
	RootCAs *x509.CertPool
	// ReferenceRoots, when set, is the reference set of public roots: a chain the machine trusts that does
	// not verify against these is reported as intercepted.
	ReferenceRoots *x509.CertPool
	// HTTPS also sends an HTTP request over https targets and records the status.
	HTTPS bool
	// UserAgent is sent with HTTP requests.
	UserAgent string
	// Proxy routes connections through proxies; nil connects directly.
	Proxy *ProxyConfig
	// Now returns the time for certificate validity; nil means time.Now.
	Now func() time.Time
}

// Prober probes targets with fixed options. It is safe for concurrent use.
type Prober struct {
	opts Options
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
	return &Prober{opts: opts}
}

// Probe checks one target within the per-target timeout and returns what happened in each phase.
// It returns by the deadline (or at once when ctx is cancelled) and leaves no goroutine behind.
func (p *Prober) Probe(ctx context.Context, t Target) Result {
	return p.probe(ctx, t, time.Time{}, nil)
}

// maxBody is the most of a response body Fetch keeps.
const maxBody = 1 << 20

// Fetch is Probe with an HTTP GET whatever the options, returning the body (at most 1 MiB) of a 200
// answer; any other status is an http_error. Discovery calls use it, through the same proxy and TLS.
func (p *Prober) Fetch(ctx context.Context, t Target) ([]byte, Result) {
	var body []byte
	r := p.probe(ctx, t, time.Time{}, &body)
	return body, r
}

// errTimedOut is the cause of a probe's context when its time is up, so that a timeout can be told
// from an interruption (the run's context cancelled, by Ctrl-C say).
var errTimedOut = errors.New("the probe's time is up")

// interrupted reports whether ctx ended for another reason than the probe's own deadline.
func interrupted(ctx context.Context) bool {
	return ctx.Err() != nil && !errors.Is(context.Cause(ctx), errTimedOut)
}

func (p *Prober) probe(ctx context.Context, t Target, until time.Time, body *[]byte) Result {
	r := Result{Target: t, Start: time.Now()}
	if ctx.Err() != nil {
		r.fail(ClassCanceled, PhaseQueue, "not started: "+context.Cause(ctx).Error())
		return r
	}
	deadline := time.Now().Add(p.opts.Timeout)
	if !until.IsZero() && until.Before(deadline) {
		deadline = until
	}
	pctx, cancel := context.WithDeadlineCause(ctx, deadline, errTimedOut)
	defer cancel()
	p.run(pctx, &r, body)
	r.Duration = time.Since(r.Start)
	if r.Failure == nil {
		r.Reachable = true
	}
	return r
}

func (p *Prober) run(ctx context.Context, r *Result, body *[]byte) {
	t := r.Target
	if t.ExpectPrivateDNS && !p.checkPrivateDNS(ctx, r) {
		return // never connect to the public address a private endpoint's name resolved to
	}
	px, bypass := p.opts.Proxy.Route(t)
	r.Bypass = bypass
	var conn net.Conn
	var ok, absolute bool
	if px != nil {
		conn, ok, absolute = p.connectViaProxy(ctx, r, px)
		if !absolute {
			px = nil // a tunnel: requests inside it are the endpoint's
		}
	} else {
		conn, ok = p.connect(ctx, r)
	}
	if !ok {
		return
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer func() {
		stop()
		conn.Close()
	}()
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	if t.Scheme == "https" {
		tconn, ok := p.handshake(ctx, conn, r)
		if !ok {
			return
		}
		if p.opts.HTTPS || body != nil {
			p.request(ctx, tconn, r, nil, body)
		}
		return
	}
	p.request(ctx, conn, r, px, body)
}

// connectViaProxy gets a connection to the target through the proxy: a CONNECT or SOCKS tunnel, or, for a
// plain-http target behind an HTTP proxy, a connection to the proxy itself for an absolute-form request
// (absolute is then true). The proxy resolves the name, except with socks5:// where arccheck does.
func (p *Prober) connectViaProxy(ctx context.Context, r *Result, px *Proxy) (conn net.Conn, ok, absolute bool) {
	t := r.Target
	phase := &ProxyPhase{Proxy: px}
	r.Proxy = phase
	dest := t.Address()
	if px.Scheme == "socks5" {
		addrs, ok := p.resolve(ctx, r)
		if !ok {
			return nil, false, false
		}
		dest = net.JoinHostPort(addrs[0].String(), strconv.Itoa(t.Port))
	} else {
		r.DNS = &DNSPhase{Source: DNSSource{Kind: SourceProxy}}
	}
	start := time.Now()
	var err error
	switch {
	case px.forwardsHTTP() && t.Scheme == "http":
		d := &HTTPConnectDialer{Proxy: px}
		conn, err = d.dialProxy(ctx)
		absolute = true
	case px.forwardsHTTP():
		d := &HTTPConnectDialer{Proxy: px, UserAgent: p.opts.UserAgent}
		conn, err = d.DialContext(ctx, "tcp", dest)
		phase.Status = d.LastStatus
	default:
		conn, err = dialSOCKS(ctx, px, dest)
	}
	phase.Duration = time.Since(start)
	if err != nil {
		class := ClassProxyUnreachable
		var pe *ProxyError
		if errors.As(err, &pe) {
			class, phase.Status, phase.AuthSchemes, phase.ProxyCode = pe.Class, pe.Status, pe.AuthSchemes, pe.ProxyCode
		}
		if interrupted(ctx) {
			class = ClassCanceled
		}
		r.fail(class, PhaseProxy, firstLine(err.Error()))
		return nil, false, false
	}
	return conn, true, absolute
}

// ProbeAll probes every target concurrently, at most concurrency at a time (zero: all at once), within
// one timeout of the call, and returns the results in the order of targets. done, if not nil, is called
// as each result is ready (from the probing goroutine).
func (p *Prober) ProbeAll(ctx context.Context, targets []Target, concurrency int, done func(int, Result)) []Result {
	results := make([]Result, len(targets))
	b := p.NewBatch(ctx, concurrency)
	for i, t := range targets {
		b.Go(t, func(r Result) {
			results[i] = r
			if done != nil {
				done(i, r)
			}
		})
	}
	b.Wait()
	return results
}

// Batch probes targets concurrently, at most a fixed number at a time, all within one timeout of the
// batch's start, however many wait for a slot. Targets may be added while it runs (from a done
// callback, say). A target still waiting for a slot when the deadline passes is not probed: its result
// is canceled with a message that says so, never a timeout it did not have.
type Batch struct {
	p     *Prober
	ctx   context.Context
	sem   chan struct{}
	until time.Time
	wg    sync.WaitGroup
}

// NewBatch starts a batch; concurrency zero or less means no bound.
func (p *Prober) NewBatch(ctx context.Context, concurrency int) *Batch {
	if concurrency <= 0 {
		concurrency = 1 << 16
	}
	return &Batch{p: p, ctx: ctx, sem: make(chan struct{}, concurrency), until: time.Now().Add(p.opts.Timeout)}
}

// Go probes t in its own goroutine and calls done with the result (from that goroutine).
func (b *Batch) Go(t Target, done func(Result)) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		select {
		case b.sem <- struct{}{}:
			defer func() { <-b.sem }()
		case <-b.ctx.Done():
		}
		var r Result
		if time.Now().After(b.until) && b.ctx.Err() == nil {
			r = Result{Target: t, Start: time.Now(), Failure: &Finding{Class: ClassCanceled, Phase: PhaseQueue,
				Message: "not started before the run's deadline"}}
		} else {
			r = b.p.probe(b.ctx, t, b.until, nil)
		}
		done(r)
	}()
}

// Wait returns when every target given to Go, including those added meanwhile, has its result.
func (b *Batch) Wait() { b.wg.Wait() }
