package probe

import (
	"cmp"
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"
)

// connect resolves the target and opens a TCP connection to it. With every set and several addresses,
// every address is also probed on its own, alongside.
func (p *Prober) connect(ctx context.Context, r *Result, every *addressProbes) (net.Conn, bool) {
	addrs, ok := p.resolve(ctx, r)
	if !ok {
		return nil, false
	}
	if every != nil && len(addrs) > 1 {
		every.start(ctx, p, r.Target, addrs)
	}
	return p.dialAddresses(ctx, r, addrs)
}

// dialAddresses tries each address in turn within the connect timeout, recording every attempt.
func (p *Prober) dialAddresses(ctx context.Context, r *Result, addrs []netip.Addr) (net.Conn, bool) {
	phase := &TCPPhase{}
	r.TCP = phase
	start := time.Now()
	var d net.Dialer
	dial := func(ctx context.Context, a netip.AddrPort) (net.Conn, error) {
		return d.DialContext(ctx, "tcp", a.String())
	}
	conn, attempts, err := dialShared(ctx, p.opts.ConnectTimeout, addrPorts(addrs, r.Target.Port), dial, nil)
	phase.Attempts = attempts
	phase.Duration = time.Since(start)
	if err == nil {
		phase.Address = attempts[len(attempts)-1].Address
		return conn, true
	}
	class := cmp.Or(classifyConn(err, ctx, ClassTCPTimeout), ClassTCPRefused) // or any other local refusal
	r.fail(errFinding(ctx, class, PhaseTCP, err))
	return nil, false
}

// addrPorts pairs each address with the port.
func addrPorts(addrs []netip.Addr, port int) []netip.AddrPort {
	out := make([]netip.AddrPort, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, netip.AddrPortFrom(a, uint16(port)))
	}
	return out
}

// dialShared tries dial on each address in turn until one connects, all within budget (and ctx). Each
// attempt gets an equal share of the time left, with no floor, so that a dead address leaves time for
// the next, and one that fails at once leaves its share to the rest. It stops early when last says an
// error ends the search (the proxy itself failed, say). It returns the attempts and the last error.
func dialShared(ctx context.Context, budget time.Duration, addrs []netip.AddrPort,
	dial func(context.Context, netip.AddrPort) (net.Conn, error), last func(error) bool) (net.Conn, []Attempt, error) {
	cctx := ctx
	if deadline, ok := ctx.Deadline(); !ok || time.Until(deadline) > budget {
		// A timer of its own only when the connect budget ends before the probe does (--connect-timeout):
		// by default the run's one deadline bounds every connect, without a timer per probe.
		var cancel context.CancelFunc
		cctx, cancel = context.WithTimeout(ctx, budget)
		defer cancel()
	}
	var attempts []Attempt
	var lastErr error
	for i, a := range addrs {
		actx, acancel := cctx, context.CancelFunc(func() {})
		if deadline, ok := cctx.Deadline(); ok && i < len(addrs)-1 {
			actx, acancel = context.WithTimeout(cctx, time.Until(deadline)/time.Duration(len(addrs)-i))
		}
		start := time.Now()
		conn, err := dial(actx, a)
		acancel()
		at := Attempt{Address: a, Duration: time.Since(start)}
		if err == nil {
			return conn, append(attempts, at), nil
		}
		at.Error = firstLine(err.Error())
		attempts = append(attempts, at)
		lastErr = err
		if cctx.Err() != nil || (last != nil && last(err)) {
			break
		}
	}
	return nil, attempts, lastErr
}

// classifyConn names a connection-level error; timeout is the class to use for a timeout in this phase.
func classifyConn(err error, ctx context.Context, timeout Class) Class {
	switch {
	case interrupted(ctx):
		return ClassCanceled
	case localExhaustion(err):
		return ClassLocalResources
	case noRouteHere(err):
		return ClassNoRoute
	case errors.Is(err, syscall.ECONNREFUSED), unreachable(err), errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		// Refused outright: a RST, or an ICMP unreachable/prohibited answer from a firewall or router.
		return ClassTCPRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return ClassTCPReset
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded), isTimeout(err):
		return timeout
	}
	return ""
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
