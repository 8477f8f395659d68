package check

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/arccheck/arccheck/pkg/endpoints"
)

// TestRegionMissingFailsTheRun: a required pattern left untested for want of a region fails a run that
// has nothing else wrong; an optional one, or one needing another value, does not.
func TestRegionMissingFailsTheRun(t *testing.T) {
	cases := []struct {
		n    NotTested
		fail bool
	}{
		{NotTested{Pattern: "<region>-gas.guestconfiguration.azure.com", Required: true, Needs: endpoints.FieldLocation}, true},
		{NotTested{Pattern: "*.his.arc.azure.com", Required: true, Needs: endpoints.FieldLocation, Token: endpoints.TokenHISShard}, true},
		{NotTested{Pattern: "<region>.x", Needs: endpoints.FieldLocation}, false},
		{NotTested{Pattern: "x", Required: true, Needs: endpoints.FieldSet, Value: "workspace-id"}, false},
	}
	for _, tc := range cases {
		rep := &Report{NotTested: []NotTested{tc.n}}
		assert.Equal(t, tc.fail, rep.Failed(), tc.n.Pattern)
	}
}

// TestSuiteScope: the agents the TLS 1.2 suite rule concerns.
func TestSuiteScope(t *testing.T) {
	cases := []struct {
		agent *Agent
		want  SuiteScope
	}{
		{nil, SuiteScopeUnknown},
		{&Agent{Version: "1.60", OS: "linux"}, SuiteScopeNotEnforced},
		{&Agent{Version: "1.56.0.1", OS: "windows", OSName: "Windows Server 2019 Standard"}, SuiteScopeEnforced},
		{&Agent{Version: "1.63", OS: "windows", OSName: "Windows 11 Enterprise"}, SuiteScopeEnforced},
		{&Agent{Version: "1.64", OS: "windows", OSName: "Windows Server 2022 Datacenter"}, SuiteScopeNotEnforced},
		{&Agent{Version: "1.55", OS: "windows", OSName: "Windows Server 2022 Datacenter"}, SuiteScopeNotEnforced},
		{&Agent{Version: "1.60", OS: "windows", OSName: "Windows Server 2012 R2 Standard"}, SuiteScopeNotEnforced},
		{&Agent{Version: "1.60", OS: "windows"}, SuiteScopeUnknown},
		{&Agent{Version: "", OS: "windows", OSName: "Windows Server 2022"}, SuiteScopeUnknown},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, tc.agent.SuiteScope(), "%+v", tc.agent)
	}
}
