package check

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
)

func reachableWith(warnings ...probe.Class) probe.Result {
	pr := probe.Result{Target: probe.Target{Scheme: "https", Host: "x.ods.opinsights.azure.com", Port: 443}, Reachable: true}
	for _, c := range warnings {
		pr.Warnings = append(pr.Warnings, probe.Finding{Class: c, Phase: probe.PhaseTLS, Facts: probe.Facts{Err: "seen"}})
	}
	return pr
}

// TestVerdictFollowsTheEntry: what the catalog says of an endpoint shapes its verdict.
func TestVerdictFollowsTheEntry(t *testing.T) {
	direct := &run{opts: Options{Plan: &endpoints.Plan{Mode: endpoints.ModeDirect}}}
	gateway := &run{opts: Options{Plan: &endpoints.Plan{Mode: endpoints.ModeGateway}}}

	// TLS inspection breaks Azure Monitor Agent and Defender: a re-signed chain is a failure.
	pr := reachableWith(probe.ClassTLSIntercepted)
	res := direct.verdict(job{target: pr.Target, entry: &endpoints.Entry{InspectionUnsupported: true}, required: true}, pr)
	assert.False(t, res.Reachable)
	require.NotNil(t, res.Failure)
	assert.Equal(t, probe.ClassTLSIntercepted, res.Failure.Class)
	assert.Equal(t, "seen", res.Failure.Err, "the probe's facts, passed through")
	assert.Equal(t, CauseInspectionUnsupported, res.Failure.Fix.Cause)
	assert.Empty(t, res.Warnings)
	res = direct.verdict(job{target: pr.Target, entry: &endpoints.Entry{}, required: true}, pr)
	assert.True(t, res.Reachable, "elsewhere it stays a warning")
	assert.Len(t, res.Warnings, 1)

	// An extension that authenticates to proxies itself (AMA) needs no warning about the agent.
	pr = reachableWith(probe.ClassProxyAuthAgentUnsupported)
	res = direct.verdict(job{target: pr.Target, entry: &endpoints.Entry{ProxyBasicAuth: true}}, pr)
	assert.Empty(t, res.Warnings)
	res = direct.verdict(job{target: pr.Target, entry: &endpoints.Entry{}}, pr)
	assert.Len(t, res.Warnings, 1)

	// In gateway mode, endpoints the gateway does not carry are marked, and the gateway's own rules
	// (interception fails the row) do not apply to them.
	pr = reachableWith(probe.ClassTLSIntercepted)
	res = gateway.verdict(job{target: pr.Target, entry: &endpoints.Entry{}, notCarried: true}, pr)
	assert.True(t, res.NotCarried)
	assert.True(t, res.Reachable)
	res = gateway.verdict(job{target: pr.Target, entry: &endpoints.Entry{}}, pr)
	assert.False(t, res.Reachable, "through the gateway, interception fails the row")
	require.NotNil(t, res.Failure)
	assert.Equal(t, CauseGatewayInspection, res.Failure.Fix.Cause)
}
