package check

import (
	"crypto/tls"
	"slices"
	"time"

	"github.com/arccheck/arccheck/pkg/agent"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
)

// Classes of the agent's own requirements, which a probe reports only as facts.
const (
	// ClassCipherUnsupportedByAgent: the path speaks TLS 1.2 only with suites the agent does not accept
	// (a failure in the agent's sense, though a browser gets through).
	ClassCipherUnsupportedByAgent probe.Class = "cipher_unsupported_by_agent"
	// ClassNegativeSerial (warning): a certificate of the chain has a negative serial number, which the
	// agent rejects from NegativeSerialRejectedFrom.
	ClassNegativeSerial probe.Class = "negative_serial"
)

// AgentTLS12Suites are the TLS 1.2 suites the Arc agent accepts where it enforces them (see SuiteScope); in TLS
// 1.3 it accepts TLS_AES_256_GCM_SHA384 and TLS_AES_128_GCM_SHA256, which every TLS 1.3 server offers.
var AgentTLS12Suites = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}

// NegativeSerialRejectedFrom is when the agent starts rejecting certificates with a negative serial number.
var NegativeSerialRejectedFrom = time.Date(2027, time.February, 1, 0, 0, 0, 0, time.UTC)

// SuiteScope is whether the installed agent enforces AgentTLS12Suites.
type SuiteScope int

const (
	// SuiteScopeUnknown: no agent, or one whose version is not known.
	SuiteScopeUnknown SuiteScope = iota
	// SuiteScopeEnforced: a Windows agent from SuitesEnforcedFrom to before SuitesRevertedIn.
	SuiteScopeEnforced
	// SuiteScopeNotEnforced: an agent the rule does not concern (Linux, other versions).
	SuiteScopeNotEnforced
)

// The agent versions that enforce AgentTLS12Suites on Windows: from SuitesEnforcedFrom until
// SuitesRevertedIn, which reverted it. Windows Server 2012 and 2012 R2 are exempt, but arccheck (a Go 1.26
// program) does not run there, so an agent on the machine it runs on is never on those editions.
var (
	SuitesEnforcedFrom = endpoints.AgentVersion{Major: 1, Minor: 56}
	SuitesRevertedIn   = endpoints.AgentVersion{Major: 1, Minor: 64}
)

// AgentSuiteScope says whether the installed agent enforces AgentTLS12Suites; a is nil without one.
func AgentSuiteScope(a *agent.Settings) SuiteScope {
	if a == nil {
		return SuiteScopeUnknown
	}
	if a.OS != "windows" {
		return SuiteScopeNotEnforced
	}
	v, ok := endpoints.ParseAgentVersion(a.Version)
	switch {
	case !ok:
		return SuiteScopeUnknown
	case v.Less(SuitesEnforcedFrom) || !v.Less(SuitesRevertedIn):
		return SuiteScopeNotEnforced
	}
	return SuiteScopeEnforced
}

// agentRules applies the agent's TLS requirements to a probe's findings: the suite the path speaks, and
// negative serial numbers in the chain. A path that works but not with the agent's suites fails only when
// the installed agent enforces them; otherwise it is a warning naming the agents concerned.
func agentRules(scope SuiteScope, pr probe.Result, fix Fix, failure *Finding, warnings []Finding) (*Finding, []Finding) {
	t := pr.TLS
	if t == nil {
		return failure, warnings
	}
	if f := suiteFailure(pr, fix); f != nil && (failure == nil || failure.Class == probe.ClassTLSHandshakeFailed) {
		if failure == nil && scope != SuiteScopeEnforced {
			warnings = append(warnings, *f)
		} else {
			failure = f
		}
	}
	if issuers := negativeSerialIssuers(t); len(issuers) > 0 {
		fix.NegativeSerial = issuers
		warnings = append(warnings, Finding{Finding: probe.Finding{Class: ClassNegativeSerial, Phase: probe.PhaseTLS}, Fix: fix})
	}
	return failure, warnings
}

// suiteFailure is the cipher_unsupported_by_agent failure a result's handshakes show, or nil.
func suiteFailure(pr probe.Result, fix Fix) *Finding {
	t := pr.TLS
	switch {
	case t.SuiteRetry != nil && !t.SuiteRetry.OK:
		f := &Finding{Finding: probe.Finding{Class: ClassCipherUnsupportedByAgent, Phase: probe.PhaseTLS}, Fix: fix}
		f.Fix.Cause, f.Fix.SuiteRefusal = CauseSuiteRefused, t.SuiteRetry.Error
		return f
	case t.Legacy != nil && t.Legacy.Suite != 0 && pr.Failure != nil:
		// The probe's facts name the legacy suite the path speaks.
		f := &Finding{Finding: probe.Finding{Class: ClassCipherUnsupportedByAgent, Phase: probe.PhaseTLS}, Fix: fix}
		f.Cause, f.Facts, f.Fix.Cause = pr.Failure.Cause, pr.Failure.Facts, CauseLegacySuites
		return f
	}
	return nil // nothing allocated for the many results without
}

// negativeSerialIssuers names the issuers of the certificates presented with a negative serial number.
func negativeSerialIssuers(t *probe.TLSPhase) []string {
	var out []string
	add := func(c *probe.Certificate) {
		if c.NegativeSerial && !slices.Contains(out, c.Issuer) {
			out = append(out, c.Issuer)
		}
	}
	if t.Leaf != nil {
		add(t.Leaf)
	}
	for i := range t.Chain {
		add(&t.Chain[i])
	}
	return out
}
