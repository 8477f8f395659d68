package probe

import (
	"context"
	"sync"
	"time"
)

// ProbeAll probes every target concurrently, at most concurrency at a time (zero: all at once), within
// one timeout of the call, and returns the results in the order of targets. done, if not nil, is called
// as each result is ready (from the probing goroutine).
func (p *Prober) ProbeAll(ctx context.Context, targets []Target, concurrency int, done func(int, Result)) []Result {
	results := make([]Result, len(targets))
	b := p.NewBatch(ctx, concurrency)
	for i, t := range targets {
		b.Go(t, func(r *Result) {
			results[i] = *r
			if done != nil {
				done(i, *r)
			}
		})
	}
	b.Wait()
	return results
}

// Batch probes targets concurrently, at most a fixed number at a time, all within one timeout of the
// batch's start, however many wait for a slot. Targets may be added while it runs (from a done
// callback, say). A target still waiting for a slot when the deadline passes is not probed: its result
// is canceled (CauseNotStarted), never a timeout it did not have.
type Batch struct {
	p   *Prober
	ctx context.Context
	// probeCtx is ctx ending at until, for errTimedOut: the probes' context. end ends it with Wait.
	probeCtx context.Context
	end      context.CancelFunc
	sem      chan struct{}
	until    time.Time
	wg       sync.WaitGroup
}

// NewBatch starts a batch; concurrency zero or less means no bound.
func (p *Prober) NewBatch(ctx context.Context, concurrency int) *Batch {
	if concurrency <= 0 {
		concurrency = 1 << 16
	}
	b := &Batch{p: p, ctx: ctx, sem: make(chan struct{}, concurrency), until: time.Now().Add(p.opts.Timeout)}
	b.probeCtx, b.end = context.WithDeadlineCause(ctx, b.until, errTimedOut)
	return b
}

// Go probes t in its own goroutine and calls done with the result (from that goroutine; the result is
// done's to keep: a pointer, so that no hop copies it).
func (b *Batch) Go(t Target, done func(*Result)) {
	if t.Scheme == "https" {
		b.p.warm()
	}
	b.wg.Add(1)
	go b.one(&t, done)
}

// one is Go's goroutine. Its frame, and those under it while the probe waits for the network, hold no
// result or finding (see notStarted).
func (b *Batch) one(t *Target, done func(*Result)) {
	slot := b.acquire()
	done(b.result(t))
	if slot {
		b.release()
	}
	b.wg.Done()
}

// result probes t, or, when the batch's deadline passed while t waited for a slot, says it was not
// started.
//
//go:noinline
func (b *Batch) result(t *Target) *Result {
	r := new(Result)
	if time.Now().After(b.until) && b.ctx.Err() == nil {
		tooLate(t, r)
	} else {
		b.p.probeInto(b.probeCtx, t, b.until, nil, r)
		b.cutShort(r)
	}
	return r
}

// tooLate is the result of a target that waited for a slot past the batch's deadline.
//
//go:noinline
func tooLate(t *Target, r *Result) {
	*r = Result{Target: *t, Start: time.Now(), Failure: &Finding{Class: ClassCanceled, Phase: PhaseQueue, Cause: CauseNotStarted}}
}

// acquire waits for a slot and reports whether it got one (false: the batch's context ended first).
//
//go:noinline
func (b *Batch) acquire() bool {
	select {
	case b.sem <- struct{}{}:
		return true
	case <-b.ctx.Done():
		return false
	}
}

// release gives back a slot acquire got.
func (b *Batch) release() { <-b.sem }

// cutShort makes a probe that started so late that it had less than half its timeout, and failed as the
// run's deadline came, not probed to a verdict (canceled), rather than a timeout it never had the time
// for: a revocation URL or a discovered host probed near the end of the run.
//
//go:noinline
func (b *Batch) cutShort(r *Result) {
	granted := b.until.Sub(r.Start)
	if r.Failure == nil || r.Failure.Class == ClassCanceled || granted >= b.p.opts.Timeout/2 || time.Now().Before(b.until) {
		return
	}
	r.Failure = &Finding{Class: ClassCanceled, Phase: r.Failure.Phase, Cause: CauseCutShort,
		Facts: Facts{Granted: granted.Round(time.Millisecond), Budget: b.p.opts.Timeout, Cut: r.Failure}}
	r.Reachable = false
}

// Wait returns when every target given to Go, including those added meanwhile, has its result. The
// batch is over then: a target given to it later is not probed (its result is canceled).
func (b *Batch) Wait() {
	b.wg.Wait()
	b.end()
}
