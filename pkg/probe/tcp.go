package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"
)

// minAttempt is the least time one address gets when several share the connect timeout.
const minAttempt = 2 * time.Second

// connect resolves the target and opens a TCP connection to it.
func (p *Prober) connect(ctx context.Context, r *Result) (net.Conn, bool) {
	addrs, ok := p.resolve(ctx, r)
	if !ok {
		return nil, false
	}
	return p.dialAddresses(ctx, r, addrs)
}

// dialAddresses tries each address in turn; several addresses share the connect timeout, as Go's own
// dialer does, so that one black-holed address does not use it all.
func (p *Prober) dialAddresses(ctx context.Context, r *Result, addrs []netip.Addr) (net.Conn, bool) {
	cctx, cancel := context.WithTimeout(ctx, p.opts.ConnectTimeout)
	defer cancel()
	phase := &TCPPhase{}
	r.TCP = phase
	start := time.Now()
	var lastErr error
	for i, a := range addrs {
		actx := cctx
		if deadline, ok := cctx.Deadline(); ok && i < len(addrs)-1 {
			share := time.Until(deadline) / time.Duration(len(addrs)-i)
			var c context.CancelFunc
			actx, c = context.WithTimeout(cctx, max(share, min(minAttempt, time.Until(deadline))))
			defer c()
		}
		addr := netip.AddrPortFrom(a, uint16(r.Target.Port))
		attemptStart := time.Now()
		var d net.Dialer
		conn, err := d.DialContext(actx, "tcp", addr.String())
		at := Attempt{Address: addr, Duration: time.Since(attemptStart)}
		if err == nil {
			phase.Attempts = append(phase.Attempts, at)
			phase.Address = addr
			phase.Duration = time.Since(start)
			return conn, true
		}
		at.Error = err.Error()
		phase.Attempts = append(phase.Attempts, at)
		lastErr = err
		if cctx.Err() != nil {
			break
		}
	}
	phase.Duration = time.Since(start)
	class := classifyConn(lastErr, ctx, ClassTCPTimeout)
	if class == "" {
		class = ClassTCPRefused // any other local or routing refusal to connect
	}
	r.fail(class, PhaseTCP, firstLine(lastErr.Error()))
	return nil, false
}

// classifyConn names a connection-level error; timeout is the class to use for a timeout in this phase.
func classifyConn(err error, ctx context.Context, timeout Class) Class {
	switch {
	case interrupted(ctx):
		return ClassCanceled
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
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
