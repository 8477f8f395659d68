package probe

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// addressProbes are the probes of every address of one name (Options.AllAddresses), run alongside the
// target's own connection and within its context.
type addressProbes struct {
	wg      sync.WaitGroup
	results []AddressResult
}

// start probes each address in its own goroutine: TCP, then the TLS handshake for an https target.
func (a *addressProbes) start(ctx context.Context, p *Prober, t Target, addrs []netip.Addr) {
	a.results = make([]AddressResult, len(addrs))
	for i, addr := range addrs {
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			a.results[i] = p.probeAddress(ctx, t, addr)
		}()
	}
}

// probeAddress connects to one address and, for https, completes the handshake.
func (p *Prober) probeAddress(ctx context.Context, t Target, addr netip.Addr) AddressResult {
	start := time.Now()
	sub := &Result{Target: t}
	conn, ok := p.dialAddresses(ctx, sub, []netip.Addr{addr})
	if ok {
		conn = p.hook(ctx, conn)
		if t.Scheme == "https" {
			p.handshake(ctx, conn, sub)
		}
		conn.Close()
	}
	return AddressResult{Address: netip.AddrPortFrom(addr, uint16(t.Port)), Duration: time.Since(start), Failure: sub.Failure}
}

// judge waits for the probes and, when the target itself passed but an address did not, fails it
// with ClassAddressUnreachable naming the addresses and families that failed.
func (a *addressProbes) judge(r *Result) {
	a.wg.Wait()
	r.Addresses = a.results
	if r.Failure != nil || len(a.results) == 0 {
		return
	}
	var failed []AddressResult
	for _, ar := range a.results {
		if ar.Failure != nil && ar.Failure.Class != ClassCanceled {
			failed = append(failed, ar)
		}
	}
	if len(failed) == 0 {
		return
	}
	phase := PhaseTCP
	if failed[0].Failure.Phase == PhaseTLS {
		phase = PhaseTLS
	}
	r.fail(ClassAddressUnreachable, phase, addressMessage(a.results, failed))
}

// addressMessage says which addresses failed, family by family: "IPv6 path black-holed: [::1]:443
// (tcp_timeout)" when every address of a family timed out, the addresses one by one otherwise.
func addressMessage(all, failed []AddressResult) string {
	var parts []string
	for _, fam := range []struct {
		name string
		is   func(netip.Addr) bool
	}{{"IPv4", func(a netip.Addr) bool { return a.Unmap().Is4() }}, {"IPv6", func(a netip.Addr) bool { return !a.Unmap().Is4() }}} {
		var bad []string
		total, timeouts := 0, 0
		for _, ar := range all {
			if fam.is(ar.Address.Addr()) {
				total++
			}
		}
		for _, ar := range failed {
			if !fam.is(ar.Address.Addr()) {
				continue
			}
			bad = append(bad, ar.Address.String()+" ("+string(ar.Failure.Class)+": "+ar.Failure.Message+")")
			if ar.Failure.Class == ClassTCPTimeout {
				timeouts++
			}
		}
		switch {
		case len(bad) == 0:
		case len(bad) == total && timeouts == total:
			parts = append(parts, fam.name+" path black-holed: "+strings.Join(bad, ", "))
		case len(bad) == total:
			parts = append(parts, fam.name+" path fails: "+strings.Join(bad, ", "))
		default:
			parts = append(parts, fam.name+" address fails: "+strings.Join(bad, ", "))
		}
	}
	return strings.Join(parts, "; ") + "; the connection succeeded to another address, but clients that pick these fail"
}
