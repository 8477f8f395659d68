package probe

import (
	"context"
	"net/netip"
	"time"
)

// checkPrivateDNS resolves the target's name locally (never through a proxy, never from --resolve
// overrides: the check is about what DNS answers) and requires a private address. The IPv4 answer is
// preferred when there is one, as the agent prefers it; a public AAAA record beside a private A record
// is a warning; an answer of only addresses no server has is a DNS filter's. It returns false when the
// probe must stop.
func (p *Prober) checkPrivateDNS(ctx context.Context, r *Result) bool {
	t := r.Target
	phase := &DNSPhase{Source: p.opts.Resolver.Source()}
	r.PrivateDNS = phase
	start := time.Now()
	addrs, err := p.opts.Resolver.Lookup(ctx, t.Host)
	phase.Duration = time.Since(start)
	if err != nil {
		failDNS(ctx, r, PhasePrivateDNS, err)
		return false
	}
	phase.Addresses = addressesOf(addrs)
	if f, filtered := filteredAnswer(PhasePrivateDNS, t.Host, addrs); filtered {
		r.fail(f)
		return false
	}
	var v4, public, public6 []netip.Addr
	for _, a := range addrs {
		if a.Is4() {
			v4 = append(v4, a)
		}
	}
	for _, a := range addrs {
		if IsPrivate(a) {
			continue
		}
		if a.Is4() || len(v4) == 0 {
			public = append(public, a)
		} else {
			public6 = append(public6, a)
		}
	}
	if len(public) > 0 {
		r.fail(Finding{Class: ClassPrivateDNSPublic, Phase: PhasePrivateDNS, Facts: Facts{Host: t.Host, Addrs: public}})
		return false
	}
	if len(public6) > 0 {
		r.warn(Finding{Class: ClassPrivateDNSAAAAPublic, Phase: PhasePrivateDNS, Facts: Facts{Host: t.Host, Addrs: public6}})
	}
	return true
}
