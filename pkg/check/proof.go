package check

import (
	"slices"
	"strings"

	"github.com/arccheck/arccheck/pkg/probe"
)

// EvidenceHeaders are response headers that only Azure's own front ends set (Azure Resource Manager
// and storage, Azure Front Door, Microsoft's edge, Entra ID): no proxy or inspecting box adds them to an
// answer of its own, so an answer that has one is the endpoint's.
var EvidenceHeaders = []string{"x-ms-request-id", "x-azure-ref", "x-msedge-ref", "x-ms-ests-server"}

// contentProofs are the plain-HTTP catalog endpoints whose answers can prove their origin, and the proof
// to fetch: a CA certificate Microsoft publishes there (the CA-issuers URL of its Azure TLS issuing CAs,
// listed on Azure's "Certificate authority details" page), which must verify against the public roots
// (or the roots this machine trusts). A proxy's or web server's page never does.
var contentProofs = []struct {
	host, pathPrefix string
	proof            probe.Proof
}{
	{"www.microsoft.com", "/pkiops/certs", probe.Proof{Kind: probe.ProofCertificate,
		Path: "/pkiops/certs/Microsoft%20Azure%20RSA%20TLS%20Issuing%20CA%2004%20-%20xsign.crt"}},
}

// proofFor returns the content proof of a plain-HTTP target, or nil when none is known.
func proofFor(t probe.Target) *probe.Proof {
	if t.Scheme != "http" {
		return nil
	}
	for _, c := range contentProofs {
		// The path itself, or one under it: /pkiops/certs and /pkiops/certs/…, not /pkiops/certsX.
		if strings.EqualFold(t.Host, c.host) && t.Port == 80 && (t.Path == c.pathPrefix || strings.HasPrefix(t.Path, c.pathPrefix+"/")) {
			p := c.proof
			return &p
		}
	}
	return nil
}

// boxClasses are the classes of an answer a proxy or inspecting box gave in the endpoint's place.
var boxClasses = []probe.Class{probe.ClassProxyUpstreamFailed, probe.ClassProxyDenied, probe.ClassHTTPBlockedByProxy,
	probe.ClassProxyAuthRequired, probe.ClassTLSInterceptedUnverified}

// boxPath names the path a probe took through an inspecting box: the proxy and the re-signing CA; ""
// when its TLS was not re-signed.
func boxPath(pr probe.Result) string {
	if pr.TLS == nil || !pr.TLS.Intercepted {
		return ""
	}
	px := ""
	if pr.Proxy != nil {
		px = pr.Proxy.Proxy.String()
	}
	return px + "\x00" + pr.TLS.Interceptor
}

// judgeRunEvidence applies the run's own evidence: when the box on a path answered one of the run's own
// requests (a discovery call, the clock request) in the endpoint's place, a row on that path whose only
// evidence is the documented status cannot count as reachable: the box could have answered it too.
func (r *run) judgeRunEvidence() {
	answeredByBox := map[string]string{}
	for _, pr := range r.clockProbes {
		if path := boxPath(pr); path != "" && pr.Failure != nil && slices.Contains(boxClasses, pr.Failure.Class) {
			// The first URL in order, whichever probe ended first: the same run says the same.
			if own, seen := answeredByBox[path]; !seen || pr.Target.URL() < own {
				answeredByBox[path] = pr.Target.URL()
			}
		}
	}
	for i := range r.results {
		res := &r.results[i]
		p := res.Probe
		own, ok := answeredByBox[boxPath(p)]
		if !ok || !res.Reachable || p.HTTP == nil || p.HTTP.Evidence != probe.EvidenceDocumented {
			continue
		}
		fix := fixFacts(res)
		fix.Cause, fix.Status, fix.BoxAnswered = CauseBoxAnsweredRun, p.HTTP.StatusText, own
		// The row's warnings stay: what they say is as true as before.
		res.judge(&Finding{Finding: probe.Finding{Class: probe.ClassTLSInterceptedUnverified, Phase: probe.PhaseHTTP}, Fix: fix},
			res.Warnings)
	}
}
