package check

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
)

// intercepted is a result re-signed by corp through px, reachable on the given evidence, or failed.
func intercepted(host, evidence string, failure probe.Class) probe.Result {
	px := &probe.Proxy{Scheme: "http", Host: "proxy.corp:3128"}
	pr := probe.Result{Target: probe.Target{Scheme: "https", Host: host, Port: 443}, Reachable: failure == "",
		TLS:   &probe.TLSPhase{Intercepted: true, Interceptor: "CN=Corp Inspection CA"},
		Proxy: &probe.ProxyPhase{Proxy: px}, HTTP: &probe.HTTPPhase{Status: 200, StatusText: "200 OK", Evidence: evidence}}
	pr.Warnings = []probe.Finding{{Class: probe.ClassTLSIntercepted, Phase: probe.PhaseTLS}}
	if failure != "" {
		pr.Failure = &probe.Finding{Class: failure, Phase: probe.PhaseHTTP}
	}
	return pr
}

// TestRunEvidence: when the inspecting box answered a discovery call in the endpoint's place, a row on
// the same path whose only evidence is the documented status is not reachable; a row with the
// endpoint's own header stays reachable, and so does a row on another path.
func TestRunEvidence(t *testing.T) {
	r := &run{opts: Options{Plan: &endpoints.Plan{Mode: endpoints.ModeDirect}}, rep: &Report{}}
	r.clockProbes = []probe.Result{intercepted("gbl.his.arc.azure.com", "", probe.ClassProxyUpstreamFailed)}
	documented := intercepted("login.microsoftonline.com", probe.EvidenceDocumented, "")
	header := intercepted("management.azure.com", "x-ms-request-id header", "")
	other := intercepted("pas.windows.net", probe.EvidenceDocumented, "")
	other.TLS = &probe.TLSPhase{Intercepted: true, Interceptor: "CN=Another Box"}
	for _, pr := range []probe.Result{documented, header, other} {
		r.results = append(r.results, r.verdict(job{target: pr.Target, required: true}, pr))
	}
	r.judgeRunEvidence()
	require.NotNil(t, r.results[0].Failure)
	assert.Equal(t, probe.ClassTLSInterceptedUnverified, r.results[0].Failure.Class)
	f := r.results[0].Failure
	assert.Zero(t, f.Facts, "pkg/report words it")
	assert.Equal(t, CauseBoxAnsweredRun, f.Fix.Cause)
	assert.Equal(t, "https://gbl.his.arc.azure.com", f.Fix.BoxAnswered)
	assert.Equal(t, "200 OK", f.Fix.Status)
	assert.Equal(t, "CN=Corp Inspection CA", f.Fix.Interceptor)
	assert.Equal(t, []probe.Class{probe.ClassTLSIntercepted}, classesOf(r.results[0].Warnings), "the row's warnings stay")
	assert.True(t, r.results[1].Reachable, "the endpoint's own header is evidence enough")
	assert.True(t, r.results[2].Reachable, "another box's path")
}

// TestRunEvidenceNamesOneRequestWhateverTheOrder: when the box answered several of the run's own
// requests, the row names the same one whichever ended first.
func TestRunEvidenceNamesOneRequestWhateverTheOrder(t *testing.T) {
	first := intercepted("gbl.his.arc.azure.com", "", probe.ClassProxyUpstreamFailed)
	second := intercepted("weu.his.arc.azure.com", "", probe.ClassProxyDenied)
	for _, order := range [][]probe.Result{{first, second}, {second, first}} {
		r := &run{opts: Options{Plan: &endpoints.Plan{Mode: endpoints.ModeDirect}}, rep: &Report{}}
		r.clockProbes = order
		pr := intercepted("login.microsoftonline.com", probe.EvidenceDocumented, "")
		r.results = append(r.results, r.verdict(job{target: pr.Target, required: true}, pr))
		r.judgeRunEvidence()
		require.NotNil(t, r.results[0].Failure)
		assert.Equal(t, "https://gbl.his.arc.azure.com", r.results[0].Failure.Fix.BoxAnswered)
	}
}

// TestProofFor: the ESU certificate path gets its content proof; nothing else does.
func TestProofFor(t *testing.T) {
	p := proofFor(probe.Target{Scheme: "http", Host: "www.microsoft.com", Port: 80, Path: "/pkiops/certs"})
	require.NotNil(t, p)
	assert.Equal(t, probe.ProofCertificate, p.Kind)
	assert.Contains(t, p.Path, "/pkiops/certs/")
	assert.Nil(t, proofFor(probe.Target{Scheme: "https", Host: "www.microsoft.com", Port: 443, Path: "/pkiops/certs"}))
	assert.Nil(t, proofFor(probe.Target{Scheme: "http", Host: "example.com", Port: 80}))
	assert.NotNil(t, proofFor(probe.Target{Scheme: "http", Host: "WWW.microsoft.com", Port: 80, Path: "/pkiops/certs/other.crt"}))
	assert.Nil(t, proofFor(probe.Target{Scheme: "http", Host: "www.microsoft.com", Port: 80, Path: "/pkiops/certsX"}), "another path")
	assert.Nil(t, proofFor(probe.Target{Scheme: "http", Host: "www.microsoft.com", Port: 8080, Path: "/pkiops/certs"}), "another port")
}

// TestRevocationProofs: a CRL URL must serve a CRL its issuer signed, a CA-issuers URL the issuer's
// certificate, and an OCSP responder a response about the certificate's serial number signed for that
// issuer, whenever the chain presented the issuer.
func TestRevocationProofs(t *testing.T) {
	issuer := probe.Certificate{Subject: "CN=Issuing CA", Issuer: "CN=Root", Raw: []byte("issuing-der"),
		CRL: []string{"http://crl.example/root.crl"}}
	leaf := probe.Certificate{Subject: "CN=x", Issuer: "CN=Issuing CA", CRL: []string{"http://crl.example/issuing.crl"},
		OCSP: []string{"http://ocsp.example/"}, CAIssuers: []string{"http://cacerts.example/issuing.crt"}, Serial: big.NewInt(42)}
	pr := probe.Result{TLS: &probe.TLSPhase{Verified: true, Leaf: &leaf, Chain: []probe.Certificate{issuer}}}
	got := map[string]*probe.Proof{}
	for _, u := range revocationURLs(pr) {
		got[u.url] = u.proof
	}
	require.Len(t, got, 4)
	assert.Equal(t, &probe.Proof{Kind: probe.ProofCRL, Issuer: issuer.Raw}, got["http://crl.example/issuing.crl"])
	assert.Equal(t, &probe.Proof{Kind: probe.ProofCertificate, Certificate: issuer.Raw}, got["http://cacerts.example/issuing.crt"])
	assert.Equal(t, &probe.Proof{Kind: probe.ProofOCSP, Issuer: issuer.Raw, Serial: big.NewInt(42)}, got["http://ocsp.example/"])
	assert.Nil(t, got["http://crl.example/root.crl"], "the root was not presented: no issuer to prove it by")
}

// TestRevocationBounded: only a verified chain is followed, at most maxRevocationPerChain URLs of it; a
// URL that does not parse or comes past the run's cap is revocation_not_probed on the row, never ok.
func TestRevocationBounded(t *testing.T) {
	many := make([]string, 1000)
	for i := range many {
		many[i] = fmt.Sprintf("http://10.%d.%d.1/crl", i/250, i%250)
	}
	leaf := probe.Certificate{Subject: "CN=x", Issuer: "CN=CA", CRL: many}
	untrusted := probe.Result{TLS: &probe.TLSPhase{Leaf: &leaf}}
	assert.Empty(t, revocationURLs(untrusted), "an unverified chain is anyone's: its URLs are never probed")
	verified := probe.Result{TLS: &probe.TLSPhase{Verified: true, Leaf: &leaf}}
	assert.Len(t, revocationURLs(verified), maxRevocationPerChain)

	bad := probe.Certificate{Subject: "CN=y", Issuer: "CN=CA", CRL: []string{"http://bad host\x1b/crl"},
		OCSP: []string{"http://ocsp.example/"}}
	pr := probe.Result{Target: probe.Target{Scheme: "https", Host: "y.example", Port: 443},
		TLS: &probe.TLSPhase{Verified: true, Leaf: &bad}}
	r := &run{opts: Options{Plan: &endpoints.Plan{Mode: endpoints.ModeDirect}}, rep: &Report{}, revocation: map[string]*Revocation{}}
	r.revocationProbes.Store(MaxRevocationProbes) // the cap is reached: nothing more goes to the batch
	r.probeRevocation(pr)
	r.results = append(r.results, r.verdict(job{target: pr.Target, required: true}, pr))
	r.judgeRevocation()
	require.Len(t, r.rep.Revocation, 2)
	for _, rv := range r.rep.Revocation {
		require.NotNil(t, rv.Probe.Failure, "%s: a URL not probed is never ok", rv.URL)
		assert.Equal(t, ClassRevocationNotProbed, rv.Probe.Failure.Class)
		assert.Zero(t, rv.Probe.Failure.Facts, "pkg/report words it")
	}
	assert.Equal(t, CauseUnparsable, r.rep.Revocation[0].NotProbed, "the URL with a space in its host")
	assert.Error(t, r.rep.Revocation[0].ParseError)
	assert.Equal(t, CauseOverCap, r.rep.Revocation[1].NotProbed)
	assert.NoError(t, r.rep.Revocation[1].ParseError)
	assert.Equal(t, []probe.Class{ClassRevocationNotProbed}, classesOf(r.results[0].Warnings))
	assert.Zero(t, r.results[0].Warnings[0].Facts, "pkg/report words it")
	assert.Equal(t, []string{"http://bad host\\x1b/crl", "http://ocsp.example/"}, r.results[0].Warnings[0].Fix.Revocation)
}

func classesOf(fs []Finding) []probe.Class {
	var out []probe.Class
	for _, f := range fs {
		out = append(out, f.Class)
	}
	return out
}

// TestRevocationCutShortIsUnknown: a revocation probe cut short by the run's deadline (canceled) is
// revocation_not_probed on the row, never silently ok nor revocation_unreachable.
// So is an OCSP answer outside its validity (ocsp_stale), which a clock far off makes of every answer:
// whether the responder is reached is then unknown, and the fix is the clock, not the firewall.
func TestRevocationCutShortIsUnknown(t *testing.T) {
	for _, class := range []probe.Class{probe.ClassCanceled, probe.ClassLocalResources} {
		revocationNotProbedOn(t, &probe.Finding{Class: class, Phase: probe.PhaseTCP})
	}
	revocationNotProbedOn(t, &probe.Finding{Class: probe.ClassHTTPUnverified, Phase: probe.PhaseHTTP, Cause: probe.CauseUnproven,
		Facts: probe.Facts{Gap: &probe.ProofGap{Why: probe.GapOCSPStale}}})
}

func revocationNotProbedOn(t *testing.T, f *probe.Finding) {
	t.Helper()
	class := f.Class
	leaf := probe.Certificate{Subject: "CN=z", Issuer: "CN=CA", CRL: []string{"http://crl.example/z.crl"}}
	pr := probe.Result{Target: probe.Target{Scheme: "https", Host: "z.example", Port: 443},
		TLS: &probe.TLSPhase{Verified: true, Leaf: &leaf}}
	r := &run{opts: Options{Plan: &endpoints.Plan{Mode: endpoints.ModeDirect}}, rep: &Report{},
		revocation: map[string]*Revocation{"http://crl.example/z.crl": {URL: "http://crl.example/z.crl", Kind: RevocationCRL,
			Probe: probe.Result{Failure: f}}}}
	r.results = append(r.results, r.verdict(job{target: pr.Target, required: true}, pr))
	r.judgeRevocation()
	require.Len(t, r.results[0].Warnings, 1, class)
	assert.Equal(t, ClassRevocationNotProbed, r.results[0].Warnings[0].Class, class)
}
