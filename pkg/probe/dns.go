package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/arccheck/arccheck/internal/hostport"
)

// Resolver answers DNS lookups: the system's resolver, or one DNS server.
type Resolver struct {
	server netip.AddrPort // invalid for the system resolver
}

// SystemResolver uses the operating system's configuration.
func SystemResolver() *Resolver { return &Resolver{} }

// netResolver returns a resolver for one lookup, whose dials d records. A net.Resolver shares concurrent
// lookups of a name and lets a shared lookup run on, past the deadlines of all who asked, until the DNS
// configuration's own timeouts (seconds); a resolver of its own makes each lookup end with its probe's
// context. When an exchange's context ends, its connection's deadline is moved to the past: the
// exchange does not watch the context, and the read then fails as a timeout, never as a read from a
// closed connection.
func (r *Resolver) netResolver(d *dials) *net.Resolver {
	server := r.server
	return &net.Resolver{PreferGo: server.IsValid(), Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if server.IsValid() {
			addr = server.String()
		}
		var nd net.Dialer
		c, err := nd.DialContext(ctx, network, addr)
		d.record(addr, err)
		if err != nil {
			return nil, err
		}
		if deadline, ok := ctx.Deadline(); ok {
			c.SetDeadline(deadline)
		}
		context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) }) // a deadline passed: reads end now
		return c, nil
	}}
}

// dials is what the dials of one lookup saw: the server last asked, and a local shortage (file
// descriptors, buffers) that kept a socket from opening, which the resolver's error only names in words.
type dials struct {
	mu       sync.Mutex
	server   string
	shortage error
}

func (d *dials) record(server string, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.server = server
	if localExhaustion(err) {
		d.shortage = err
	}
}

// explain gives a DNS error what the dials saw: the server asked (Go fills DNSError.Server from
// resolv.conf even when the resolver's Dial sends every query elsewhere, and leaves it empty when the
// lookup's context ended first), and a local shortage to unwrap to.
func (d *dials) explain(err error) error {
	var de *net.DNSError
	if !errors.As(err, &de) {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	named := *de
	if d.server != "" {
		named.Server = d.server
	}
	// A shortage explains a lookup that got no answer; an answer (NXDOMAIN) came from a server, so one
	// failed dial among its exchanges says nothing about it.
	if d.shortage != nil && named.UnwrapErr == nil && !named.IsNotFound {
		named.UnwrapErr = d.shortage
	}
	return &named
}

// NewServerResolver sends every lookup to the DNS server at addr ("ip" or "ip:port"; port 53 by default).
// The hosts file still applies first, as it does for the agent.
func NewServerResolver(addr string) (*Resolver, error) {
	server, err := ParseDNSServer(addr)
	if err != nil {
		return nil, err
	}
	return &Resolver{server: server}, nil
}

// ParseDNSServer checks a DNS server address, "ip" or "ip:port" (port 53 by default; port 0 is refused).
func ParseDNSServer(addr string) (netip.AddrPort, error) {
	if ap, err := netip.ParseAddrPort(addr); err == nil && ap.Port() != 0 {
		return ap, nil
	}
	if a, err := netip.ParseAddr(hostport.Unbracketed(addr)); err == nil {
		return netip.AddrPortFrom(a, 53), nil
	}
	return netip.AddrPort{}, fmt.Errorf("%q is not a DNS server address (want IP or IP:PORT with PORT 1-65535, e.g. 10.0.0.4 or 127.0.0.1:5353)", addr)
}

// Source says where answers come from: the system resolver, or one server.
func (r *Resolver) Source() DNSSource {
	if r == nil || !r.server.IsValid() {
		return DNSSource{Kind: SourceSystem}
	}
	return DNSSource{Kind: SourceServer, Server: r.server}
}

// maxAddresses is the most addresses of one name a lookup keeps. Go's resolver reads at most 1232 bytes
// of an answer over UDP (its EDNS0 size; a larger answer comes truncated and is asked again over TCP)
// and 65535 bytes over TCP (the length prefix): up to some 4,000 A or 2,300 AAAA records, to each of
// which the all-addresses probe would open a connection.
const maxAddresses = 32

// Lookup returns the addresses of host, ordered for connecting; at most maxAddresses of them.
func (r *Resolver) Lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	res := r
	if res == nil {
		res = SystemResolver()
	}
	d := &dials{}
	ips, err := res.netResolver(d).LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, d.explain(err)
	}
	if len(ips) == 0 {
		return nil, d.explain(&net.DNSError{Err: "no addresses", Name: host, IsNotFound: true})
	}
	for i := range ips {
		ips[i] = ips[i].Unmap()
	}
	return capAddresses(ips, maxAddresses), nil
}

// capAddresses keeps at most limit addresses, in their order, sharing the places between the families:
// each keeps up to half, and the other's unused half.
func capAddresses(addrs []netip.Addr, limit int) []netip.Addr {
	if len(addrs) <= limit {
		return addrs
	}
	var v4 int
	for _, a := range addrs {
		if a.Is4() {
			v4++
		}
	}
	keep4 := min(v4, limit-min(len(addrs)-v4, limit/2))
	keep6 := limit - keep4
	out := make([]netip.Addr, 0, limit)
	for _, a := range addrs {
		if a.Is4() && keep4 > 0 {
			out, keep4 = append(out, a), keep4-1
		} else if !a.Is4() && keep6 > 0 {
			out, keep6 = append(out, a), keep6-1
		}
	}
	return out
}

// resolve finds the addresses to connect to: an IP literal, an override, or a DNS lookup. A DNS answer
// with only addresses no server has fails as dns_filtered, before any connection.
func (p *Prober) resolve(ctx context.Context, r *Result) ([]netip.Addr, bool) {
	t := r.Target
	start := time.Now()
	phase := &DNSPhase{}
	r.DNS = phase
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(hostport.Unbracketed(t.Host)); err == nil {
		phase.Source = DNSSource{Kind: SourceLiteral}
		addrs = []netip.Addr{a}
	} else if _, o, ok := p.opts.Overrides.Match(t.Host, t.Port); ok {
		phase.Source = DNSSource{Kind: SourceOverride}
		addrs = o
	} else {
		phase.Source = p.opts.Resolver.Source()
		var err error
		addrs, err = p.opts.Resolver.Lookup(ctx, t.Host)
		if err != nil {
			phase.Duration = time.Since(start)
			failDNS(ctx, r, PhaseDNS, err)
			return nil, false
		}
	}
	phase.Duration = time.Since(start)
	phase.Addresses = addressesOf(addrs)
	if phase.Source.Kind == SourceSystem || phase.Source.Kind == SourceServer {
		if f, filtered := filteredAnswer(PhaseDNS, t.Host, addrs); filtered {
			r.fail(f)
			return nil, false
		}
	}
	return interleave(addrs), true
}

// addressesOf records resolved addresses with whether each is private.
func addressesOf(addrs []netip.Addr) []Address {
	out := make([]Address, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, Address{IP: a, Private: IsPrivate(a)})
	}
	return out
}

// failDNS records a failed lookup in phase.
func failDNS(ctx context.Context, r *Result, phase Phase, err error) {
	r.fail(errFinding(ctx, classifyDNS(err, ctx), phase, err))
}

// classifyDNS names a failed lookup. Past the probe's deadline, whatever the resolver said, it is a
// timeout; an interruption is a cancellation.
func classifyDNS(err error, ctx context.Context) Class {
	var de *net.DNSError
	isDNS := errors.As(err, &de)
	switch {
	case interrupted(ctx):
		return ClassCanceled
	case isDNS && de.IsNotFound: // an answer came: whatever else ran out, the server said so
		return ClassDNSNotFound
	case localExhaustion(err):
		return ClassLocalResources
	case isDNS && de.IsTimeout, deadlineHit(ctx, err), errors.Is(err, context.DeadlineExceeded):
		return ClassDNSTimeout
	}
	return ClassDNSError
}

// interleave alternates address families, starting with the family of the first (RFC 8305, 4).
func interleave(addrs []netip.Addr) []netip.Addr {
	var first, second []netip.Addr
	for _, a := range addrs {
		if a.Is4() == addrs[0].Is4() {
			first = append(first, a)
		} else {
			second = append(second, a)
		}
	}
	out := make([]netip.Addr, 0, len(addrs))
	for i := 0; i < len(first) || i < len(second); i++ {
		if i < len(first) {
			out = append(out, first[i])
		}
		if i < len(second) {
			out = append(out, second[i])
		}
	}
	return out
}
