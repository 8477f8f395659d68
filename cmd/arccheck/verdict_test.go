package main

import (
	"context"
	"crypto/tls"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/probe"
)

// summaryOf is the summary line of a check's table: the line after the table.
func summaryOf(t *testing.T, table string) string {
	t.Helper()
	lines := strings.Split(table, "\n")
	for i := len(lines) - 1; i > 0; i-- {
		if strings.HasPrefix(lines[i-1], "+-") && lines[i] != "" && !strings.HasPrefix(lines[i], "|") {
			return lines[i]
		}
	}
	t.Fatalf("no summary line under the table:\n%s", table)
	return ""
}

// TestVerdictMatchesTheExitCode: the table's and Markdown's summary lines begin with PASSED exactly when
// the command exits 0, else FAILED; Markdown's title and the JSON's verdict say the same.
func TestVerdictMatchesTheExitCode(t *testing.T) {
	web := testnet.HTTPServer(t, "")
	ca := testnet.NewCA(t, "Appliance CA", "Contoso")
	const host = "neg.example"
	neg := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.LeafWith(t, testnet.LeafOptions{Names: []string{host}, NegativeSerial: true})})
	warned := append([]string{"--catalog", "none", "--ca-file", ca.WritePEM(t)}, endpointArgs(host, neg.Port)...)
	for _, tc := range []struct {
		name string
		args []string
		code int
		line string
	}{
		{"reachable", []string{"--catalog", "none", "--endpoint", "http://" + web.Addr}, exitOK, "PASSED: 1 endpoint: 1 reachable,"},
		{"unreachable", []string{"--catalog", "none", "--endpoint", "https://127.0.0.1:1", "--timeout", "2s"}, exitUnreachable,
			"FAILED: 1 endpoint: 0 reachable, 1 unreachable (1 required)"},
		{"a warning", warned, exitOK, "PASSED: 1 endpoint: 1 reachable, 0 unreachable (0 required), 1 warning."},
		{"a warning that fails the run", append([]string{"--fail-on", "warning"}, warned...), exitUnreachable,
			"FAILED: 1 endpoint: 1 reachable, 0 unreachable (0 required), 1 warning (warnings fail this run)."},
	} {
		word := map[bool]string{true: "passed", false: "failed"}[tc.code == exitOK]
		r := runCLI(t, nil, append([]string{"check"}, tc.args...)...)
		require.Equal(t, tc.code, r.code, "%s: %s", tc.name, r.stderr)
		assert.True(t, strings.HasPrefix(summaryOf(t, r.stdout), tc.line), "%s: %q", tc.name, summaryOf(t, r.stdout))
		r = runCLI(t, nil, append([]string{"check", "-o", "markdown"}, tc.args...)...)
		require.Equal(t, tc.code, r.code, tc.name)
		assert.True(t, strings.HasPrefix(r.stdout, "# arccheck: "+word+" ("), "%s: %s", tc.name, r.stdout)
		assert.Contains(t, r.stdout, "\n\n"+strings.ToUpper(word)+": 1 endpoint: ", tc.name)
		r = runCLI(t, nil, append([]string{"check", "-o", "json"}, tc.args...)...)
		require.Equal(t, tc.code, r.code, tc.name)
		assert.Equal(t, word, decodeCheck(t, r).Verdict, tc.name)
		// merge judges the report as its check did, and so does Prometheus's arccheck_run_success.
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "srv01.json"), []byte(r.stdout), 0o644))
		m := runCLI(t, nil, "merge", dir)
		assert.Equal(t, tc.code, m.code, "%s: merge: %s", tc.name, m.stdout)
		assert.Contains(t, m.stdout, map[bool]string{true: "0 failed, 1 passed", false: "1 failed, 0 passed"}[tc.code == exitOK], tc.name)
		r = runCLI(t, nil, append([]string{"check", "-o", "prometheus"}, tc.args...)...)
		require.Equal(t, tc.code, r.code, tc.name)
		assert.Contains(t, r.stdout, "\narccheck_run_success "+map[bool]string{true: "1", false: "0"}[tc.code == exitOK]+"\n", tc.name)
	}

	// Interrupted before any probe ended: exit 130, and FAILED.
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(signalCause{os.Interrupt})
	r := runCLIContext(t, ctx, nil, "check", "--catalog", "none", "--endpoint", "http://"+web.Addr)
	assert.Equal(t, exitInterrupted, r.code, r.stderr)
	line := summaryOf(t, r.stdout)
	assert.True(t, strings.HasPrefix(line, "FAILED: "), line)
	assert.True(t, strings.HasSuffix(line, " Interrupted."), line)
}

// TestVerdictIsTheOutcome: for reports of each kind, the verdict the formats say is passed exactly when
// the command's outcome is exit 0.
func TestVerdictIsTheOutcome(t *testing.T) {
	result := func(required bool, failure *probe.Finding, warnings ...probe.Finding) check.Result {
		pr := probe.Result{Target: probe.Target{Scheme: "https", Host: "a.example", Port: 443}, Reachable: failure == nil,
			Failure: failure, Warnings: warnings}
		return check.NewResult(pr, "a.example", nil, check.OriginUser, required)
	}
	refused := &probe.Finding{Class: probe.ClassTCPRefused, Phase: probe.PhaseTCP}
	exhausted := &probe.Finding{Class: probe.ClassLocalResources, Phase: probe.PhaseTCP}
	warning := probe.Finding{Class: probe.ClassTLS12Max, Phase: probe.PhaseTLS}
	for _, rep := range []*check.Report{
		{},
		{Results: []check.Result{result(true, nil)}},
		{Results: []check.Result{result(true, refused)}},
		{Results: []check.Result{result(false, refused)}},
		{Results: []check.Result{result(false, exhausted)}},
		{Results: []check.Result{result(true, nil, warning)}},
		{Results: []check.Result{result(true, nil)}, Interrupted: true},
		{Results: []check.Result{result(true, nil)}, NotTested: []check.NotTested{{Pattern: "*.a.example", Required: true, Needs: "location"}}},
	} {
		for _, failOn := range []string{"error", "warning"} {
			o := &checkOptions{FailOn: failOn}
			exit := o.outcome(env{Context: context.Background()}, rep)
			v := checkOutput{rep: rep, failOnWarning: failOn == "warning"}.verdict()
			assert.Equal(t, exit == nil, v.Passed, "--fail-on %s: %+v", failOn, rep)
			assert.Equal(t, failOn == "warning", v.WarningsFail)
		}
	}
}

// TestWindowsSuitesNoteOnlyWhereItApplies: on a Linux run the note of the suites Windows agents 1.56 to
// 1.63 need is not shown, unless a row speaks TLS 1.2 without them.
func TestWindowsSuitesNoteOnlyWhereItApplies(t *testing.T) {
	if testing.Short() {
		t.Skip("probes the catalog's endpoints")
	}
	const note = "Note: Connected Machine agent versions 1.56 to 1.63 on Windows"
	base := []string{"check", "-l", "westeurope", "--agent", "off", "--timeout", "2s"}
	r := runCLI(t, nil, append(base, "--resolve", "*:*:127.0.0.1")...)
	require.Equal(t, exitUnreachable, r.code, r.stderr)
	assert.Contains(t, r.stdout, "FAILED: ")
	assert.NotContains(t, r.stdout, note, "a run on Linux where no row failed for its suites")

	ca := testnet.NewCA(t, "Lab Public Root", "DigiCert Inc")
	args := append(append(base, "--ca-file", ca.WritePEM(t)), agentSuiteServer(t, ca, "cbc.example", tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA)...)
	r = runCLI(t, nil, append(args, "--resolve", "*:*:127.0.0.1")...)
	require.Equal(t, exitUnreachable, r.code, r.stderr)
	assert.Contains(t, r.stdout, "cipher_unsupported_by_agent")
	assert.Contains(t, r.stdout, note, "a row speaks TLS 1.2 without the agent's suites")
}

// TestLoopbackAnswerIsNotPublic: a private endpoint's name that a DNS server answers with a loopback
// address beside a private one is said to resolve to loopback, not to a public address.
func TestLoopbackAnswerIsNotPublic(t *testing.T) {
	dns := testnet.NewDNSServer(t, testnet.DNSAnswer, map[string][]string{"gbl.his.arc.azure.com": {"10.1.2.3", "127.0.0.2"}})
	doc, r := checkJSON(t, nil, "-p", "-l", "westeurope", "--agent", "off", "--dns-server", dns.Addr, "--timeout", "2s")
	require.Equal(t, exitUnreachable, r.code, r.stderr)
	res := resultFor(t, doc, "https://gbl.his.arc.azure.com")
	require.NotNil(t, res.Failure)
	assert.Equal(t, "private_link_dns_public", string(res.Failure.Class))
	assert.Contains(t, res.Failure.Message, "resolves to loopback 127.0.0.2, not to a private endpoint address")
	assert.NotContains(t, r.stdout, "public 127.0.0.2")
}

// TestHTTPStatusInTheTable: with --http, a reachable row's RESULT says the status the endpoint answered;
// without it an https row sends no request and says ok alone.
func TestHTTPStatusInTheTable(t *testing.T) {
	ca := testnet.NewCA(t, "Lab Public Root", "DigiCert Inc")
	const host = "web.example"
	srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.ValidLeaf(t, host), Handler: http.NotFoundHandler()})
	args := append([]string{"check", "--catalog", "none", "--ca-file", ca.WritePEM(t)}, endpointArgs(host, srv.Port)...)
	r := runCLI(t, nil, append(args, "--http")...)
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	rows := tableRows(t, r.stdout)
	require.Len(t, rows, 1)
	assert.Equal(t, "ok (HTTP 404 Not Found)", rows[0]["RESULT"])
	r = runCLI(t, nil, args...)
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Equal(t, "ok", tableRows(t, r.stdout)[0]["RESULT"])
}
