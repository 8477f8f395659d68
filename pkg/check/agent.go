package check

import (
	"cmp"
	"crypto/tls"
	"slices"
	"strconv"
	"strings"
	"time"

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

// AgentTLS12Suites are the TLS 1.2 suites the Arc agent accepts (agent 1.56 and later on Windows); in TLS
// 1.3 it accepts TLS_AES_256_GCM_SHA384 and TLS_AES_128_GCM_SHA256, which every TLS 1.3 server offers.
var AgentTLS12Suites = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}

// NegativeSerialRejectedFrom is when the agent starts rejecting certificates with a negative serial number.
var NegativeSerialRejectedFrom = time.Date(2027, time.February, 1, 0, 0, 0, 0, time.UTC)

// Agent is what the installed Arc agent says of itself, for the rules that depend on its version and
// the machine's operating system.
type Agent struct {
	// Version is the agent's version, as azcmagent show reports it ("1.60" or "1.60.03293.1234").
	Version string
	// OS is "windows" or "linux" ("" when unknown); OSName the system's name and edition
	// ("Windows Server 2022 Datacenter"), "" when unknown.
	OS, OSName string
}

// SuiteScope is whether the installed agent enforces AgentTLS12Suites.
type SuiteScope int

const (
	// SuiteScopeUnknown: no agent, or one whose version or Windows edition is not known.
	SuiteScopeUnknown SuiteScope = iota
	// SuiteScopeEnforced: a Windows agent 1.56 to 1.63 on an edition other than Windows Server 2012/2012 R2.
	SuiteScopeEnforced
	// SuiteScopeNotEnforced: an agent the rule does not concern (Linux, 1.64 and later, before 1.56, or
	// Windows Server 2012/2012 R2).
	SuiteScopeNotEnforced
)

// Versions of the agent that enforce AgentTLS12Suites on Windows: from SuitesEnforcedFrom until
// SuitesRevertedIn, which reverted it.
var (
	SuitesEnforcedFrom = [2]int{1, 56}
	SuitesRevertedIn   = [2]int{1, 64}
)

// SuiteScope says whether the agent enforces AgentTLS12Suites. a may be nil (no agent).
func (a *Agent) SuiteScope() SuiteScope {
	if a == nil {
		return SuiteScopeUnknown
	}
	windows := strings.EqualFold(a.OS, "windows") || strings.HasPrefix(strings.ToLower(a.OSName), "windows")
	if a.OS != "" && !windows {
		return SuiteScopeNotEnforced
	}
	v, ok := majorMinor(a.Version)
	if !ok || !windows {
		return SuiteScopeUnknown
	}
	if less(v, SuitesEnforcedFrom) || !less(v, SuitesRevertedIn) {
		return SuiteScopeNotEnforced
	}
	switch {
	case a.OSName == "" || !strings.HasPrefix(strings.ToLower(a.OSName), "windows"):
		return SuiteScopeUnknown
	case strings.Contains(a.OSName, "2012"):
		return SuiteScopeNotEnforced
	}
	return SuiteScopeEnforced
}

// majorMinor reads the major and minor numbers of a version such as "1.60.03293.1234".
func majorMinor(v string) ([2]int, bool) {
	parts := strings.SplitN(strings.TrimPrefix(strings.TrimSpace(v), "v"), ".", 3)
	if len(parts) < 2 {
		return [2]int{}, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	return [2]int{major, minor}, err1 == nil && err2 == nil
}

func less(a, b [2]int) bool { return a[0] < b[0] || a[0] == b[0] && a[1] < b[1] }

// agentRules applies the agent's TLS requirements to a probe's findings: the suite the path speaks, and
// negative serial numbers in the chain. A path that works but not with the agent's suites fails only when
// the installed agent enforces them; otherwise it is a warning naming the agents concerned.
func agentRules(agent *Agent, pr probe.Result, failure *probe.Finding, warnings []probe.Finding) (*probe.Finding, []probe.Finding) {
	t := pr.TLS
	if t == nil {
		return failure, warnings
	}
	if f := suiteFailure(pr); f != nil && (failure == nil || failure.Class == probe.ClassTLSHandshakeFailed) {
		if failure == nil && agent.SuiteScope() != SuiteScopeEnforced {
			f.Message += ": " + suiteScopeWords(agent)
			warnings = append(warnings, *f)
		} else {
			failure = f
		}
	}
	if issuers := negativeSerialIssuers(t); len(issuers) > 0 {
		warnings = append(warnings, probe.Finding{Class: ClassNegativeSerial, Phase: probe.PhaseTLS,
			Message: "a certificate of the chain issued by " + strings.Join(issuers, " and ") + " has a negative serial number: " +
				"the Arc agent accepts it until " + NegativeSerialRejectedFrom.Format("January 2006") + " and rejects it from then on"})
	}
	return failure, warnings
}

// suiteFailure is the cipher_unsupported_by_agent failure a result's handshakes show, or nil.
func suiteFailure(pr probe.Result) *probe.Finding {
	t := pr.TLS
	box := "the server"
	if t.Intercepted || pr.Proxy != nil {
		box = "the server or the TLS-inspecting proxy in the path"
	}
	switch {
	case t.SuiteRetry != nil && !t.SuiteRetry.OK:
		return &probe.Finding{Class: ClassCipherUnsupportedByAgent, Phase: probe.PhaseTLS,
			Message: "the path negotiated TLS 1.2 with " + tls.CipherSuiteName(t.CipherSuite) + " and refused a handshake " +
				"offering only the suites the Arc agent accepts (" + suiteNames(t.SuiteRetry.Offered) + "): " + box +
				" must offer one of them (" + t.SuiteRetry.Error + ")"}
	case t.Legacy != nil && t.Legacy.Suite != 0 && pr.Failure != nil:
		return &probe.Finding{Class: ClassCipherUnsupportedByAgent, Phase: probe.PhaseTLS,
			Message: pr.Failure.Message + ", which the Arc agent does not accept: " + box + " must offer " + suiteNames(AgentTLS12Suites)}
	}
	return nil
}

// suiteScopeWords says which agents the suite rule concerns, and whether the installed one is among them.
func suiteScopeWords(a *Agent) string {
	scope := "only Arc agents 1.56 to 1.63 on Windows (not Windows Server 2012 or 2012 R2) require these suites; agent 1.64 reverted it"
	switch {
	case a == nil:
		return scope + " (no Arc agent is installed here)"
	case a.SuiteScope() == SuiteScopeNotEnforced:
		desc := "the installed agent " + a.Version
		if on := cmp.Or(a.OSName, a.OS); on != "" {
			desc += " on " + on
		}
		return scope + " (" + desc + " does not)"
	}
	return scope + " (the installed agent's version or Windows edition is not known)"
}

func suiteNames(ids []uint16) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = tls.CipherSuiteName(id)
	}
	return strings.Join(names, ", ")
}

// negativeSerialIssuers names the issuers of the certificates presented with a negative serial number.
func negativeSerialIssuers(t *probe.TLSPhase) []string {
	var out []string
	certs := t.Chain
	if t.Leaf != nil {
		certs = append([]probe.Certificate{*t.Leaf}, certs...)
	}
	for _, c := range certs {
		if c.NegativeSerial && !slices.Contains(out, c.Issuer) {
			out = append(out, c.Issuer)
		}
	}
	return out
}
