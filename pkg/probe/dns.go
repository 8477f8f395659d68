package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// Resolver answers DNS lookups: the system's resolver, or one DNS server.
type Resolver struct {
	server netip.AddrPort // invalid for the system resolver
}

// SystemResolver uses the operating system's configuration.
func SystemResolver() *Resolver { return &Resolver{} }

// netResolver returns a resolver for one lookup. A net.Resolver shares concurrent lookups of a name and
// lets a shared lookup run on, past the deadlines of all who asked, until the DNS configuration's own
// timeouts (seconds); a resolver of its own makes each lookup end with its probe's context, and the
// dialer closes its connection then, which a DNS exchange does not watch.
func (r *Resolver) netResolver() *net.Resolver {
	server := r.server
	return &net.Resolver{PreferGo: server.IsValid(), Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if server.IsValid() {
			addr = server.String()
		}
		var d net.Dialer
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		context.AfterFunc(ctx, func() { c.Close() }) // ctx ends with the exchange at the latest
		return c, nil
	}}
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
	if a, err := netip.ParseAddr(strings.Trim(addr, "[]")); err == nil {
		return netip.AddrPortFrom(a, 53), nil
	}
	return netip.AddrPort{}, fmt.Errorf("%q is not a DNS server address (want IP or IP:PORT with PORT 1-65535, e.g. 10.0.0.4 or 127.0.0.1:5353)", addr)
}

// namingServer makes a DNS error name the server that was asked: Go fills DNSError.Server from
// resolv.conf even when the resolver's Dial sends every query elsewhere.
func (r *Resolver) namingServer(err error) error {
	var de *net.DNSError
	if !r.server.IsValid() || !errors.As(err, &de) {
		return err
	}
	named := *de
	named.Server = r.server.String()
	return &named
}

// Source says where answers come from: the system resolver, or one server.
func (r *Resolver) Source() DNSSource {
	if r == nil || !r.server.IsValid() {
		return DNSSource{Kind: SourceSystem}
	}
	return DNSSource{Kind: SourceServer, Server: r.server}
}

// Lookup returns the addresses of host, ordered for connecting.
func (r *Resolver) Lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	res := r
	if res == nil {
		res = SystemResolver()
	}
	ips, err := res.netResolver().LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, res.namingServer(err)
	}
	if len(ips) == 0 {
		return nil, res.namingServer(&net.DNSError{Err: "no addresses", Name: host, IsNotFound: true})
	}
	for i := range ips {
		ips[i] = ips[i].Unmap()
	}
	return ips, nil
}

// resolve finds the addresses to connect to: an IP literal, an override, or a DNS lookup.
func (p *Prober) resolve(ctx context.Context, r *Result) ([]netip.Addr, bool) {
	t := r.Target
	start := time.Now()
	phase := &DNSPhase{}
	r.DNS = phase
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(strings.Trim(t.Host, "[]")); err == nil {
		phase.Source = DNSSource{Kind: SourceLiteral}
		addrs = []netip.Addr{a}
	} else if _, o, ok := p.opts.Overrides.Match(t.Host, t.Port); ok {
		phase.Source = DNSSource{Kind: SourceOverride}
		addrs = o
	} else {
		phase.Source = p.opts.Resolver.Source()
		var err error
		addrs, err = p.opts.Resolver.Lookup(ctx, t.Host)
		phase.Duration = time.Since(start)
		if err != nil {
			r.fail(classifyDNS(err, ctx), PhaseDNS, firstLine(err.Error()))
			return nil, false
		}
	}
	phase.Duration = time.Since(start)
	phase.Addresses = addressesOf(addrs)
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

func classifyDNS(err error, ctx context.Context) Class {
	if interrupted(ctx) {
		return ClassCanceled
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		switch {
		case de.IsNotFound:
			return ClassDNSNotFound
		case de.IsTimeout:
			return ClassDNSTimeout
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
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
