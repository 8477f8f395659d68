// Package check runs a check: it turns a selection of catalog endpoints (and the user's own) into
// probe targets, makes wildcard hosts concrete by live discovery, probes everything concurrently within
// one timeout, and gives each result its verdict and the hint that says what to fix. It is the one
// place where Azure knowledge (pkg/endpoints) meets network code (pkg/probe).
package check

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
)

// Origin says where a probed endpoint came from.
type Origin string

// The origins.
const (
	OriginCatalog    Origin = "catalog"    // a concrete host of the catalog
	OriginDiscovered Origin = "discovered" // found by live discovery for a catalog pattern
	OriginUser       Origin = "user"       // given with --endpoint
)

// Options configure a run.
type Options struct {
	// Plan is the catalog selection; nil checks only Extra.
	Plan *endpoints.Plan
	// Extra are the user's own endpoints (--endpoint), always required.
	Extra []endpoints.Target
	// Prober probes targets; required.
	Prober *probe.Prober
	// Concurrency bounds the probes in flight; zero means all at once.
	Concurrency int
	// Progress, if set, is called as each endpoint's result is ready (from any goroutine).
	Progress func(Result)
}

// Result is one probed endpoint with its verdict.
type Result struct {
	probe.Result
	// Pattern is the catalog endpoint it stands for (with <region> filled in), or the URL for --endpoint.
	Pattern string
	// Entry is the catalog entry, nil for --endpoint.
	Entry    *endpoints.Entry
	Origin   Origin
	Required bool
}

// URL is the concrete URL probed.
func (r *Result) URL() string { return r.Target.URL() }

// NotTested is a pattern (or part of one) that could not be probed, with the reason.
type NotTested struct {
	Pattern  string
	Reason   string
	Required bool
}

// Report is everything a run found.
type Report struct {
	Start    time.Time
	Duration time.Duration
	Plan     *endpoints.Plan
	// Results are sorted by URL, as azcmagent sorts its rows.
	Results   []Result
	NotTested []NotTested
	// Interrupted is set when the run was cancelled before it finished.
	Interrupted bool
}

// Summary counts a report's results.
type Summary struct {
	Endpoints           int `json:"endpoints"`
	Reachable           int `json:"reachable"`
	Unreachable         int `json:"unreachable"`
	RequiredUnreachable int `json:"requiredUnreachable"`
	Canceled            int `json:"canceled"`
	NotTested           int `json:"notTested"`
}

// Summary counts the results.
func (r *Report) Summary() Summary {
	s := Summary{Endpoints: len(r.Results), NotTested: len(r.NotTested)}
	for _, res := range r.Results {
		switch {
		case res.Reachable:
			s.Reachable++
		case res.Failure != nil && res.Failure.Class == probe.ClassCanceled:
			s.Canceled++
		default:
			s.Unreachable++
			if res.Required {
				s.RequiredUnreachable++
			}
		}
	}
	return s
}

// Failed reports whether a required endpoint is unreachable.
func (r *Report) Failed() bool { return r.Summary().RequiredUnreachable > 0 }

// job is one target to probe and what it stands for.
type job struct {
	target   probe.Target
	pattern  string
	entry    *endpoints.Entry
	origin   Origin
	required bool
}

// Run checks every endpoint of the options. It returns when all probes have finished: within about one
// probe timeout, or at once when ctx is cancelled (the rest marked canceled).
func Run(ctx context.Context, opts Options) *Report {
	rep := &Report{Start: time.Now(), Plan: opts.Plan}
	jobs := planJobs(opts, rep)
	targets := make([]probe.Target, len(jobs))
	for i, j := range jobs {
		targets[i] = j.target
	}
	results := opts.Prober.ProbeAll(ctx, targets, opts.Concurrency, func(i int, r probe.Result) {
		if opts.Progress != nil {
			opts.Progress(jobs[i].result(r))
		}
	})
	for i, r := range results {
		rep.Results = append(rep.Results, jobs[i].result(r))
	}
	sort.SliceStable(rep.Results, func(i, j int) bool { return rep.Results[i].URL() < rep.Results[j].URL() })
	rep.Interrupted = ctx.Err() != nil
	rep.Duration = time.Since(rep.Start)
	return rep
}

func (j job) result(r probe.Result) Result {
	return Result{Result: r, Pattern: j.pattern, Entry: j.entry, Origin: j.origin, Required: j.required}
}

// planJobs turns the plan and the user's endpoints into probe jobs (one per distinct URL) and records
// what cannot be tested.
func planJobs(opts Options, rep *Report) []job {
	var jobs []job
	seen := map[string]bool{}
	add := func(j job) {
		if u := j.target.URL(); !seen[u] {
			seen[u] = true
			jobs = append(jobs, j)
		}
	}
	if p := opts.Plan; p != nil {
		for _, ep := range p.Endpoints {
			for _, t := range ep.Targets {
				add(job{target: probeTarget(p, ep, t), pattern: ep.Pattern, entry: ep.Entry, origin: OriginCatalog, required: ep.Required})
			}
			for _, reason := range ep.NotTested {
				rep.NotTested = append(rep.NotTested, NotTested{Pattern: ep.Pattern, Reason: reason, Required: ep.Required})
			}
			for _, d := range ep.Discover {
				rep.NotTested = append(rep.NotTested, NotTested{Pattern: ep.Pattern, Required: ep.Required,
					Reason: tokenName(d.Token) + ": found only by live discovery, which this version does not run; allow the pattern"})
			}
		}
	}
	for _, t := range opts.Extra {
		add(job{target: probe.Target{Scheme: t.Scheme, Host: t.Host, Port: t.Port, Path: t.Path}, pattern: t.URL,
			origin: OriginUser, required: true})
	}
	return jobs
}

// tokenName says in words what a discovery token stands for.
func tokenName(token string) string {
	switch token {
	case endpoints.TokenHISShard:
		return "regional hybrid identity shard"
	case endpoints.TokenNotificationHosts:
		return "notification-service Service Bus hosts"
	}
	return strings.Trim(token, "{}")
}

// probeTarget makes a probe target of a catalog target, with what the catalog knows about it.
func probeTarget(p *endpoints.Plan, ep endpoints.Endpoint, t endpoints.Target) probe.Target {
	return probe.Target{Scheme: t.Scheme, Host: t.Host, Port: t.Port, Path: t.Path,
		ExpectIssuers: slices.Clone(p.Cloud.Issuers), AllowedTLS: ep.Entry.TLS}
}
