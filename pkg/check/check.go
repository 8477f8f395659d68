// Package check runs a check: it turns a selection of catalog endpoints (and the user's own) into
// probe targets, makes wildcard hosts concrete by live discovery, probes everything concurrently within
// one timeout, and gives each result its verdict and the facts of its fix. It is the one place where
// Azure knowledge (pkg/endpoints) meets network code (pkg/probe).
package check

import (
	"context"
	"crypto/tls"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arccheck/arccheck/pkg/agent"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
)

// Origin says where a probed endpoint came from.
type Origin string

// The origins.
const (
	OriginCatalog    Origin = "catalog"    // a concrete host of the catalog
	OriginDiscovered Origin = "discovered" // found by live discovery for a catalog pattern
	OriginUser       Origin = "user"       // given by the user (an extra endpoint)
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

// Classes lists every class a check can report, failures and warnings: the probe's and the check's own.
var Classes = slices.Concat(probe.Classes, probe.WarningClasses,
	[]probe.Class{ClassGatewayProxyBypass, ClassPrivateLinkViaProxy, ClassCipherUnsupportedByAgent, ClassNegativeSerial,
		ClassRevocationUnreachable, ClassRevocationNotProbed, ClassClockSkew})

// Options configure a run.
type Options struct {
	// Plan is the catalog selection; nil checks only Extra.
	Plan *endpoints.Plan
	// Extra are the user's own endpoints, always required.
	Extra []endpoints.Target
	// Prober probes targets; required.
	Prober *probe.Prober
	// Concurrency bounds the probes in flight; zero means all at once.
	Concurrency int
	// Queued, if set, is called with each URL as it is queued for probing (from any goroutine), so that
	// progress can count the total; Progress, if set, as each endpoint's result is ready.
	Queued   func(url string)
	Progress func(Result)
	// Done, if set, is called once every probe has ended, before Run returns.
	Done func()
	// Agent is the installed Arc agent, for the rules that depend on its version and OS; nil when none.
	Agent *agent.Settings
}

// Finding is a failure or warning with the facts of what to change for it.
type Finding struct {
	probe.Finding
	Fix Fix
}

// Result is one probed endpoint with its verdict.
type Result struct {
	// Probe is what the probe found.
	Probe probe.Result
	// Pattern is the catalog endpoint it stands for (with <region> filled in), or the URL of a user's endpoint.
	Pattern string
	// Entry is the catalog entry, nil for a user's endpoint.
	Entry    *endpoints.Entry
	Origin   Origin
	Required bool
	// Reachable is the verdict: the probe's, unless the connection mode turns a warning into a failure.
	Reachable bool
	// NotCarried is set, in gateway mode, for an endpoint the Arc gateway does not carry: allow it directly.
	NotCarried bool
	// Failure is why it is not reachable (nil when it is); Warnings are findings on a reachable row.
	Failure  *Finding
	Warnings []Finding
	// Revocation are the revocation URLs its chain names (see Report.Revocation for their probes).
	Revocation []string
}

// URL is the concrete URL probed.
func (r *Result) URL() string { return r.Probe.Target.URL() }

// NotTested is a pattern (or part of one) that could not be probed, and why: one of Reason, Needs,
// Token (a discovery that could not be made or failed) or Outside.
type NotTested struct {
	Pattern  string
	Required bool
	// Reason is the catalog's reason, in words.
	Reason string
	// Needs is the part of the selection that would make it testable ("" when none would); with
	// endpoints.FieldSet, Value names the value to set.
	Needs endpoints.Field
	Value string
	// Token is the discovery token of a host only a live call can tell; Discovery is that call when it
	// was made and failed.
	Token     string
	Discovery *Discovery
	// Outside is a host discovery answered that is not under the pattern's domain (not probed).
	Outside string
}

// key orders not-tested patterns stably, whatever order the goroutines finished in.
func (n NotTested) key() string {
	return strings.Join([]string{n.Pattern, n.Reason, string(n.Needs), n.Value, n.Token, n.Outside}, "\x00")
}

// Discovery is one live call that makes a pattern concrete.
type Discovery struct {
	Token string
	URL   string
	// Hosts are the host names it answered; empty when it failed.
	Hosts []string
	// Failure says why it failed; nil on success. AnswerError is why its answer could not be read (the
	// Failure is then http_error).
	Failure     *probe.Finding
	AnswerError error
}

// job is one target to probe and what it stands for.
type job struct {
	target     probe.Target
	pattern    string
	entry      *endpoints.Entry
	origin     Origin
	required   bool
	notCarried bool
}

// discovery is a live call to make, and the endpoints waiting for its answer.
type discovery struct {
	token, url string
	waiting    []endpoints.Endpoint
}

// run is the state of one check while it runs.
type run struct {
	opts  Options
	rep   *Report
	batch *probe.Batch
	mu    sync.Mutex
	wg    sync.WaitGroup // the discovery calls
	seen  map[string]bool
	// launched is closed once every job is launched: a discovered host joins the batch only then, so
	// that a URL the catalog or --endpoint names is always that job's row, however fast discovery is.
	launched chan struct{}
	results  []Result
	// revocation are the revocation URLs seen, by URL; clockProbes the answers read only for their Date.
	revocation  map[string]*Revocation
	clockProbes []probe.Result
	// revocationProbes counts the revocation URLs sent to probe, against maxRevocationProbes.
	revocationProbes atomic.Int32
}

// sortByURL sorts results by URL, stably, each URL built once rather than at every comparison.
func sortByURL(results []Result) {
	urls := make([]string, len(results))
	order := make([]int, len(results))
	for i := range results {
		urls[i], order[i] = results[i].URL(), i
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(urls[a], urls[b]) })
	sorted := make([]Result, len(results))
	for i, j := range order {
		sorted[i] = results[j]
	}
	copy(results, sorted)
}

// newRun is a run of the options, its batch started, before any job is launched.
func newRun(ctx context.Context, opts Options) *run {
	return &run{opts: opts, rep: &Report{Start: time.Now(), Plan: opts.Plan}, seen: map[string]bool{},
		batch: opts.Prober.NewBatch(ctx, opts.Concurrency), revocation: map[string]*Revocation{},
		launched: make(chan struct{})}
}

// Run checks every endpoint of the options. Discovery calls run alongside the other probes and their
// hosts join the same batch, so a run lasts at most one probe timeout, or ends at once when ctx is
// cancelled (the rest marked canceled).
func Run(ctx context.Context, opts Options) *Report {
	r := newRun(ctx, opts)
	jobs, discoveries := r.plan()
	r.results = make([]Result, 0, len(jobs))
	r.clockRequest(ctx, jobs, discoveries)
	// The discovery calls first, on the critical path (their hosts are probed only once they answer),
	// then every probe that does not wait for them (discovered hosts join after those: see launched).
	for _, d := range discoveries {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.discover(ctx, d)
		}()
	}
	for _, j := range jobs {
		r.launch(j)
	}
	close(r.launched)
	r.wg.Wait() // discoveries first: they add to the batch
	r.batch.Wait()
	if opts.Done != nil {
		opts.Done()
	}
	r.judgeRunEvidence()
	r.judgeRevocation()
	r.judgeClock()
	rep := r.rep
	rep.Results = r.results
	sortByURL(rep.Results)
	sort.SliceStable(rep.Discoveries, func(i, j int) bool { return rep.Discoveries[i].URL < rep.Discoveries[j].URL })
	sort.SliceStable(rep.NotTested, func(i, j int) bool { return rep.NotTested[i].key() < rep.NotTested[j].key() })
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
	if r.opts.Queued != nil {
		r.opts.Queued(u)
	}
	r.batch.Go(j.target, func(pr *probe.Result) {
		r.probeRevocation(*pr)
		res := r.verdict(j, *pr)
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
				jobs = append(jobs, r.catalogJob(ep, t))
			}
			for _, nt := range ep.NotTested {
				r.notTested(ep, NotTested{Reason: nt.Reason, Needs: nt.Needs, Value: nt.Value})
			}
			discoveries = r.planDiscoveries(discoveries, ep)
		}
	}
	for _, t := range r.opts.Extra {
		pt := probe.Target{Scheme: t.Scheme, Host: t.Host, Port: t.Port, Path: t.Path, AcceptedSuites: AgentTLS12Suites,
			EvidenceHeaders: EvidenceHeaders}
		pt.Proof = proofFor(pt) // the ESU certificate path given by hand is proven as the catalog's row is
		jobs = append(jobs, job{target: pt, pattern: t.URL, origin: OriginUser, required: true})
	}
	return jobs, discoveries
}

// planDiscoveries adds the discovery calls an endpoint waits for, one call per URL.
func (r *run) planDiscoveries(discoveries []*discovery, ep endpoints.Endpoint) []*discovery {
	for _, d := range ep.Discover {
		if d.URL == "" {
			r.notTested(ep, NotTested{Token: d.Token, Needs: endpoints.FieldLocation})
			continue
		}
		i := slices.IndexFunc(discoveries, func(x *discovery) bool { return x.url == d.URL })
		if i < 0 {
			discoveries = append(discoveries, &discovery{token: d.Token, url: d.URL})
			i = len(discoveries) - 1
		}
		discoveries[i].waiting = append(discoveries[i].waiting, ep)
	}
	return discoveries
}

// tlsVersions maps the catalog's TLS versions to crypto/tls's.
var tlsVersions = map[string]uint16{"1.0": tls.VersionTLS10, "1.1": tls.VersionTLS11, "1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13}

// catalogJob makes a probe job of a catalog target, with what the catalog knows about it.
func (r *run) catalogJob(ep endpoints.Endpoint, t endpoints.Target) job {
	pt := probe.Target{Scheme: t.Scheme, Host: t.Host, Port: t.Port, Path: t.Path,
		ExpectIssuers: slices.Clone(r.opts.Plan.Cloud.Issuers),
		NoProxy:       ep.BypassProxy, ExpectPrivateDNS: ep.ExpectPrivate, AcceptedSuites: AgentTLS12Suites,
		EvidenceHeaders: EvidenceHeaders}
	for _, v := range ep.Entry.TLS {
		pt.AllowedTLS = append(pt.AllowedTLS, tlsVersions[v])
	}
	for _, x := range ep.Expect {
		if x.Host == t.Host && x.Port == t.Port {
			pt.Expect = &probe.Expectation{Path: x.Path, Status: x.Status}
		}
	}
	pt.Proof = proofFor(pt)
	return job{target: pt, pattern: ep.Pattern, entry: ep.Entry, origin: OriginCatalog, required: ep.Required,
		notCarried: ep.NotCarried}
}

// discover makes one discovery call, then probes the hosts it answered for every endpoint waiting.
func (r *run) discover(ctx context.Context, d *discovery) {
	// The call goes where its endpoint's traffic goes: the identity discovery host is an Arc endpoint
	// (private with Private Link, bypassed with proxy.bypass Arc).
	ct, _ := endpoints.ParseTarget(d.url)
	body, res := r.opts.Prober.Fetch(ctx, r.catalogJob(d.waiting[0], ct).target)
	rec := Discovery{Token: d.token, URL: d.url, Failure: res.Failure}
	r.mu.Lock()
	r.clockProbes = append(r.clockProbes, res)
	r.mu.Unlock()
	if res.Failure == nil {
		var err error
		if rec.Hosts, err = parseDiscovery(d.token, body); err != nil {
			rec.Failure, rec.AnswerError = &probe.Finding{Class: probe.ClassHTTPError, Phase: probe.PhaseHTTP}, err
		}
	}
	r.mu.Lock()
	r.rep.Discoveries = append(r.rep.Discoveries, rec)
	r.mu.Unlock()
	<-r.launched
	for _, ep := range d.waiting {
		if rec.Failure != nil {
			r.notTested(ep, NotTested{Token: d.token, Discovery: &rec})
			continue
		}
		for _, h := range rec.Hosts {
			if !endpoints.InDomainOf(h, ep.Entry.Endpoint) {
				r.notTested(ep, NotTested{Outside: h})
				continue
			}
			j := r.catalogJob(ep, endpoints.Target{Scheme: "https", Host: h, Port: 443})
			j.origin = OriginDiscovered
			r.launch(j)
		}
	}
}

// parseDiscovery reads a discovery call's answer.
func parseDiscovery(token string, body []byte) ([]string, error) {
	if token == endpoints.TokenHISShard {
		h, err := endpoints.ParseHISDiscovery(body)
		return []string{h}, err
	}
	return endpoints.ParseNotificationAllowlist(body)
}

func (r *run) notTested(ep endpoints.Endpoint, n NotTested) {
	n.Pattern, n.Required = ep.Pattern, ep.Required
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rep.NotTested = append(r.rep.NotTested, n)
}

// UnusedOverrides returns the keys of the resolve overrides that matched no endpoint the run probed or
// asked for discovery, sorted: most likely a typing mistake the user should hear about.
func UnusedOverrides(o probe.Overrides, rep *Report) []string {
	used := map[string]bool{}
	mark := func(host string, port int) {
		if key, _, ok := o.Match(host, port); ok {
			used[key] = true
		}
	}
	for _, r := range rep.Results {
		mark(r.Probe.Target.Host, r.Probe.Target.Port)
	}
	for _, d := range rep.Discoveries {
		if t, err := endpoints.ParseTarget(d.URL); err == nil {
			mark(t.Host, t.Port)
		}
	}
	var out []string
	for key := range o {
		if !used[key] {
			out = append(out, key)
		}
	}
	sort.Strings(out)
	return out
}
