package check

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/arccheck/arccheck/pkg/agent"
	"github.com/arccheck/arccheck/pkg/endpoints"
)

// TestSuiteScope: the agents the TLS 1.2 suite rule concerns: Windows agents 1.56 to 1.63.
func TestSuiteScope(t *testing.T) {
	cases := []struct {
		agent *agent.Settings
		want  SuiteScope
	}{
		{nil, SuiteScopeUnknown},
		{&agent.Settings{Version: "1.60", OS: "linux"}, SuiteScopeNotEnforced},
		{&agent.Settings{Version: "1.56.02974.1234", OS: "windows"}, SuiteScopeEnforced},
		{&agent.Settings{Version: "v1.63", OS: "windows"}, SuiteScopeEnforced},
		{&agent.Settings{Version: "1.63.99", OS: "windows"}, SuiteScopeEnforced},
		{&agent.Settings{Version: "1.64", OS: "windows"}, SuiteScopeNotEnforced},
		{&agent.Settings{Version: "1.55", OS: "windows"}, SuiteScopeNotEnforced},
		{&agent.Settings{Version: "1.6", OS: "windows"}, SuiteScopeNotEnforced}, // minor 6, not 60
		{&agent.Settings{Version: "2.1", OS: "windows"}, SuiteScopeNotEnforced},
		{&agent.Settings{Version: "", OS: "windows"}, SuiteScopeUnknown},
		{&agent.Settings{Version: "unknown", OS: "windows"}, SuiteScopeUnknown},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, AgentSuiteScope(tc.agent), "%+v", tc.agent)
	}
}

// TestAgentVersion: versions as azcmagent reports them, compared by major and minor number.
func TestAgentVersion(t *testing.T) {
	v, ok := endpoints.ParseAgentVersion("1.60.03293.1234")
	assert.True(t, ok)
	assert.Equal(t, endpoints.AgentVersion{Major: 1, Minor: 60}, v)
	assert.Equal(t, "1.60", v.String())
	for _, bad := range []string{"", "1", "a.b", "1.-2", "1.+2", "1.x.3", "1.2345678"} {
		_, ok := endpoints.ParseAgentVersion(bad)
		assert.False(t, ok, bad)
	}
	assert.True(t, SuitesEnforcedFrom.Less(SuitesRevertedIn))
	assert.False(t, SuitesRevertedIn.Less(SuitesEnforcedFrom))
}
