package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/report"
)

const workspace = "0b6c3b5e-1f2a-4c8d-9e7f-123456789abc"

func listJSON(t *testing.T, args ...string) report.ListDocument {
	t.Helper()
	r := runCLI(t, nil, append([]string{"list", "-o", "json"}, args...)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	var doc report.ListDocument
	require.NoError(t, dec.Decode(&doc))
	return doc
}

func listed(t *testing.T, doc report.ListDocument, endpoint string) report.ListEndpoint {
	t.Helper()
	i := slices.IndexFunc(doc.Endpoints, func(e report.ListEndpoint) bool { return e.Endpoint == endpoint })
	require.GreaterOrEqual(t, i, 0, "%s is not listed", endpoint)
	return doc.Endpoints[i]
}

// TestCatalog2026 checks, from the command line, the rows of the 2026 documentation.
func TestCatalog2026(t *testing.T) {
	doc := listJSON(t)
	assert.True(t, slices.ContainsFunc(doc.ServiceTags, func(s report.ServiceTagJSON) bool { return s.Name == "AzureFrontDoor.Frontend" }))
	blob := listed(t, doc, "*.blob.core.windows.net")
	assert.False(t, blob.Required, "disputed: never fails a run on its own")
	assert.NotEmpty(t, blob.Disputed)
	assert.Equal(t, "2026-02-13", blob.Until)
	assert.True(t, slices.ContainsFunc(blob.Sources, func(s report.SourceJSON) bool { return strings.HasPrefix(s.Date, "2026-02") }),
		"dated source: %v", blob.Sources)

	sql := listJSON(t, "-e", "sql")
	listed(t, sql, "graph.microsoft.com")
	listed(t, sql, "<azure-keyvault-name>.vault.azure.net")
	listed(t, listJSON(t, "--cloud", "usgov", "-e", "sql"), "*.<region>.arcdataservices.azure.us")

	china := listJSON(t, "--cloud", "china", "--esu")
	require.NotEmpty(t, china.Endpoints, "seed 001's table is still listed")
	require.NotEmpty(t, china.Notices)
	assert.Contains(t, china.Notices[0].Notice, "not available in Azure operated by 21Vianet")
	r := runCLI(t, nil, "list", "--cloud", "china", "--esu")
	assert.Contains(t, r.stdout, "note: Windows Server ESU")
}

// TestAzureMonitorAgentScenario: the workspace's ODS host is listed and checked when its ID is given,
// listed as not tested naming the flag without it, and marked as not carried in gateway mode.
func TestAzureMonitorAgentScenario(t *testing.T) {
	ods := "https://" + workspace + ".ods.opinsights.azure.com"
	doc := listJSON(t, "-e", "ama", "-l", "westeurope", "--set", "workspace-id="+strings.ToUpper(workspace))
	e := listed(t, doc, "<workspace-id>.ods.opinsights.azure.com")
	assert.Equal(t, []string{ods}, e.Targets)
	assert.True(t, e.InspectionUnsupported)

	without := listed(t, listJSON(t, "-e", "ama", "-l", "westeurope"), "<workspace-id>.ods.opinsights.azure.com")
	assert.Empty(t, without.Targets)
	require.NotEmpty(t, without.NotTested)
	assert.Contains(t, without.NotTested[0], "--set workspace-id=")

	gw := listed(t, listJSON(t, "-e", "ama", "-l", "westeurope", "--gateway-url", "https://contoso.gw.arc.azure.com"),
		"<workspace-id>.ods.opinsights.azure.com")
	assert.True(t, gw.NotCarried)
	r := runCLI(t, nil, "list", "-e", "ama", "-l", "westeurope", "--gateway-url", "https://contoso.gw.arc.azure.com")
	assert.Contains(t, r.stdout, "not via the gateway")

	// check probes it (here: refused on loopback), and the gateway marks it in RESULT too.
	r = runCLI(t, nil, "check", "-e", "ama", "-l", "westeurope", "--set", "workspace-id="+workspace,
		"--gateway-url", "https://contoso.gw.arc.azure.com", "--resolve", "*:*:127.0.0.1", "--timeout", "3s", "-o", "json")
	require.Equal(t, exitUnreachable, r.code, r.stderr)
	res := resultFor(t, decodeCheck(t, r), ods)
	assert.True(t, res.NotCarried)
	r = runCLI(t, nil, "check", "-e", "ama", "-l", "westeurope", "--resolve", "*:*:127.0.0.1", "--timeout", "3s")
	assert.Contains(t, r.stdout, "needs --set workspace-id=VALUE")
}

func TestProxyBypassTakesTheNewCategories(t *testing.T) {
	r := runCLI(t, nil, "check", "-l", "westeurope", "-e", "ama,sql", "--proxy", "http://127.0.0.1:1", "--proxy-bypass", "AMA,ArcData",
		"--resolve", "*:*:127.0.0.1", "--timeout", "3s", "-o", "json")
	require.Equal(t, exitUnreachable, r.code, r.stderr)
	doc := decodeCheck(t, r)
	assert.Equal(t, []string{"AMA", "ArcData"}, doc.Settings.ProxyBypass)
	res := resultFor(t, doc, "https://global.handler.control.monitor.azure.com")
	assert.Equal(t, "proxy bypass", res.Bypassed, "AMA endpoints go direct")
}

func TestBadSetValues(t *testing.T) {
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"-e", "ama", "--set", "workspace-id=not-a-guid"}, `--set: malformed value "workspace-id=not-a-guid"`},
		{[]string{"-e", "keyvault", "--set", "vault=bad_name!"}, `--set: malformed value "vault=bad_name!"`},
		{[]string{"-e", "ama", "--set", "colour=blue"}, `--set: unknown name "colour" (valid: workspace-id, dce, vault)`},
		{[]string{"--set", "workspace-id=" + workspace}, "--set: workspace-id is used only by the scenarios ama"},
		{[]string{"-e", "ama", "--set", "workspace-id"}, "--set: \"workspace-id\": want NAME=VALUE"},
	} {
		r := runCLI(t, nil, append([]string{"list"}, tc.args...)...)
		assert.Equal(t, exitBadInput, r.code, tc.args)
		assert.Contains(t, r.stderr, tc.says, tc.args)
		assert.Empty(t, r.stdout)
	}
}

func TestListChanges(t *testing.T) {
	r := runCLI(t, nil, "list", "--changes")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `\| remove +\| aka\.ms`, r.stdout)
	assert.Regexp(t, `\| disputed +\| \*\.blob\.core\.windows\.net +\| 2026-02-13`, r.stdout)
	assert.Regexp(t, `\| add +\| AzureFrontDoor\.Frontend`, r.stdout)
	r = runCLI(t, nil, "list", "--changes", "-o", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var doc report.ChangesDocument
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&doc))
	assert.Equal(t, report.ChangesSchema, doc.Schema)
	assert.True(t, slices.ContainsFunc(doc.Changes, func(c report.ChangeJSON) bool {
		return c.Endpoint == "*.login.microsoft.com" && c.Change == "added"
	}))
	r = runCLI(t, nil, "list", "--changes", "-o", "plain")
	assert.Equal(t, exitBadInput, r.code)
}

func listJSONFrom(t *testing.T, r result) report.ListDocument {
	t.Helper()
	require.Equal(t, exitOK, r.code, r.stderr)
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	var doc report.ListDocument
	require.NoError(t, dec.Decode(&doc), r.stdout)
	return doc
}
