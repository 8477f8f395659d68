package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/report/fleet"
)

// TestCheckWithoutRegionFails: without -l and without an agent to say the region, the required regional
// endpoints cannot be named, so the run cannot pass, and says to give -l/--location.
func TestCheckWithoutRegionFails(t *testing.T) {
	r := runCLI(t, nil, "check", "--agent", "off", "--timeout", "2s", "--resolve", "*:*:127.0.0.1")
	assert.Equal(t, exitUnreachable, r.code, r.stderr)
	assert.Contains(t, r.stdout, "not tested for want of a region; give the server's region with -l/--location")
	doc, r := checkJSON(t, nil, "--agent", "off", "--timeout", "2s", "--resolve", "*:*:127.0.0.1")
	assert.Equal(t, exitUnreachable, r.code)
	assert.NotEmpty(t, doc.NotTested)
	assert.Contains(t, r.stderr, "-l/--location")
}

// regionSentence is how every format begins to say that the run failed for want of a region.
const regionSentence = "required patterns not tested for want of a region; give the server's region with -l/--location (e.g. -l westeurope)."

// TestCheckWithoutRegionFailsInEveryFormat: every endpoint the run can name answers, yet without a region
// the run fails in every format, each saying why, and merge counts the report as failed.
func TestCheckWithoutRegionFailsInEveryFormat(t *testing.T) {
	lab := testnet.NewLab(t, testnet.LabOptions{})
	base := append([]string{"check", "--agent", "off", "--ca-file", lab.CA.WritePEM(t), "--timeout", "5s"},
		lab.ResolveArgs(planHosts(t, endpoints.Selection{})...)...)
	run := func(args ...string) result {
		t.Helper()
		r := runCLI(t, nil, append(slices.Clone(base), args...)...)
		require.Equal(t, exitUnreachable, r.code, "%v: the run cannot pass without a region\nstdout:\n%s\nstderr:\n%s", args, r.stdout, r.stderr)
		return r
	}

	r := run()
	rows := tableRows(t, r.stdout)
	require.NotEmpty(t, rows)
	for _, row := range rows {
		assert.Equal(t, "true", row["REACHABLE"], "every named endpoint answers: %s", row["ENDPOINT"])
	}
	assert.Contains(t, r.stdout, " Failed: 3 "+regionSentence)
	assert.NotContains(t, r.stderr, "for want of a region", "the table says it once")

	r = run("-o", "json")
	doc := decodeCheck(t, r)
	assert.Zero(t, doc.Summary.RequiredUnreachable)
	assert.Zero(t, doc.Summary.RequiredCanceled)
	assert.Equal(t, 3, doc.Summary.RequiredNeedRegion)
	var needRegion []string
	for _, n := range doc.NotTested {
		if n.Needs == "location" {
			assert.True(t, n.Required, n.Pattern)
			needRegion = append(needRegion, n.Pattern)
		}
	}
	assert.Equal(t, []string{"*.guestconfiguration.azure.com", "*.his.arc.azure.com", "azgn*.servicebus.windows.net"}, needRegion)
	assert.Equal(t, "arccheck: 3 "+regionSentence+"\n", r.stderr, "one sentence on stderr, the same words")
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "srv01.json"), []byte(r.stdout), 0o644))

	r = run("-o", "junit")
	var suites struct {
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Type    string `xml:"type,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal([]byte(r.stdout), &suites), r.stdout)
	assert.Equal(t, 3, suites.Failures, "a CI that publishes the XML goes red")
	var failed []string
	for _, s := range suites.Suites {
		for _, c := range s.Cases {
			if c.Failure != nil {
				failed = append(failed, c.Name)
				assert.Equal(t, "required_needs_region", c.Failure.Type, c.Name)
				assert.Contains(t, c.Failure.Message, "-l/--location", c.Name)
			}
		}
	}
	slices.Sort(failed)
	assert.Equal(t, needRegion, failed)

	r = run("-o", "prometheus")
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(r.stdout))
	require.NoError(t, err, r.stdout)
	states := map[string]float64{}
	for _, m := range families["arccheck_run_endpoints"].GetMetric() {
		states[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
	}
	assert.Equal(t, 3.0, states["required_needs_region"])
	assert.Zero(t, states["required_unreachable"])
	assert.Zero(t, families["arccheck_run_success"].GetMetric()[0].GetGauge().GetValue())

	r = runCLI(t, nil, "merge", dir)
	assert.Equal(t, exitUnreachable, r.code, "a report that failed for want of a region fails the merge: %s", r.stderr)
	assert.Contains(t, r.stdout, "1 report merged: 1 failed, 0 passed.")
	assert.Contains(t, r.stdout, "-l/--location")
	r = runCLI(t, nil, "merge", dir, "-o", "json")
	var fleet fleet.Document
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &fleet))
	require.Len(t, fleet.Servers, 1)
	assert.True(t, fleet.Servers[0].Failed)
	r = runCLI(t, nil, "merge", dir, "-o", "junit")
	assert.Equal(t, exitUnreachable, r.code)
	assert.Equal(t, 3, strings.Count(r.stdout, "<failure "))
}

// TestMergeReadsReportsFromBeforeRequiredNeedRegion: a report written before the summary counted the
// patterns that need a region (and before notTested said what each needs) merges as it did: judged on its
// required unreachable and canceled endpoints.
func TestMergeReadsReportsFromBeforeRequiredNeedRegion(t *testing.T) {
	srv := testnet.HTTPServer(t, "")
	_, port, err := net.SplitHostPort(srv.Addr)
	require.NoError(t, err)
	r := runCLI(t, nil, "check", "--catalog", "none", "--endpoint", "http://app.example:"+port,
		"--resolve", "app.example:*:127.0.0.1", "-o", "json", "--timeout", "2s")
	require.Equal(t, 0, r.code, r.stderr)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	summary := doc["summary"].(map[string]any)
	require.Contains(t, summary, "requiredNeedRegion")
	delete(summary, "requiredNeedRegion")
	// An older report of a run without -l: its regional patterns listed, without needs.
	doc["notTested"] = []any{map[string]any{"pattern": "*.guestconfiguration.azure.com",
		"reason": "needs -l/--location to name the regional host", "required": true}}
	var b bytes.Buffer
	require.NoError(t, json.NewEncoder(&b).Encode(doc))
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "old.json"), b.Bytes(), 0o644))

	r = runCLI(t, nil, "merge", dir)
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "1 report merged: 0 failed, 1 passed.")
	assert.NotContains(t, r.stdout, "want of a region")
	r = runCLI(t, nil, "merge", dir, "-o", "junit")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.NotContains(t, r.stdout, "<failure ")
}

// TestRegionOfAnotherCloud: a region of another cloud than the one in use is refused naming the cloud
// it belongs to and the --cloud that chooses it, from the catalog's own region lists; the agent's region
// is ignored with the same words.
func TestRegionOfAnotherCloud(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "-l", "usgovvirginia"},
			`-l/--location: "usgovvirginia" is a region of Azure Government (AzureUSGovernment), not of AzureCloud: give --cloud usgov`},
		{[]string{"check", "-l", "US Gov Arizona"},
			`-l/--location: "US Gov Arizona" is a region of Azure Government (AzureUSGovernment), not of AzureCloud: give --cloud usgov`},
		{[]string{"list", "--cloud", "china", "-l", "westeurope"},
			`-l/--location: "westeurope" is a region of Azure Cloud (AzureCloud), not of AzureChinaCloud: give --cloud public`},
		{[]string{"list", "-l", "chinanorth3"},
			`-l/--location: "chinanorth3" is a region of Microsoft Azure operated by 21Vianet (AzureChinaCloud), not of AzureCloud: give --cloud china`},
	} {
		assertBadInput(t, runCLI(t, nil, append(tc.args, "--agent", "off")...), tc.want, tc.args)
	}
	r := runCLI(t, nil, "list", "--cloud", "usgov", "-l", "usgovvirginia", "--agent", "off", "-o", "plain")
	assert.Equal(t, exitOK, r.code, "the region in its cloud: %s", r.stderr)

	path := fakeAgent(t, map[string]string{
		"show -j":              `{"status":"Connected","agentVersion":"1.61","location":"usgovvirginia","cloud":"AzureUSGovernment"}`,
		"config get proxy.url": "\n", "config get proxy.bypass": "[]\n", "extension list": "",
	})
	r = runCLI(t, map[string]string{"PATH": path}, "list", "--cloud", "AzureCloud", "-o", "plain")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, `arccheck: warning: ignoring the agent's location ("usgovvirginia" is a region of Azure Government `+
		"(AzureUSGovernment), not of AzureCloud)\n", r.stderr)
}
