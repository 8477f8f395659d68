package check

import (
	"context"
	"slices"
	"time"

	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
)

// ClassClockSkew (run warning): this machine's clock differs from the servers' by more than MaxClockSkew;
// tokens and certificates fail on a wrong clock.
const ClassClockSkew probe.Class = "clock_skew"

// MaxClockSkew is the skew above which azcmagent check warns (agent 1.29).
const MaxClockSkew = 120 * time.Second

// Clock is this machine's clock compared with the Date header of the HTTP answers the run received.
type Clock struct {
	// Offset is how far this machine's clock is behind the servers' (negative: ahead): the median of
	// the answers' offsets.
	Offset time.Duration
	// Source is the URL whose answer gave the median offset; Answers counts the answers compared.
	Source  string
	Answers int
}

// Skewed reports whether the offset is above MaxClockSkew either way.
func (c *Clock) Skewed() bool {
	return c != nil && (c.Offset > MaxClockSkew || c.Offset < -MaxClockSkew)
}

// clockReading is one answer's Date against the local clock.
type clockReading struct {
	offset time.Duration
	url    string
}

// readingOf returns the reading of a probe's HTTP answer, if it had a Date.
func readingOf(pr probe.Result) (clockReading, bool) {
	h := pr.HTTP
	if h == nil || h.Date.IsZero() || h.Received.IsZero() {
		return clockReading{}, false
	}
	// Date has a resolution of one second and is truncated: half a second is its best estimate.
	return clockReading{offset: h.Date.Add(500 * time.Millisecond).Sub(h.Received).Round(time.Second), url: pr.Target.URL()}, true
}

// clockRequest makes one cheap request for a Date when the run makes none of its own: a GET to the
// first https endpoint, over the path its probe takes. Its answer is not a verdict.
func (r *run) clockRequest(ctx context.Context, jobs []job, discoveries []*discovery) {
	if len(discoveries) > 0 || r.opts.Prober.SendsHTTPS() || slices.ContainsFunc(jobs, func(j job) bool { return j.target.Scheme == "http" }) {
		return
	}
	i := slices.IndexFunc(jobs, func(j job) bool { return j.target.Scheme == "https" })
	if i < 0 {
		return
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		_, res := r.opts.Prober.Fetch(ctx, jobs[i].target)
		r.mu.Lock()
		r.clockProbes = append(r.clockProbes, res)
		r.mu.Unlock()
	}()
}

// judgeClock compares the clock with every Date the run received and, above MaxClockSkew, warns.
func (r *run) judgeClock() {
	var readings []clockReading
	add := func(pr probe.Result) {
		if c, ok := readingOf(pr); ok {
			readings = append(readings, c)
		}
	}
	for _, pr := range r.clockProbes {
		add(pr)
	}
	for _, res := range r.results {
		add(res.Probe)
	}
	for _, rv := range r.rep.Revocation {
		add(rv.Probe)
	}
	if len(readings) == 0 {
		return
	}
	slices.SortStableFunc(readings, func(a, b clockReading) int { return int(a.offset - b.offset) })
	mid := readings[len(readings)/2]
	c := &Clock{Offset: mid.offset, Source: mid.url, Answers: len(readings)}
	r.rep.Clock = c
	if !c.Skewed() {
		return
	}
	t, _ := endpoints.ParseTarget(mid.url)
	r.rep.Warnings = append(r.rep.Warnings, Finding{Finding: probe.Finding{Class: ClassClockSkew, Phase: probe.PhaseHTTP},
		Fix: Fix{Pattern: t.Host, Host: t.Host, Port: t.Port, URL: mid.url, ClockOffset: c.Offset}})
}
