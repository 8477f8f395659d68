package check

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/arccheck/arccheck/pkg/probe"
)

// TestLocalResourcesIsNoVerdict: a row that ran out of descriptors counts as not probed, never as
// unreachable, and LocalExhausted counts it (with the revocation probes) so the run fails as a run.
func TestLocalResourcesIsNoVerdict(t *testing.T) {
	local := &Finding{Finding: probe.Finding{Class: probe.ClassLocalResources, Phase: probe.PhaseTCP}}
	refused := &Finding{Finding: probe.Finding{Class: probe.ClassTCPRefused, Phase: probe.PhaseTCP}}
	rep := &Report{Results: []Result{{Required: true, Failure: local}, {Required: true, Failure: refused}, {Reachable: true}},
		Revocation: []Revocation{{URL: "http://crl.example/x.crl", Probe: probe.Result{Failure: &local.Finding}}}}
	s := rep.Summary()
	assert.Equal(t, 1, s.Canceled)
	assert.Equal(t, 1, s.RequiredCanceled)
	assert.Equal(t, 1, s.Unreachable)
	assert.Equal(t, 2, rep.LocalExhausted())
	assert.True(t, rep.Failed())
}

// TestPassed: a run passes only when it is not interrupted, no probe lacked local resources, no required
// endpoint failed and, when warnings fail the run, no row warned.
func TestPassed(t *testing.T) {
	ok := Result{Required: true, Reachable: true}
	warned := ok
	warned.Warnings = []Finding{{Finding: probe.Finding{Class: probe.ClassTLSIntercepted, Phase: probe.PhaseTLS}}}
	optional := Result{Failure: &Finding{Finding: probe.Finding{Class: probe.ClassTCPRefused, Phase: probe.PhaseTCP}}}
	local := Result{Failure: &Finding{Finding: probe.Finding{Class: probe.ClassLocalResources, Phase: probe.PhaseTCP}}}
	for _, tc := range []struct {
		name         string
		rep          Report
		warningsFail bool
		passed       bool
	}{
		{"reachable", Report{Results: []Result{ok}}, false, true},
		{"an optional failure", Report{Results: []Result{ok, optional}}, true, true},
		{"a warning", Report{Results: []Result{warned}}, false, true},
		{"a warning that fails", Report{Results: []Result{warned}}, true, false},
		{"interrupted", Report{Results: []Result{ok}, Interrupted: true}, false, false},
		{"out of local resources, even an optional row", Report{Results: []Result{ok, local}}, false, false},
		{"a required failure", Report{Results: []Result{{Required: true, Failure: optional.Failure}}}, false, false},
	} {
		assert.Equal(t, tc.passed, tc.rep.Passed(tc.warningsFail), tc.name)
	}
}
