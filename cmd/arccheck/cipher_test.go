package main

import (
	"crypto/tls"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// TestCipherRuleScope: a TLS-1.2-only server with an ECDSA certificate speaks no suite the Arc agent
// 1.56-1.63 on Windows accepts. Without an agent it is reachable with a warning naming the agents
// concerned; a Windows agent 1.60 fails it; 1.64, which reverted the rule, and Windows Server 2012 R2 do not.
func TestCipherRuleScope(t *testing.T) {
	ca := testnet.NewCA(t, "Lab Public Root", "DigiCert Inc")
	const host = "ecdsa.example"
	srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.ValidLeaf(t, host), MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}})
	args := append([]string{"--catalog", "none", "--ca-file", ca.WritePEM(t)}, endpointArgs(host, srv.Port)...)
	agentAt := func(version, osName string) map[string]string {
		return map[string]string{"PATH": fakeAgent(t, map[string]string{
			"show -j":                 `{"status":"Connected","agentVersion":"` + version + `","osType":"windows","osSku":"` + osName + `"}`,
			"config get proxy.url":    "\n",
			"config get proxy.bypass": "[]\n",
			"extension list":          "\n",
		})}
	}
	cases := []struct {
		name   string
		vars   map[string]string
		fails  bool
		saying string
	}{
		{"no agent", nil, false, "(no Arc agent is installed here)"},
		{"windows 1.60", agentAt("1.60.03293.1234", "Windows Server 2022 Datacenter"), true, ""},
		{"windows 1.64", agentAt("1.64.03400.100", "Windows Server 2022 Datacenter"), false, "(the installed agent 1.64.03400.100 on Windows Server 2022 Datacenter does not)"},
		{"windows 2012 R2", agentAt("1.60", "Windows Server 2012 R2 Datacenter"), false, "does not)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, r := checkJSON(t, tc.vars, args...)
			require.Len(t, doc.Results, 1)
			res := doc.Results[0]
			if tc.fails {
				require.Equal(t, exitUnreachable, r.code, r.stderr)
				require.NotNil(t, res.Failure)
				assert.Equal(t, "cipher_unsupported_by_agent", string(res.Failure.Class))
				assert.Contains(t, res.Failure.Message, "TLS 1.2 with TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
				return
			}
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.True(t, res.Reachable)
			require.Len(t, res.Warnings, 1)
			w := res.Warnings[0]
			assert.Equal(t, "cipher_unsupported_by_agent", string(w.Class))
			assert.Contains(t, w.Message, "only Arc agents 1.56 to 1.63 on Windows (not Windows Server 2012 or 2012 R2) require these suites; agent 1.64 reverted it")
			assert.Contains(t, w.Message, tc.saying)
			assert.Contains(t, w.Fix.Hint, "1.56 to 1.63")
		})
	}
}
