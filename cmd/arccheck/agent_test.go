package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/settings"
)

// fakeAgent writes an azcmagent script that answers each command as the documented one does, and
// returns a PATH holding it. An answer "!hang" never answers (and writes its pid in the PATH's file
// "started" first); "!fail" exits 1; "!flood" writes 200 MB.
func fakeAgent(t *testing.T, answers map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	var script strings.Builder
	script.WriteString("#!/bin/sh\ncase \"$*\" in\n")
	for cmd, out := range answers {
		file := filepath.Join(dir, strings.ReplaceAll(cmd, " ", "_")+".out")
		switch out {
		case "!hang":
			fmt.Fprintf(&script, "%q) echo $$ >> %q; exec sleep 30 ;;\n", cmd, filepath.Join(dir, "started"))
		case "!flood":
			fmt.Fprintf(&script, "%q) exec head -c 200000000 /dev/zero ;;\n", cmd)
		case "!fail":
			fmt.Fprintf(&script, "%q) echo 'azcmagent: failed' >&2; exit 1 ;;\n", cmd)
		default:
			require.NoError(t, os.WriteFile(file, []byte(out), 0o644))
			fmt.Fprintf(&script, "%q) cat %q ;;\n", cmd, file)
		}
	}
	script.WriteString("*) exit 2 ;;\nesac\n")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "azcmagent"), []byte(script.String()), 0o755))
	return dir
}

// connected is what an onboarded agent in westeurope with a proxy, a bypass and two extensions says.
func connected(proxy string) map[string]string {
	return map[string]string{
		"show -j":                 `{"status":"Connected","agentVersion":"1.61","location":"westeurope","cloud":"AzureCloud","httpsProxy":"` + proxy + `"}`,
		"config get proxy.url":    proxy + "\n",
		"config get proxy.bypass": "[Arc]\n",
		"extension list":          "AzureMonitorLinuxAgent  Succeeded\nLinuxAgent.SqlServer  Succeeded\n",
	}
}

func TestSettingsComeFromTheAgent(t *testing.T) {
	path := fakeAgent(t, connected("http://127.0.0.1:1"))
	r := runCLI(t, map[string]string{"PATH": path}, "check", "-o", "json", "--timeout", "2s", "--resolve", "*:*:127.0.0.1")
	require.Equal(t, exitUnreachable, r.code, r.stderr)
	doc := decodeCheck(t, r)
	require.NotNil(t, doc.Settings.Selection)
	assert.Equal(t, "westeurope", doc.Settings.Selection.Location)
	assert.Equal(t, "AzureCloud", doc.Settings.Selection.Cloud)
	assert.Equal(t, []string{"ama", "sql"}, doc.Settings.Selection.Scenarios, "the installed extensions")
	assert.Equal(t, []string{"Arc"}, doc.Settings.ProxyBypass)
	assert.Equal(t, "http://127.0.0.1:1", doc.Settings.Proxy.HTTPS, "the agent's proxy")
	assert.Equal(t, map[string]string{"location": "agent", "cloud": "agent", "extensions": "agent", "proxy-bypass": "agent", "proxy": "agent"},
		doc.Settings.Sources)
	require.NotNil(t, doc.Settings.Agent)
	assert.Equal(t, filepath.Join(path, "azcmagent"), doc.Settings.Agent.Path)
	assert.Equal(t, "1.61", doc.Settings.Agent.Version)
	assert.Equal(t, "proxy bypass", resultFor(t, doc, "https://gbl.his.arc.azure.com").Bypassed, "Arc endpoints bypass the agent's proxy")

	// The table says where the settings came from, above it.
	r = runCLI(t, map[string]string{"PATH": path}, "list")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.True(t, strings.HasPrefix(r.stdout, "Settings from the Arc agent at "+filepath.Join(path, "azcmagent")+": cloud, "), r.stdout)
	assert.Contains(t, strings.SplitN(r.stdout, "\n", 2)[0], "region")

	// Flags given explicitly win; --agent off ignores the agent.
	r = runCLI(t, map[string]string{"PATH": path}, "list", "-o", "json", "-l", "northeurope", "-e", "ssh")
	doc2 := listJSONFrom(t, r)
	assert.Equal(t, "northeurope", doc2.Selection.Location)
	assert.Equal(t, []string{"ssh"}, doc2.Selection.Scenarios)
	assert.Equal(t, "flag", doc2.Sources["location"])
	r = runCLI(t, map[string]string{"PATH": path}, "list", "-o", "json", "--agent", "off")
	doc2 = listJSONFrom(t, r)
	assert.Empty(t, doc2.Selection.Location)
	assert.Nil(t, doc2.Agent)
	assert.Equal(t, exitBadInput, runCLI(t, map[string]string{"PATH": path}, "list", "--agent", "maybe").code)

	// check --agent off probes without the agent's proxy, bypass and extensions.
	r = runCLI(t, map[string]string{"PATH": path}, "check", "-o", "json", "--agent", "off", "-l", "westeurope",
		"--timeout", "2s", "--resolve", "*:*:127.0.0.1")
	doc = decodeCheck(t, r)
	assert.Nil(t, doc.Settings.Agent)
	assert.Empty(t, doc.Settings.Proxy.HTTPS, "not the agent's proxy")
	assert.Empty(t, doc.Settings.ProxyBypass)
	assert.Empty(t, doc.Settings.Selection.Scenarios)
	assert.Equal(t, map[string]string{"location": "flag"}, doc.Settings.Sources)
}

func TestGatewayAndPrivateLinkModesComeFromTheAgent(t *testing.T) {
	squid := testnet.StartSquid(t, testnet.SquidOptions{})
	path := fakeAgent(t, map[string]string{
		"show -j": `{"status":"Connected","location":"westeurope","httpsProxy":"http://localhost:40343","upstreamProxy":"http://` + squid.Addr +
			`","gatewayUrl":"https://contoso.gw.arc.azure.com"}`,
		"config get proxy.url": "http://localhost:40343\n", "config get proxy.bypass": "[]\n", "extension list": "",
	})
	r := runCLI(t, map[string]string{"PATH": path}, "check", "-o", "json", "--timeout", "3s")
	require.Equal(t, exitUnreachable, r.code, r.stderr)
	doc := decodeCheck(t, r)
	assert.Equal(t, "gateway", doc.Settings.Selection.Mode)
	assert.Equal(t, "https://contoso.gw.arc.azure.com", doc.Settings.Selection.GatewayURL)
	assert.Equal(t, "http://"+squid.Addr, doc.Settings.Proxy.HTTPS, "the enterprise proxy behind the agent's local Arc proxy")
	assert.Equal(t, "agent", doc.Settings.Sources["gateway-url"])

	path = fakeAgent(t, map[string]string{
		"show -j":              `{"status":"Connected","location":"westeurope","privateLinkScope":"/subscriptions/x/resourceGroups/y/providers/Microsoft.HybridCompute/privateLinkScopes/z"}`,
		"config get proxy.url": "", "config get proxy.bypass": "", "extension list": "",
	})
	r = runCLI(t, map[string]string{"PATH": path}, "list", "-o", "json")
	assert.Equal(t, "private-link", listJSONFrom(t, r).Selection.Mode)
}

// TestShellProxyTheAgentDoesNotUse: HTTPS_PROXY in the shell does not make the check pass through a
// proxy the agent will not use; a warning says so.
func TestShellProxyTheAgentDoesNotUse(t *testing.T) {
	path := fakeAgent(t, connected(""))
	r := runCLI(t, map[string]string{"PATH": path, "HTTPS_PROXY": "http://127.0.0.1:1"}, "check", "-o", "json",
		"--timeout", "2s", "--resolve", "*:*:127.0.0.1")
	doc := decodeCheck(t, r)
	assert.Empty(t, doc.Settings.Proxy.HTTPS, "the agent goes direct, and so does the check")
	assert.Contains(t, r.stderr, "arccheck: warning: HTTPS_PROXY is set in this shell, but the Arc agent uses no proxy and will not use it")
	r = runCLI(t, map[string]string{"PATH": path}, "check", "-o", "json", "--timeout", "2s", "--resolve", "*:*:127.0.0.1",
		"--proxy", "http://127.0.0.1:1")
	assert.Equal(t, "http://127.0.0.1:1", decodeCheck(t, r).Settings.Proxy.HTTPS, "--proxy wins")
	assert.Contains(t, r.stderr, "--proxy tests another path than the Arc agent's, which uses no proxy")
}

// TestBrokenAgentDoesNotBreakTheRun: a failing, garbled or hanging azcmagent costs one line on stderr
// and at most its short timeout; the run goes on with what could be read.
func TestBrokenAgentDoesNotBreakTheRun(t *testing.T) {
	path := fakeAgent(t, map[string]string{
		"show -j": "<html>garbled</html>", "config get proxy.url": "!fail", "config get proxy.bypass": "!hang",
		"extension list": "AzureMonitorWindowsAgent Succeeded\n",
	})
	r := runCLI(t, map[string]string{"PATH": path}, "list", "-o", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, []string{"ama"}, listJSONFrom(t, r).Selection.Scenarios, "what could be read is used")
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), r.stderr)
	assert.Contains(t, r.stderr, "could not be read fully (azcmagent show -j: not a JSON object")
	assert.Contains(t, r.stderr, "azcmagent config get proxy.bypass: no answer within 3s")

	// An agent on an unknown cloud or region is ignored for that setting, with a warning; never bad input.
	path = fakeAgent(t, map[string]string{"show -j": `{"cloud":"Azure.Local","location":"atlantis"}`,
		"config get proxy.url": "", "config get proxy.bypass": "", "extension list": ""})
	r = runCLI(t, map[string]string{"PATH": path}, "list", "-o", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "ignoring the agent's cloud")
	assert.Contains(t, r.stderr, "ignoring the agent's location")
}

// TestAgentSettingsSurviveAnotherBeingDropped: the agent's unknown cloud is dropped with a warning that
// names it once; its gateway mode stays, and the sources say so.
func TestAgentSettingsSurviveAnotherBeingDropped(t *testing.T) {
	path := fakeAgent(t, map[string]string{
		"show -j":              `{"cloud":"Azure.Local","location":"westeurope","gatewayUrl":"https://contoso.gw.arc.azure.com"}`,
		"config get proxy.url": "", "config get proxy.bypass": "", "extension list": "",
	})
	r := runCLI(t, map[string]string{"PATH": path}, "list", "-o", "json")
	doc := listJSONFrom(t, r)
	assert.Equal(t, "gateway", doc.Selection.Mode)
	assert.Equal(t, "agent", doc.Sources["gateway-url"])
	assert.Equal(t, "agent", doc.Sources["location"])
	assert.NotContains(t, doc.Sources, "cloud")
	assert.Equal(t, 1, strings.Count(r.stderr, "ignoring the agent's cloud (unknown cloud \"Azure.Local\")"), r.stderr)
}

// TestInterruptedWhileReadingTheAgent: Ctrl-C while the agent is read ends list with 130, not a listing.
func TestInterruptedWhileReadingTheAgent(t *testing.T) {
	path := fakeAgent(t, connected(""))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := runCLIContext(t, ctx, map[string]string{"PATH": path}, "list")
	assert.Equal(t, exitInterrupted, r.code)
	assert.Empty(t, r.stdout)
}

// TestUnreadableAgentIsNotADirectAgent: an agent whose proxy settings cannot be read (azcmagent fails,
// as it does without root) is not taken to use no proxy: the environment's proxy is used, as without it.
func TestUnreadableAgentIsNotADirectAgent(t *testing.T) {
	path := fakeAgent(t, map[string]string{"show -j": "!fail", "config get proxy.url": "!fail",
		"config get proxy.bypass": "!fail", "extension list": "!fail"})
	r := runCLI(t, map[string]string{"PATH": path, "HTTPS_PROXY": "http://127.0.0.1:1"}, "check", "--catalog", "none",
		"--endpoint", "https://app.example", "--timeout", "2s", "-o", "json")
	doc := decodeCheck(t, r)
	assert.Equal(t, "http://127.0.0.1:1", doc.Settings.Proxy.HTTPS)
	assert.Equal(t, "environment", doc.Settings.Sources["proxy"])
	assert.NotContains(t, r.stderr, "uses no proxy")
}

// TestFloodingAgentCostsOneLine: an agent that floods its output is stopped at the cap; the run goes
// on with the rest, and the warning names the cap.
func TestFloodingAgentCostsOneLine(t *testing.T) {
	answers := connected("")
	answers["show -j"] = "!flood"
	r := runCLI(t, map[string]string{"PATH": fakeAgent(t, answers)}, "list", "-o", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, []string{"ama", "sql"}, listJSONFrom(t, r).Selection.Scenarios, "what could be read is used")
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), r.stderr)
	assert.Contains(t, r.stderr, "could not be read fully (azcmagent show -j: wrote more than 1 MiB on stdout: not the agent's answer)")
}

// TestAgentInterruptedMidRead: Ctrl-C while azcmagent hangs ends list at once with 130, with no
// warning about the agent: the commands were stopped, they did not fail.
func TestAgentInterruptedMidRead(t *testing.T) {
	answers := connected("")
	answers["extension list"] = "!hang"
	path := fakeAgent(t, answers)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() { done <- runCLIContext(t, ctx, map[string]string{"PATH": path}, "list") }()
	require.Eventually(t, func() bool {
		_, err := os.Stat(filepath.Join(path, "started"))
		return err == nil
	}, 10*time.Second, 5*time.Millisecond, "the fake agent did not start")
	cancel()
	select {
	case r := <-done:
		assert.Equal(t, exitInterrupted, r.code)
		assert.Empty(t, r.stdout)
		assert.NotContains(t, r.stderr, "could not be read", "stopped, not failed")
	case <-time.After(2 * time.Second):
		t.Fatal("list did not end at once when interrupted (the agent's timeout is 3 s)")
	}
}

// TestSettingsWarningWords: each typed warning of the settings' resolution has its line on stderr.
func TestSettingsWarningWords(t *testing.T) {
	for _, c := range []struct {
		w    settings.Warning
		want string
	}{
		{settings.AgentValueRefused{Field: endpoints.FieldCloud, Err: &endpoints.SelectionError{Field: endpoints.FieldCloud, Value: "Azure.Local", Reason: "unknown cloud"}},
			`ignoring the agent's cloud (unknown cloud "Azure.Local")`},
		{settings.AgentValueRefused{Field: endpoints.FieldGatewayURL, Err: &endpoints.SelectionError{Field: endpoints.FieldMode, Value: "gateway",
			Reason: "the Arc gateway is available in AzureCloud only"}}, `ignoring the agent's gateway URL (the Arc gateway is available in AzureCloud only "gateway")`},
		{settings.AgentBypassInGateway{Categories: []string{"Arc", "AAD"}},
			"the agent's proxy.bypass (Arc, AAD) has no effect in gateway mode, which does not support proxy bypass"},
		{settings.EnvironmentProxyIgnored{Variable: "HTTPS_PROXY"},
			"HTTPS_PROXY is set in this shell, but the Arc agent uses no proxy and will not use it: checking the agent's path (--proxy tests another one)"},
		{settings.EnvironmentProxyIgnored{Variable: "ALL_PROXY", AgentUsesProxy: true},
			"ALL_PROXY is set in this shell, but the Arc agent uses its own proxy setting and will not use it: checking the agent's path (--proxy tests another one)"},
		{settings.AgentProxyUnusable{Err: errors.New(`unsupported scheme "ftp"`)},
			`the Arc agent's proxy cannot be used (unsupported scheme "ftp"); checking without a proxy`},
		{settings.ProxyDiffers{}, "--proxy tests another path than the Arc agent's, which uses no proxy"},
		{settings.ProxyDiffers{AgentUsesProxy: true}, "--proxy tests another path than the Arc agent's, which uses another proxy"},
	} {
		assert.Equal(t, c.want, report.SettingsWarning(c.w))
	}
}

// TestSelectionFieldsAreFlags: every part of a selection has its row in the one table of selection
// flags, and every flag of the table is one that check registers (list all but check's own).
func TestSelectionFieldsAreFlags(t *testing.T) {
	all := []endpoints.Field{endpoints.FieldCloud, endpoints.FieldLocation, endpoints.FieldMode, endpoints.FieldESU,
		endpoints.FieldExtensions, endpoints.FieldGatewayURL, endpoints.FieldProfile, endpoints.FieldProxyBypass, endpoints.FieldSet}
	checkCmd := newCheckCmd(env{}, &globalOptions{})
	listCmd := newListCmd(env{}, &globalOptions{})
	for _, f := range all {
		i := slices.IndexFunc(selectionFields, func(sf selectionField) bool { return sf.field == f })
		require.GreaterOrEqual(t, i, 0, "no flag for %s", f)
		assert.Contains(t, selectionFields[i].shown, "--"+selectionFields[i].flags[0])
	}
	for _, sf := range selectionFields {
		for _, name := range sf.flags {
			assert.NotNil(t, checkCmd.Flags().Lookup(name), "check has no --%s", name)
			if name != "enable-pls-check" && name != "proxy-bypass" {
				assert.NotNil(t, listCmd.Flags().Lookup(name), "list has no --%s", name)
			}
		}
	}
	se := &endpoints.SelectionError{Field: endpoints.FieldLocation, Value: "westeurop", Reason: "unknown AzureCloud region", Suggest: []string{"westeurope"}}
	assert.Equal(t, `-l/--location: unknown AzureCloud region "westeurop" (did you mean westeurope?)`, selectionMessage(se))
}

// TestUserFlagConflictingWithTheAgent: a flag the catalog refuses is bad input worded with the flag,
// even when the agent's settings were taken: only the agent's own values are dropped.
func TestUserFlagConflictingWithTheAgent(t *testing.T) {
	path := fakeAgent(t, connected(""))
	r := runCLI(t, map[string]string{"PATH": path}, "list", "-l", "westeurop")
	assert.Equal(t, exitBadInput, r.code)
	assert.Contains(t, r.stderr, `arccheck: -l/--location: unknown AzureCloud region "westeurop"`)
	assert.NotContains(t, r.stderr, "ignoring the agent's")
}
