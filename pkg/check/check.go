// Package check runs a check: it turns a selection of catalog endpoints (and the user's own) into
// probe targets, makes wildcard hosts concrete by live discovery, probes everything concurrently within
// one timeout, and gives each result its verdict and the hint that says what to fix. It is the one
// place where Azure knowledge (pkg/endpoints) meets network code (pkg/probe).
package check

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
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

// Classes that only a check (knowing the mode) gives, as warnings.
const (
	// ClassGatewayProxyBypass: NO_PROXY bypasses the proxy for a gateway-mode endpoint, which the
	// gateway does not support.
	ClassGatewayProxyBypass probe.Class = "gateway_proxy_bypass"
	// ClassPrivateLinkViaProxy: a private endpoint was reached through the proxy, which resolves names
	// itself; the agent needs its proxy bypass for private endpoints.
	ClassPrivateLinkViaProxy probe.Class = "private_link_via_proxy"
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
	// Fix says what to change for the failure; Warnings' fixes follow the warnings' order.
	Fix          *Fix
	WarningFixes []Fix
}

// URL is the concrete URL probed.
func (r *Result) URL() string { return r.Target.URL() }

// NotTested is a pattern (or part of one) that could not be probed, with the reason.
type NotTested struct {
	Pattern  string
	Reason   string
	Required bool
}

// Discovery is one live call that makes a pattern concrete.
type Discovery struct {
	Token string
	URL   string
	// Hosts are the host names it answered; empty when it failed.
	Hosts []string
	// Failure says why it failed; nil on success.
	Failure *probe.Failure
}

// Report is everything a run found.
type Report struct {
	Start    time.Time
	Duration time.Duration
	Plan     *endpoints.Plan
	// Results are sorted by URL, as azcmagent sorts its rows.
	Results     []Result
	NotTested   []NotTested
	Discoveries []Discovery
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
	Warnings            int `json:"warnings"`
	NotTested           int `json:"notTested"`
}

// Summary counts the results.
func (r *Report) Summary() Summary {
	s := Summary{Endpoints: len(r.Results), NotTested: len(r.NotTested)}
	for _, res := range r.Results {
		s.Warnings += len(res.Warnings)
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

// discovery is a live call to make, and the endpoints waiting for its answer.
type discovery struct {
	token, url string
	waiting    []endpoints.Endpoint
}

// run is the state of one check while it runs.
type run struct {
	opts    Options
	rep     *Report
	batch   *probe.Batch
	mu      sync.Mutex
	wg      sync.WaitGroup // the discovery calls
	seen    map[string]bool
	results []Result
}

// Run checks every endpoint of the options. Discovery calls run alongside the other probes and their
// hosts join the same batch, so a run lasts at most one probe timeout, or ends at once when ctx is
// cancelled (the rest marked canceled).
func Run(ctx context.Context, opts Options) *Report {
	r := &run{opts: opts, rep: &Report{Start: time.Now(), Plan: opts.Plan}, seen: map[string]bool{},
		batch: opts.Prober.NewBatch(ctx, opts.Concurrency)}
	jobs, discoveries := r.plan()
	for _, j := range jobs {
		r.launch(j)
	}
	for _, d := range discoveries {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.discover(ctx, d)
		}()
	}
	r.wg.Wait() // discoveries first: they add to the batch
	r.batch.Wait()
	rep := r.rep
	rep.Results = r.results
	sort.SliceStable(rep.Results, func(i, j int) bool { return rep.Results[i].URL() < rep.Results[j].URL() })
	sort.SliceStable(rep.Discoveries, func(i, j int) bool { return rep.Discoveries[i].URL < rep.Discoveries[j].URL })
	rep.Interrupted = ctx.Err() != nil
	rep.Duration = time.Since(rep.Start)
	return rep
}

// launch probes one job in the batch, once per distinct URL.
func (r *run) launch(j job) {
	u := j.target.URL()
	r.mu.Lock()
	dup := r.seen[u]
	r.seen[u] = true
	r.mu.Unlock()
	if dup {
		return
	}
	r.batch.Go(j.target, func(pr probe.Result) {
		res := r.verdict(j, pr)
		r.mu.Lock()
		r.results = append(r.results, res)
		r.mu.Unlock()
		if r.opts.Progress != nil {
			r.opts.Progress(res)
		}
	})
}

// plan turns the plan and the user's endpoints into probe jobs and discovery calls, and records what
// cannot be tested.
func (r *run) plan() ([]job, []*discovery) {
	var jobs []job
	var discoveries []*discovery
	if p := r.opts.Plan; p != nil {
		for _, ep := range p.Endpoints {
			for _, t := range ep.Targets {
				jobs = append(jobs, r.catalogJob(ep, t, OriginCatalog))
			}
			for _, reason := range ep.NotTested {
				r.rep.NotTested = append(r.rep.NotTested, NotTested{Pattern: ep.Pattern, Reason: reason, Required: ep.Required})
			}
			for _, d := range ep.Discover {
				if d.URL == "" {
					r.rep.NotTested = append(r.rep.NotTested, NotTested{Pattern: ep.Pattern, Required: ep.Required,
						Reason: tokenName(d.Token) + ": found by a discovery call that needs -l/--location"})
					continue
				}
				i := slices.IndexFunc(discoveries, func(x *discovery) bool { return x.url == d.URL })
				if i < 0 {
					discoveries = append(discoveries, &discovery{token: d.Token, url: d.URL})
					i = len(discoveries) - 1
				}
				discoveries[i].waiting = append(discoveries[i].waiting, ep)
			}
		}
	}
	for _, t := range r.opts.Extra {
		jobs = append(jobs, job{target: probe.Target{Scheme: t.Scheme, Host: t.Host, Port: t.Port, Path: t.Path}, pattern: t.URL,
			origin: OriginUser, required: true})
	}
	return jobs, discoveries
}

// catalogJob makes a probe job of a catalog target, with what the catalog knows about it.
func (r *run) catalogJob(ep endpoints.Endpoint, t endpoints.Target, origin Origin) job {
	pt := probe.Target{Scheme: t.Scheme, Host: t.Host, Port: t.Port, Path: t.Path,
		ExpectIssuers: slices.Clone(r.opts.Plan.Cloud.Issuers), AllowedTLS: ep.Entry.TLS,
		NoProxy: ep.BypassProxy, ExpectPrivateDNS: ep.ExpectPrivate}
	return job{target: pt, pattern: ep.Pattern, entry: ep.Entry, origin: origin, required: ep.Required}
}

// discover makes one discovery call, then probes the hosts it answered for every endpoint waiting.
func (r *run) discover(ctx context.Context, d *discovery) {
	// The call goes where its endpoint's traffic goes: the identity discovery host is an Arc endpoint
	// (private with Private Link, bypassed with proxy.bypass Arc).
	ct, _ := endpoints.ParseTarget(d.url)
	t := r.catalogJob(d.waiting[0], ct, OriginDiscovered).target
	body, res := r.opts.Prober.Fetch(ctx, t)
	rec := Discovery{Token: d.token, URL: d.url, Failure: res.Failure}
	var hosts []string
	var err error
	if res.Failure == nil {
		if d.token == endpoints.TokenHISShard {
			var h string
			if h, err = endpoints.ParseHISDiscovery(body); err == nil {
				hosts = []string{h}
			}
		} else {
			hosts, err = endpoints.ParseNotificationAllowlist(body)
		}
		if err != nil {
			rec.Failure = &probe.Failure{Class: probe.ClassHTTPError, Phase: "discovery", Message: err.Error()}
		}
	}
	rec.Hosts = hosts
	r.mu.Lock()
	r.rep.Discoveries = append(r.rep.Discoveries, rec)
	r.mu.Unlock()
	for _, ep := range d.waiting {
		if rec.Failure != nil {
			r.notTested(ep, fmt.Sprintf("%s: the discovery call %s failed (%s: %s); allow the pattern",
				tokenName(d.token), d.url, rec.Failure.Class, rec.Failure.Message))
			continue
		}
		for _, h := range hosts {
			if !endpoints.InDomainOf(h, ep.Entry.Endpoint) {
				r.notTested(ep, fmt.Sprintf("discovery answered %s, which is not under %s; not probed", h, ep.Entry.Endpoint))
				continue
			}
			r.launch(r.catalogJob(ep, endpoints.Target{Scheme: "https", Host: h, Port: 443}, OriginDiscovered))
		}
	}
}

func (r *run) notTested(ep endpoints.Endpoint, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rep.NotTested = append(r.rep.NotTested, NotTested{Pattern: ep.Pattern, Reason: reason, Required: ep.Required})
}

// tokenName says in words what a discovery token stands for.
func tokenName(token string) string {
	switch token {
	case endpoints.TokenHISShard:
		return "the regional hybrid identity shard"
	case endpoints.TokenNotificationHosts:
		return "the notification-service Service Bus hosts"
	}
	return strings.Trim(token, "{}")
}

// verdict applies what the connection mode implies to a probe's result, and attaches the fixes.
func (r *run) verdict(j job, pr probe.Result) Result {
	res := Result{Result: pr, Pattern: j.pattern, Entry: j.entry, Origin: j.origin, Required: j.required}
	mode := endpoints.ModeDirect
	if r.opts.Plan != nil {
		mode = r.opts.Plan.Mode
	}
	if mode == endpoints.ModeGateway {
		// The gateway path does not work through TLS inspection: interception fails the row.
		for i, w := range res.Warnings {
			if w.Class == probe.ClassTLSIntercepted {
				res.Reachable = false
				res.Failure = &probe.Failure{Class: probe.ClassTLSIntercepted, Phase: "tls",
					Message: w.Message + "; the Arc gateway does not work through TLS inspection"}
				res.Warnings = slices.Delete(res.Warnings, i, i+1)
				break
			}
		}
		if res.Bypassed != "" && res.Bypassed != probe.BypassedByTarget && j.origin != OriginUser {
			res.Warnings = append(res.Warnings, probe.Warning{Class: ClassGatewayProxyBypass,
				Message: res.Bypassed + " bypasses the proxy for this endpoint, but the Arc gateway does not support proxy bypass"})
		}
	}
	if j.target.ExpectPrivateDNS && res.Proxy != nil {
		res.Warnings = append(res.Warnings, probe.Warning{Class: ClassPrivateLinkViaProxy,
			Message: "reached through the proxy " + res.Proxy.URL + ", which resolves the name itself rather than to your private endpoint"})
	}
	if res.Failure != nil {
		f := FixFor(res.Failure.Class, &res)
		res.Fix = &f
	}
	for _, w := range res.Warnings {
		res.WarningFixes = append(res.WarningFixes, FixFor(w.Class, &res))
	}
	return res
}
