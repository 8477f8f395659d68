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
