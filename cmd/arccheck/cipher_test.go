package main

import (
	"crypto/tls"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// TestCipherRuleScope: a TLS-1.2-only server with an ECDSA certificate speaks no suite the Arc agent
// 1.56-1.63 on Windows accepts. Without an agent, or with an agent on Linux (whatever its version), it is
// reachable with a warning naming the agents concerned. A Windows agent 1.60 failing it, and 1.64 not, is
// TestWindowsBinaryUnderWine's: the agent's OS is the machine arccheck runs on.
func TestCipherRuleScope(t *testing.T) {
	ca := testnet.NewCA(t, "Lab Public Root", "DigiCert Inc")
	const host = "ecdsa.example"
	srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.ValidLeaf(t, host), MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}})
	args := append([]string{"--catalog", "none", "--ca-file", ca.WritePEM(t)}, endpointArgs(host, srv.Port)...)
	agentAt := func(version string) map[string]string {
		return map[string]string{"PATH": fakeAgent(t, map[string]string{
			"show -j":                 `{"status":"Connected","agentVersion":"` + version + `"}`,
			"config get proxy.url":    "\n",
			"config get proxy.bypass": "[]\n",
			"extension list":          "\n",
		})}
	}
	cases := []struct {
		name string
		vars map[string]string
	}{
		{"no agent", nil},
		{"linux agent 1.60", agentAt("1.60.03293.1234")},
		{"linux agent 1.64", agentAt("1.64.03400.100")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, r := checkJSON(t, tc.vars, args...)
			require.Len(t, doc.Results, 1)
			res := doc.Results[0]
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.True(t, res.Reachable)
			require.Len(t, res.Warnings, 1)
			w := res.Warnings[0]
			assert.Equal(t, "cipher_unsupported_by_agent", string(w.Class))
			assert.Contains(t, w.Message, "TLS 1.2 with TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
			assert.Contains(t, w.Fix.Hint, "Arc agents 1.56 to 1.63 on Windows (not Windows Server 2012 or 2012 R2) do not accept; 1.64 reverted that rule")
			if tc.vars != nil {
				require.NotNil(t, doc.Settings.Agent)
				assert.Equal(t, "linux", doc.Settings.Agent.OS)
			}
		})
	}
}
