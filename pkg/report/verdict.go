package report

import (
	"crypto/tls"
	"slices"
	"strings"

	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
)

// Verdict is what the command made of a check, which every format of it says alike: the run passed only
// when the command exits 0.
type Verdict struct {
	// Passed is set when the command exits 0 for the run: every required endpoint probed and reachable,
	// every required pattern named, the run neither interrupted nor short of local resources and, when
	// warnings fail the run, no warning.
	Passed bool
	// WarningsFail is set when a warning fails the run as an unreachable endpoint does (cmd/arccheck's
	// --fail-on warning).
	WarningsFail bool
}

// word is the verdict as the summary line begins: PASSED or FAILED.
func (v Verdict) word() string {
	if v.Passed {
		return "PASSED"
	}
	return "FAILED"
}

// json is the verdict as the JSON report records it: "passed" or "failed".
func (v Verdict) json() string { return strings.ToLower(v.word()) }

// noticesFor are the plan's notices that concern a run on os (runtime.GOOS): the notice of the suites
// that Windows agents 1.56 to 1.63 require concerns a run on Windows (where the agent is installed), or a
// run where a row failed or warned for want of a cipher suite in common; on any other run it is not
// shown.
func noticesFor(rep *check.Report, os string) []endpoints.Notice {
	if rep.Plan == nil {
		return nil
	}
	var out []endpoints.Notice
	for _, n := range rep.Plan.Notices {
		if !agentSuitesNotice(n) || os == "windows" || suiteFindings(rep) {
			out = append(out, n)
		}
	}
	return out
}

// agentSuitesNotice reports whether a notice is the catalog's about the agent's TLS 1.2 suites: it names
// one of check.AgentTLS12Suites.
func agentSuitesNotice(n endpoints.Notice) bool {
	return slices.ContainsFunc(check.AgentTLS12Suites, func(s uint16) bool { return strings.Contains(n.Text, tls.CipherSuiteName(s)) })
}

// suiteFindings reports whether a row failed or warned for its cipher suites: those the agent requires
// (cipher_unsupported_by_agent) or none in common at all.
func suiteFindings(rep *check.Report) bool {
	suites := func(f check.Finding) bool {
		return f.Class == check.ClassCipherUnsupportedByAgent || f.Cause == probe.CauseNoCommonSuite
	}
	return slices.ContainsFunc(rep.Results, func(r check.Result) bool {
		return r.Failure != nil && suites(*r.Failure) || slices.ContainsFunc(r.Warnings, suites)
	})
}
