package check

import (
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
	assert.Contains(t, r.results[0].Failure.Message, "https://gbl.his.arc.azure.com")
	assert.True(t, r.results[1].Reachable, "the endpoint's own header is evidence enough")
	assert.True(t, r.results[2].Reachable, "another box's path")
}

// TestProofFor: the ESU certificate path gets its content proof; nothing else does.
func TestProofFor(t *testing.T) {
	p := proofFor(probe.Target{Scheme: "http", Host: "www.microsoft.com", Port: 80, Path: "/pkiops/certs"})
	require.NotNil(t, p)
	assert.Equal(t, probe.ProofCertificate, p.Kind)
	assert.Contains(t, p.Path, "/pkiops/certs/")
	assert.Nil(t, proofFor(probe.Target{Scheme: "https", Host: "www.microsoft.com", Port: 443, Path: "/pkiops/certs"}))
	assert.Nil(t, proofFor(probe.Target{Scheme: "http", Host: "example.com", Port: 80}))
}

// TestRevocationProofs: a CRL URL must serve a CRL its issuer signed, and a CA-issuers URL the issuer's
// certificate, whenever the chain presented that issuer; OCSP answers carry no proof.
func TestRevocationProofs(t *testing.T) {
	issuer := probe.Certificate{Subject: "CN=Issuing CA", Issuer: "CN=Root", Raw: []byte("issuing-der"),
		CRL: []string{"http://crl.example/root.crl"}}
	leaf := probe.Certificate{Subject: "CN=x", Issuer: "CN=Issuing CA", CRL: []string{"http://crl.example/issuing.crl"},
		OCSP: []string{"http://ocsp.example/"}, CAIssuers: []string{"http://cacerts.example/issuing.crt"}}
	pr := probe.Result{TLS: &probe.TLSPhase{Leaf: &leaf, Chain: []probe.Certificate{issuer}}}
	got := map[string]*probe.Proof{}
	for _, u := range revocationURLs(pr) {
		got[u.url] = u.proof
	}
	require.Len(t, got, 4)
	assert.Equal(t, &probe.Proof{Kind: probe.ProofCRL, Issuer: issuer.Raw}, got["http://crl.example/issuing.crl"])
	assert.Equal(t, &probe.Proof{Kind: probe.ProofCertificate, Certificate: issuer.Raw}, got["http://cacerts.example/issuing.crt"])
	assert.Nil(t, got["http://ocsp.example/"], "OCSP has no proof")
	assert.Nil(t, got["http://crl.example/root.crl"], "the root was not presented: no issuer to prove it by")
}
