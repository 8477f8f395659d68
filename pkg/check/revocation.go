package check

import (
	"slices"
	"sort"
	"strings"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
)

// ClassRevocationUnreachable (warning): a CRL, OCSP or CA-issuer URL the row's chain names cannot be
// reached over the path the agent uses; Windows checks revocation, so TLS may stall or fail there.
const ClassRevocationUnreachable probe.Class = "revocation_unreachable"

// ClassRevocationNotProbed (warning): the row's verified chain names a revocation URL that arccheck did
// not probe: it does not parse as an http:// URL, or the run's cap on revocation probes was reached.
// Whether the agent can reach it is unknown, so it is never shown as ok.
const ClassRevocationNotProbed probe.Class = "revocation_not_probed"

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
	// NotProbed is why arccheck did not probe it (CauseUnparsable or CauseOverCap; "" when it did): its
	// Probe then failed with revocation_not_probed. ParseError is the URL's parse error (CauseUnparsable).
	NotProbed  Cause
	ParseError error
}

// revocationURL is one URL of a chain, its kind, and the proof its answer must carry when the chain
// presented the certificate that proves it (nil otherwise).
type revocationURL struct {
	url   string
	kind  RevocationKind
	proof *probe.Proof
}

// Revocation probing is bounded: a certificate is the peer's text, and an untrusted one could otherwise
// make a run connect to as many addresses as it names.
const (
	// maxRevocationPerChain is the most revocation URLs taken from one chain.
	maxRevocationPerChain = 8
	// MaxRevocationProbes is the most revocation URLs a run probes; the rest are revocation_not_probed.
	MaxRevocationProbes = 32
)

// revocationURLs are the http:// revocation URLs a result's chain names, in chain order, once each, at
// most maxRevocationPerChain. Only a chain that verified for the host is followed: an unverified one is
// anyone's, and its row fails anyway.
func revocationURLs(pr probe.Result) []revocationURL {
	t := pr.TLS
	if t == nil || t.Leaf == nil || !t.Verified {
		return nil
	}
	var out []revocationURL
	add := func(kind RevocationKind, urls []string, proof *probe.Proof) {
		for _, u := range urls {
			u = safetext.Escape(u) // the peer's text: escaped wherever it goes
			if len(out) < maxRevocationPerChain && strings.HasPrefix(strings.ToLower(u), "http://") &&
				!slices.ContainsFunc(out, func(x revocationURL) bool { return x.url == u }) {
				out = append(out, revocationURL{url: u, kind: kind, proof: proof})
			}
		}
	}
	for k := -1; k < len(t.Chain); k++ { // the leaf, then the chain, without copying them
		c := t.Leaf
		if k >= 0 {
			c = &t.Chain[k]
		}
		var crl, caIssuer, status *probe.Proof
		if i := slices.IndexFunc(t.Chain, func(x probe.Certificate) bool { return x.Subject == c.Issuer && x.Raw != nil }); i >= 0 {
			// The issuer that signs c's CRL and OCSP answers (or certifies their responder), and that c's
			// CA-issuers URL serves.
			crl = &probe.Proof{Kind: probe.ProofCRL, Issuer: t.Chain[i].Raw}
			caIssuer = &probe.Proof{Kind: probe.ProofCertificate, Certificate: t.Chain[i].Raw}
			if c.Serial != nil {
				status = &probe.Proof{Kind: probe.ProofOCSP, Issuer: t.Chain[i].Raw, Serial: c.Serial}
			}
		}
		add(RevocationCRL, c.CRL, crl)
		add(RevocationOCSP, c.OCSP, status)
		add(RevocationCAIssuers, c.CAIssuers, caIssuer)
	}
	return out
}

// probeRevocation probes, in the run's batch, the revocation URLs of a result's chain that the run has
// not seen yet. The requests go as the agent's would: through the proxy for plain HTTP, or direct,
// under the same NO_PROXY rules. A URL that does not parse, or that comes after the run's cap, is
// recorded as not probed (a failed probe of class revocation_not_probed), never as reached.
func (r *run) probeRevocation(pr probe.Result) {
	for _, u := range revocationURLs(pr) {
		r.mu.Lock()
		rv, seen := r.revocation[u.url]
		if !seen {
			rv = &Revocation{URL: u.url, Kind: u.kind}
			r.revocation[u.url] = rv
		}
		r.mu.Unlock()
		if seen {
			continue
		}
		t, err := endpoints.ParseTarget(u.url)
		cause := Cause("")
		switch {
		case err != nil:
			cause = CauseUnparsable
		case r.revocationProbes.Add(1) > MaxRevocationProbes:
			cause = CauseOverCap
		}
		if cause != "" {
			r.mu.Lock()
			rv.NotProbed, rv.ParseError = cause, err
			rv.Probe = probe.Result{Failure: &probe.Finding{Class: ClassRevocationNotProbed, Phase: probe.PhaseQueue}}
			r.mu.Unlock()
			continue
		}
		r.batch.Go(probe.Target{Scheme: t.Scheme, Host: t.Host, Port: t.Port, Path: t.Path, Proof: u.proof}, func(res *probe.Result) {
			r.mu.Lock()
			rv.Probe = *res
			r.mu.Unlock()
		})
	}
}

// judgeRevocation, once every probe has ended, warns on each row whose chain names a revocation URL
// that could not be reached, and lists the URLs in the report.
func (r *run) judgeRevocation() {
	for i := range r.results {
		res := &r.results[i]
		var failed, unprobed []string
		for _, u := range revocationURLs(res.Probe) {
			res.Revocation = append(res.Revocation, u.url)
			rv := r.revocation[u.url]
			rv.NeededBy = append(rv.NeededBy, res.URL())
			switch f := rv.Probe.Failure; {
			case f == nil:
			case f.Class == ClassRevocationNotProbed, f.Class == probe.ClassCanceled, f.Class == probe.ClassLocalResources,
				f.Facts.Gap != nil && f.Facts.Gap.Why == probe.GapOCSPStale:
				// Not probed to a verdict (cut short by the run's deadline, interrupted, out of local
				// resources, or an OCSP answer outside its validity, which a clock far off makes of every
				// answer): unknown, never ok, and never unreachable.
				unprobed = append(unprobed, u.url)
			default:
				failed = append(failed, u.url)
			}
		}
		warnRevocation(res, ClassRevocationUnreachable, failed)
		warnRevocation(res, ClassRevocationNotProbed, unprobed)
	}
	for _, rv := range r.revocation {
		sort.Strings(rv.NeededBy)
		r.rep.Revocation = append(r.rep.Revocation, *rv)
	}
	sort.Slice(r.rep.Revocation, func(i, j int) bool { return r.rep.Revocation[i].URL < r.rep.Revocation[j].URL })
}

// warnRevocation adds a warning of class c to res naming urls, when there are any.
func warnRevocation(res *Result, c probe.Class, urls []string) {
	if len(urls) == 0 {
		return
	}
	fix := fixFacts(res)
	fix.Revocation = urls
	res.Warnings = append(res.Warnings, Finding{Finding: probe.Finding{Class: c, Phase: probe.PhaseHTTP}, Fix: fix})
}
