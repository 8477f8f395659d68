package agent

import (
	"context"
	"strings"
	"testing"

	"github.com/arccheck/arccheck/internal/safetext"
)

// FuzzAgentOutput feeds any bytes to every parser of the agent's answers, alone and through Read: no
// panic, every error one safe line, and everything kept in Settings safe to show and within MaxValue.
func FuzzAgentOutput(f *testing.F) {
	for _, seed := range []string{
		`{"status":"Connected","agentVersion":"1.61","location":"westeurope","cloud":"AzureCloud","httpsProxy":"http://localhost:40343"}`,
		"\ufeff{\"LOCATION\":\"west\\u001beurope\",\"location\":1e999,\"x\":[[[[{}]]]]}",
		"null", "[]", `{"location":"` + strings.Repeat("a", MaxValue+1) + `"}`,
		"http://alice:s3cret@proxy.corp:3128\n", "\"http://proxy\"", "[AAD, Arc]\n", `["ARM","AAD"]`, "ArcData,AMA",
		"AzureMonitorLinuxAgent Succeeded\nMDE.Linux Succeeded\n",
		"Current WinHTTP proxy settings:\n\n    Proxy Server(s) :  proxy.corp:8080\x1b[2J\n",
		"\xff\xfe\x00\x1b\u202e\u2066", "", strings.Repeat("Arc,", maxBypass+1),
	} {
		f.Add([]byte(seed))
	}
	parsers := map[string]func(*Settings, []byte) error{
		"parseShow": parseShow, "parseProxyURL": parseProxyURL, "parseBypass": parseBypass,
		"parseExtensions": parseExtensions, "parseWinHTTP": parseWinHTTP,
	}
	f.Fuzz(func(t *testing.T, out []byte) {
		for name, parse := range parsers {
			var s Settings
			if err := parse(&s, out); err != nil {
				checkLine(t, name+" error", err.Error(), 1<<10)
			}
			checkSettings(t, name, s)
		}
		checkLine(t, "describe", describe(out), 1<<10)
		checkLine(t, "lastWords", lastWords(out), MaxQuote)

		answer := func(context.Context, string, ...string) ([]byte, error) { return out, nil }
		s, problems := Read(context.Background(), "azcmagent", Options{Run: answer, GOOS: "windows"})
		for _, p := range problems {
			checkLine(t, "Problem", p.Error(), 1<<10)
		}
		checkSettings(t, "Read", s)
	})
}

// checkSettings asserts that every value kept from the agent is safe to show and within MaxValue.
func checkSettings(t *testing.T, name string, s Settings) {
	t.Helper()
	values := append([]string{s.Version, s.Status, s.Cloud, s.Location, s.GatewayURL, s.PrivateLinkScope,
		s.HTTPSProxy, s.UpstreamProxy, s.ProxyURL, s.WinHTTPProxy}, s.ProxyBypass...)
	values = append(values, s.Extensions...)
	for _, v := range values {
		checkLine(t, name+" value", v, MaxValue)
	}
	if len(s.ProxyBypass) > maxBypass {
		t.Fatalf("%s: %d proxy bypass categories kept", name, len(s.ProxyBypass))
	}
}

// checkLine asserts that text is one line, safe to show (safetext), and at most limit bytes long.
func checkLine(t *testing.T, name, text string, limit int) {
	t.Helper()
	if !safetext.IsSafe(text) || strings.ContainsAny(text, "\r\n") {
		t.Fatalf("%s is not one safe line: %q", name, text)
	}
	if len(text) > limit {
		t.Fatalf("%s is %d bytes long, more than %d: %q", name, len(text), limit, text)
	}
}
