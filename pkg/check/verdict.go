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
	res.judge(findings(fixFacts(&res), pr.Failure, pr.Warnings))
	return res
}

// findings gives a probe's failure and warnings the facts of their fix.
func findings(fix Fix, failure *probe.Finding, warnings []probe.Finding) (*Finding, []Finding) {
	var f *Finding
	if failure != nil {
		f = &Finding{Finding: *failure, Fix: fix}
	}
	var ws []Finding
	for _, w := range warnings {
		ws = append(ws, Finding{Finding: w, Fix: fix})
	}
	return f, ws
}

// judge sets the verdict from the failure and warnings that apply.
func (res *Result) judge(failure *Finding, warnings []Finding) {
	res.Reachable = failure == nil
	res.Failure, res.Warnings = failure, warnings
}

// verdict applies what the connection mode implies to a probe's result, and attaches the fixes.
func (r *run) verdict(j job, pr probe.Result) Result {
	res := Result{Probe: pr, Pattern: j.pattern, Entry: j.entry, Origin: j.origin, Required: j.required,
		NotCarried: j.notCarried}
	fix := fixFacts(&res)
	failure, warnings := findings(fix, pr.Failure, pr.Warnings)
	mode := endpoints.ModeDirect
	if r.opts.Plan != nil {
		mode = r.opts.Plan.Mode
	}
	if mode == endpoints.ModeGateway && !j.notCarried {
		failure, warnings = gatewayRules(j, pr, fix, failure, warnings)
	}
	if j.entry != nil && j.entry.InspectionUnsupported {
		failure, warnings = interceptionFails(failure, warnings, CauseInspectionUnsupported)
	}
	if j.entry != nil && j.entry.ProxyBasicAuth {
		// The extension that uses it can authenticate to the proxy itself.
		warnings = slices.DeleteFunc(warnings, func(w Finding) bool { return w.Class == probe.ClassProxyAuthAgentUnsupported })
	}
	failure, warnings = agentRules(AgentSuiteScope(r.opts.Agent), pr, fix, failure, warnings)
	if j.target.ExpectPrivateDNS && pr.Proxy != nil {
		warnings = append(warnings, Finding{Finding: probe.Finding{Class: ClassPrivateLinkViaProxy, Phase: probe.PhaseProxy}, Fix: fix})
	}
	res.judge(failure, warnings)
	return res
}

// gatewayRules: the gateway path does not work through TLS inspection (interception fails the row), nor
// with a NO_PROXY bypass of a gateway endpoint.
func gatewayRules(j job, pr probe.Result, fix Fix, failure *Finding, warnings []Finding) (*Finding, []Finding) {
	failure, warnings = interceptionFails(failure, warnings, CauseGatewayInspection)
	if b := pr.Bypass; b != nil && b.By == probe.BypassByNoProxy && j.origin != OriginUser {
		fix.Bypass = b
		warnings = append(warnings, Finding{Finding: probe.Finding{Class: ClassGatewayProxyBypass, Phase: probe.PhaseProxy}, Fix: fix})
	}
	return failure, warnings
}

// interceptionFails turns a tls_intercepted warning into the row's failure, with the cause that makes it
// one; its cause and facts stay the probe's (CauseResigned: the re-signing CA), and Fix.Cause says why it
// fails.
func interceptionFails(failure *Finding, warnings []Finding, cause Cause) (*Finding, []Finding) {
	i := slices.IndexFunc(warnings, func(w Finding) bool { return w.Class == probe.ClassTLSIntercepted })
	if i < 0 || failure != nil {
		return failure, warnings
	}
	f := warnings[i]
	f.Fix.Cause = cause
	return &f, slices.Delete(warnings, i, i+1)
}
