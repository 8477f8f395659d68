package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Resolver answers DNS lookups: the system's resolver, or one DNS server.
type Resolver struct {
	server netip.AddrPort // invalid for the system resolver
	r      *net.Resolver
}

// SystemResolver uses the operating system's configuration.
func SystemResolver() *Resolver { return &Resolver{r: net.DefaultResolver} }

// NewServerResolver sends every lookup to the DNS server at addr ("ip" or "ip:port"; port 53 by default).
// The hosts file still applies first, as it does for the agent.
func NewServerResolver(addr string) (*Resolver, error) {
	server, err := ParseDNSServer(addr)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	return &Resolver{server: server, r: &net.Resolver{PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, server.String())
		}}}, nil
}

// ParseDNSServer checks a DNS server address, "ip" or "ip:port" (port 53 by default).
func ParseDNSServer(addr string) (netip.AddrPort, error) {
	if ap, err := netip.ParseAddrPort(addr); err == nil {
		return ap, nil
	}
	if a, err := netip.ParseAddr(strings.Trim(addr, "[]")); err == nil {
		return netip.AddrPortFrom(a, 53), nil
	}
	return netip.AddrPort{}, fmt.Errorf("%q is not a DNS server address (want IP or IP:PORT, e.g. 10.0.0.4 or 127.0.0.1:5353)", addr)
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
	ips, err := res.r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	if len(ips) == 0 {
		return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	for i := range ips {
		ips[i] = ips[i].Unmap()
	}
	return ips, nil
}

// ParseOverride parses curl's --resolve syntax, HOST:PORT:ADDR (PORT may be *), into key and address.
func ParseOverride(s string) (key, addr string, err error) {
	i := strings.Index(s, ":")
	j := strings.Index(s[i+1:], ":")
	if i <= 0 || j < 0 {
		return "", "", fmt.Errorf("%q: want HOST:PORT:ADDRESS (e.g. management.azure.com:443:127.0.0.1)", s)
	}
	host, port, a := strings.ToLower(s[:i]), s[i+1:i+1+j], strings.Trim(s[i+2+j:], "[]")
	if port != "*" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", "", fmt.Errorf("%q: bad port %q (want 1-65535 or *)", s, port)
		}
	}
	if _, err := netip.ParseAddr(a); err != nil {
		return "", "", fmt.Errorf("%q: %q is not an IP address", s, a)
	}
	return host + ":" + port, a, nil
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
	} else if o, ok := p.override(t); ok {
		phase.Source = DNSSource{Kind: SourceOverride}
		addrs = []netip.Addr{o}
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

func (p *Prober) override(t Target) (netip.Addr, bool) {
	host := strings.ToLower(t.Host)
	for _, key := range []string{host + ":" + strconv.Itoa(t.Port), host + ":*"} {
		if a, ok := p.opts.Overrides[key]; ok {
			if addr, err := netip.ParseAddr(a); err == nil {
				return addr, true
			}
		}
	}
	return netip.Addr{}, false
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
