package check

import (
	"slices"

	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
)

// NewResult judges a probe's result as a direct connection does (no connection-mode rules) and
// attaches the facts of each finding's fix.
func NewResult(pr probe.Result, pattern string, entry *endpoints.Entry, origin Origin, required bool) Result {
	res := Result{Probe: pr, Pattern: pattern, Entry: entry, Origin: origin, Required: required}
	res.judge(pr.Failure, pr.Warnings)
	return res
}

// judge sets the verdict from the failure and warnings that apply, each with its fix's facts.
func (res *Result) judge(failure *probe.Finding, warnings []probe.Finding) {
	fix := fixFacts(res)
	res.Reachable = failure == nil
	res.Failure, res.Warnings = nil, nil
	if failure != nil {
		res.Failure = &Finding{Finding: *failure, Fix: fix}
	}
	for _, w := range warnings {
		res.Warnings = append(res.Warnings, Finding{Finding: w, Fix: fix})
	}
}

// verdict applies what the connection mode implies to a probe's result, and attaches the fixes.
func (r *run) verdict(j job, pr probe.Result) Result {
	res := Result{Probe: pr, Pattern: j.pattern, Entry: j.entry, Origin: j.origin, Required: j.required,
		NotCarried: j.notCarried}
	failure, warnings := pr.Failure, slices.Clone(pr.Warnings)
	mode := endpoints.ModeDirect
	if r.opts.Plan != nil {
		mode = r.opts.Plan.Mode
	}
	if mode == endpoints.ModeGateway && !j.notCarried {
		failure, warnings = gatewayRules(j, pr, failure, warnings)
	}
	if j.entry != nil && j.entry.InspectionUnsupported {
		failure, warnings = interceptionFails(failure, warnings, "TLS inspection is not supported for this endpoint")
	}
	if j.entry != nil && j.entry.ProxyBasicAuth {
		// The extension that uses it can authenticate to the proxy itself.
		warnings = slices.DeleteFunc(warnings, func(w probe.Finding) bool { return w.Class == probe.ClassProxyAuthAgentUnsupported })
	}
	failure, warnings = agentRules(AgentSuiteScope(r.opts.Agent), pr, failure, warnings)
	if j.target.ExpectPrivateDNS && pr.Proxy != nil {
		warnings = append(warnings, probe.Finding{Class: ClassPrivateLinkViaProxy, Phase: probe.PhaseProxy,
			Message: "reached through the proxy " + pr.Proxy.Proxy.String() + ", which resolves the name itself rather than to your private endpoint"})
	}
	res.judge(failure, warnings)
	return res
}

// gatewayRules: the gateway path does not work through TLS inspection (interception fails the row), nor
// with a NO_PROXY bypass of a gateway endpoint.
func gatewayRules(j job, pr probe.Result, failure *probe.Finding, warnings []probe.Finding) (*probe.Finding, []probe.Finding) {
	failure, warnings = interceptionFails(failure, warnings, "the Arc gateway does not work through TLS inspection")
	if b := pr.Bypass; b != nil && b.By == probe.BypassByNoProxy && j.origin != OriginUser {
		warnings = append(warnings, probe.Finding{Class: ClassGatewayProxyBypass, Phase: probe.PhaseProxy,
			Message: b.List + " entry " + b.Entry + " bypasses the proxy for this endpoint, but the Arc gateway does not support proxy bypass"})
	}
	return failure, warnings
}

// interceptionFails turns a tls_intercepted warning into the row's failure, saying why.
func interceptionFails(failure *probe.Finding, warnings []probe.Finding, why string) (*probe.Finding, []probe.Finding) {
	i := slices.IndexFunc(warnings, func(w probe.Finding) bool { return w.Class == probe.ClassTLSIntercepted })
	if i < 0 || failure != nil {
		return failure, warnings
	}
	w := warnings[i]
	return &probe.Finding{Class: w.Class, Phase: w.Phase, Message: w.Message + "; " + why}, slices.Delete(warnings, i, i+1)
}
