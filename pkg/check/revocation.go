package check

import (
	"slices"
	"sort"
	"strings"

	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
)

// ClassRevocationUnreachable (warning): a CRL, OCSP or CA-issuer URL the row's chain names cannot be
// reached over the path the agent uses; Windows checks revocation, so TLS may stall or fail there.
const ClassRevocationUnreachable probe.Class = "revocation_unreachable"

// RevocationKind says what a revocation URL of a certificate is.
type RevocationKind string

// The kinds of revocation URLs.
const (
	RevocationCRL       RevocationKind = "crl"       // a CRL distribution point
	RevocationOCSP      RevocationKind = "ocsp"      // an OCSP responder
	RevocationCAIssuers RevocationKind = "caIssuers" // where the issuer's certificate is (authority information access)
)

// Revocation is one revocation URL named by the chains presented in a run, and its probe.
type Revocation struct {
	URL  string
	Kind RevocationKind
	// Probe is the HTTP request to it, over the path the agent would use.
	Probe probe.Result
	// NeededBy are the endpoints (URLs) whose chain names it, sorted.
	NeededBy []string
}

// revocationURL is one URL of a chain, its kind, and the proof its answer must carry when the chain
// presented the certificate that proves it (nil otherwise, and for OCSP).
type revocationURL struct {
	url   string
	kind  RevocationKind
	proof *probe.Proof
}

// revocationURLs are the http:// revocation URLs a result's chain names, in chain order, once each.
func revocationURLs(pr probe.Result) []revocationURL {
	t := pr.TLS
	if t == nil || t.Leaf == nil {
		return nil
	}
	var out []revocationURL
	add := func(kind RevocationKind, urls []string, proof *probe.Proof) {
		for _, u := range urls {
			if strings.HasPrefix(strings.ToLower(u), "http://") && !slices.ContainsFunc(out, func(x revocationURL) bool { return x.url == u }) {
				out = append(out, revocationURL{url: u, kind: kind, proof: proof})
			}
		}
	}
	for _, c := range append([]probe.Certificate{*t.Leaf}, t.Chain...) {
		var crl, caIssuer *probe.Proof
		if i := slices.IndexFunc(t.Chain, func(x probe.Certificate) bool { return x.Subject == c.Issuer && x.Raw != nil }); i >= 0 {
			// The issuer that signs c's CRL, and that c's CA-issuers URL serves.
			crl = &probe.Proof{Kind: probe.ProofCRL, Issuer: t.Chain[i].Raw}
			caIssuer = &probe.Proof{Kind: probe.ProofCertificate, Certificate: t.Chain[i].Raw}
		}
		add(RevocationCRL, c.CRL, crl)
		add(RevocationOCSP, c.OCSP, nil)
		add(RevocationCAIssuers, c.CAIssuers, caIssuer)
	}
	return out
}

// probeRevocation probes, in the run's batch, the revocation URLs of a result's chain that the run has
// not seen yet. The requests go as the agent's would: through the proxy for plain HTTP, or direct,
// under the same NO_PROXY rules.
func (r *run) probeRevocation(pr probe.Result) {
	for _, u := range revocationURLs(pr) {
		r.mu.Lock()
		_, seen := r.revocation[u.url]
		if !seen {
			r.revocation[u.url] = &Revocation{URL: u.url, Kind: u.kind}
		}
		r.mu.Unlock()
		t, err := endpoints.ParseTarget(u.url)
		if seen || err != nil {
			continue
		}
		r.batch.Go(probe.Target{Scheme: t.Scheme, Host: t.Host, Port: t.Port, Path: t.Path, Proof: u.proof}, func(res probe.Result) {
			r.mu.Lock()
			r.revocation[u.url].Probe = res
			r.mu.Unlock()
		})
	}
}

// judgeRevocation, once every probe has ended, warns on each row whose chain names a revocation URL
// that could not be reached, and lists the URLs in the report.
func (r *run) judgeRevocation() {
	for i := range r.results {
		res := &r.results[i]
		var failed []string
		for _, u := range revocationURLs(res.Probe) {
			res.Revocation = append(res.Revocation, u.url)
			rv := r.revocation[u.url]
			rv.NeededBy = append(rv.NeededBy, res.URL())
			if f := rv.Probe.Failure; f != nil && f.Class != probe.ClassCanceled {
				failed = append(failed, u.url)
			}
		}
		if len(failed) == 0 {
			continue
		}
		fix := fixFacts(res)
		fix.Revocation = failed
		res.Warnings = append(res.Warnings, Finding{Finding: probe.Finding{Class: ClassRevocationUnreachable, Phase: probe.PhaseHTTP,
			Message: "the chain names revocation endpoints that cannot be reached: " + strings.Join(failed, ", ") +
				"; Windows checks revocation, so TLS may stall or fail for the agent"}, Fix: fix})
	}
	for _, rv := range r.revocation {
		sort.Strings(rv.NeededBy)
		r.rep.Revocation = append(r.rep.Revocation, *rv)
	}
	sort.Slice(r.rep.Revocation, func(i, j int) bool { return r.rep.Revocation[i].URL < r.rep.Revocation[j].URL })
}
