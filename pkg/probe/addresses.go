package probe

import (
	"context"
	"net/netip"
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
	r.fail(Finding{Class: ClassAddressUnreachable, Phase: phase, Cause: CauseFamilies, Facts: Facts{Failed: failed, All: a.results}})
}
