package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/report"
)

// planHosts returns the concrete hosts a selection probes.
func planHosts(t *testing.T, sel endpoints.Selection) []string {
	t.Helper()
	cat, err := endpoints.Load()
	require.NoError(t, err)
	p, err := cat.Select(sel)
	require.NoError(t, err)
	var hosts []string
	for _, ep := range p.Endpoints {
		for _, tg := range ep.Targets {
			hosts = append(hosts, tg.Host)
		}
	}
	return hosts
}

// checkJSON runs check with -o json and decodes the document.
func checkJSON(t *testing.T, vars map[string]string, args ...string) (report.CheckDocument, result) {
	t.Helper()
	r := runCLI(t, vars, append([]string{"check", "-o", "json"}, args...)...)
	return decodeCheck(t, r), r
}

// decodeCheck decodes the JSON document a check printed. A field the schema does not declare, or anything
// after the document, fails the test.
func decodeCheck(t *testing.T, r result) report.CheckDocument {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	var doc report.CheckDocument
	require.NoError(t, dec.Decode(&doc), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	var extra json.RawMessage
	require.ErrorIs(t, dec.Decode(&extra), io.EOF, "one document only; stdout: %s", r.stdout)
	return doc
}

// resultFor returns the result for an endpoint, failing the test if there is none.
func resultFor(t *testing.T, doc report.CheckDocument, endpoint string) report.ResultJSON {
	t.Helper()
	var got []string
	for _, res := range doc.Results {
		if res.Endpoint == endpoint {
			return res
		}
		got = append(got, res.Endpoint)
	}
	require.FailNow(t, "no result for "+endpoint, "results: %v", got)
	return report.ResultJSON{}
}

func TestCheckEverythingReachableThroughTheLab(t *testing.T) {
	lab := testnet.NewLab(t, testnet.LabOptions{})
	caFile := lab.CA.WritePEM(t)
	hosts := planHosts(t, endpoints.Selection{Location: "westeurope", Extensions: []string{"esu"}})
	args := append([]string{"check", "-l", "westeurope", "-e", "esu", "--ca-file", caFile, "--public-roots", caFile, "--timeout", "5s"}, lab.ResolveArgs(hosts...)...)
	r := runCLI(t, nil, args...)
	require.Equal(t, 0, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	rows := tableRows(t, r.stdout)
	require.Len(t, rows, 14)
	assert.Equal(t, "http://www.microsoft.com/pkiops/certs", rows[0]["ENDPOINT"], "rows are sorted by endpoint")
	for _, row := range rows {
		assert.Equal(t, "true", row["REACHABLE"], row["ENDPOINT"])
		assert.Equal(t, "false", row["PRIVATE"], row["ENDPOINT"])
		assert.Equal(t, "not used", row["PROXY"])
		if strings.HasPrefix(row["ENDPOINT"], "https://") {
			assert.Equal(t, "TLS 1.3", row["TLS"], row["ENDPOINT"])
		} else {
			assert.Equal(t, "not used", row["TLS"])
		}
		assert.True(t, strings.HasPrefix(row["RESULT"], "ok"), row["RESULT"])
	}
	assert.Contains(t, r.stdout, "14 endpoints: 14 reachable, 0 unreachable (0 required)")

	doc, r := checkJSON(t, nil, append([]string{"-l", "westeurope", "-e", "esu", "--ca-file", caFile, "--public-roots", caFile, "--http"}, lab.ResolveArgs(hosts...)...)...)
	require.Equal(t, 0, r.code)
	require.Len(t, doc.Results, 14)
	for _, res := range doc.Results {
		assert.True(t, res.Reachable, res.Endpoint)
		if assert.NotNil(t, res.DNS, res.Endpoint) {
			assert.Equal(t, "override", res.DNS.Source, res.Endpoint)
		}
		if assert.NotNil(t, res.HTTP, res.Endpoint) {
			assert.Equal(t, 200, res.HTTP.Status, res.Endpoint)
		}
	}
}

func TestCheckOnAMachineWithoutDNSFailsEveryRowAtDNS(t *testing.T) {
	dns := testnet.NewDNSServer(t, testnet.DNSNXDomain, nil)
	r := runCLI(t, nil, "check", "-l", "westeurope", "--dns-server", dns.Addr, "--no-color")
	require.Equal(t, 1, r.code, r.stderr)
	assert.Empty(t, r.stderr)
	rows := tableRows(t, r.stdout)
	assert.Len(t, rows, 12)
	for _, row := range rows {
		assert.Equal(t, "false", row["REACHABLE"])
		assert.Equal(t, "unknown", row["PRIVATE"])
		assert.Equal(t, "unknown", row["TLS"])
		assert.Contains(t, row["RESULT"], "dns_not_found: no such host", "every row says why")
	}
	assert.Contains(t, r.stdout, "Not tested (allow these patterns as documented):")
	assert.Contains(t, r.stdout, "*.blob.core.windows.net: the storage accounts")
}

func TestOptionalFailuresDoNotFailTheRun(t *testing.T) {
	lab := testnet.NewLab(t, testnet.LabOptions{})
	dns := testnet.NewDNSServer(t, testnet.DNSNXDomain, nil)
	var required []string
	cat, err := endpoints.Load()
	require.NoError(t, err)
	p, err := cat.Select(endpoints.Selection{Location: "westeurope"})
	require.NoError(t, err)
	for _, ep := range p.Endpoints {
		for _, tg := range ep.Targets {
			if ep.Required {
				required = append(required, tg.Host)
			}
		}
	}
	// Only the required hosts resolve; optional and legacy ones fail at DNS.
	args := append([]string{"check", "-l", "westeurope", "--dns-server", dns.Addr, "--ca-file", lab.CA.WritePEM(t)}, lab.ResolveArgs(required...)...)
	r := runCLI(t, nil, args...)
	assert.Equal(t, 0, r.code, r.stdout)
	// The DNS server given is named in the RESULT.
	assert.Contains(t, r.stdout, "dns_not_found: no such host (DNS server "+dns.Addr+") (optional)")
	assert.Contains(t, r.stdout, "dns_not_found: no such host (DNS server "+dns.Addr+") (legacy)")
}

func TestCheckJSONSchema(t *testing.T) {
	dns := testnet.NewDNSServer(t, testnet.DNSNXDomain, nil)
	srv := testnet.HTTPServer(t, "")
	_, port, _ := net.SplitHostPort(srv.Addr)
	doc, r := checkJSON(t, nil, "-l", "westeurope", "--dns-server", dns.Addr, "--endpoint", "http://workspace.example:"+port+"/x",
		"--resolve", "workspace.example:"+port+":127.0.0.1")
	require.Equal(t, 1, r.code)
	assert.Equal(t, "arccheck.check/v1", doc.Schema)
	assert.Equal(t, report.Tool{Name: "arccheck", Version: "test"}, doc.Tool)
	assert.False(t, doc.StartedAt.IsZero(), "startedAt is an RFC 3339 time")
	host := doc.Host
	assert.Equal(t, "testhost", host.Hostname)
	assert.NotEmpty(t, host.OS)
	settings := doc.Settings
	require.NotNil(t, settings.Selection)
	assert.Equal(t, "westeurope", settings.Selection.Location)
	assert.Equal(t, "AzureCloud", settings.Selection.Cloud)
	assert.Equal(t, dns.Addr, settings.DNSServer)
	assert.Equal(t, int64(10000), settings.TimeoutMs)
	summary := doc.Summary
	assert.Equal(t, 13, summary.Endpoints)
	assert.Equal(t, 1, summary.Reachable)
	assert.Equal(t, 9, summary.RequiredUnreachable)
	assert.Equal(t, 6, summary.NotTested, "five patterns of the seed era and the machine configuration storage of 2026")

	// Every key is written, even when its value is null: check the raw document for them.
	var raw struct {
		DurationMs *float64                     `json:"durationMs"`
		Results    []map[string]json.RawMessage `json:"results"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &raw))
	assert.NotNil(t, raw.DurationMs, "durationMs is a number")
	require.Len(t, raw.Results, len(doc.Results))
	for i, res := range raw.Results {
		for _, k := range []string{"endpoint", "pattern", "origin", "required", "reachable", "private", "tls", "proxy",
			"timingsMs", "dns", "tcp", "tlsHandshake", "http", "failure"} {
			assert.Contains(t, res, k, doc.Results[i].Endpoint)
		}
	}

	var sawUser, sawCatalog bool
	for _, res := range doc.Results {
		switch res.Origin {
		case "user":
			sawUser = true
			assert.Equal(t, "http://workspace.example:"+port+"/x", res.Endpoint)
			assert.True(t, res.Reachable)
			assert.Nil(t, res.Failure)
			assert.Equal(t, "not used", res.TLSColumn)
		case "catalog":
			sawCatalog = true
			f := res.Failure
			require.NotNil(t, f, res.Endpoint)
			assert.Equal(t, "dns_not_found", string(f.Class))
			assert.Equal(t, "dns", string(f.Phase))
			assert.NotEmpty(t, f.Message)
			assert.Regexp(t, `^azurecloud\.txt:\d+$`, res.Catalog)
		}
	}
	assert.True(t, sawUser && sawCatalog)
	nt := doc.NotTested
	require.Len(t, nt, 6)
	assert.NotEmpty(t, nt[0].Reason)
}

func TestCheckOnlyUserEndpoints(t *testing.T) {
	srv := testnet.HTTPServer(t, "")
	_, port, _ := net.SplitHostPort(srv.Addr)
	r := runCLI(t, nil, "check", "--catalog", "none", "--endpoint", "http://127.0.0.1:"+port)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "1 endpoint: 1 reachable")
}

func TestInterruptPrintsResultsSoFarAndExits130(t *testing.T) {
	hole := testnet.BlackHole(t)
	_, port, _ := net.SplitHostPort(hole)
	// Ctrl-C comes once the fine endpoint's probe is over (its connection closed): a readiness signal.
	answered := make(chan struct{})
	var once sync.Once
	srv := testnet.Serve(t, func(c net.Conn) {
		testnet.HandleHTTP(nil)(c)
		_, _ = io.Copy(io.Discard, c)
		once.Do(func() { close(answered) })
	})
	_, okPort, _ := net.SplitHostPort(srv.Addr)
	// An hour for each probe: only Ctrl-C can end the run (the test's own timeout guards against a hang).
	args := []string{"check", "--catalog", "none", "--timeout", "1h", "--endpoint", "http://fine.example:" + okPort,
		"--resolve", "fine.example:*:127.0.0.1"}
	for _, h := range []string{"a.example", "b.example", "c.example"} {
		args = append(args, "--endpoint", "https://"+h+":"+port, "--resolve", h+":*:127.0.0.1")
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-answered; cancel() }()
	r := runCLIContext(t, ctx, nil, args...)
	assert.Equal(t, 130, r.code)
	assert.Contains(t, r.stdout, "| http://fine.example:"+okPort+" ")
	assert.Equal(t, 3, strings.Count(r.stdout, "canceled:"), r.stdout)
	assert.Contains(t, r.stdout, "1 reachable")
	assert.Contains(t, r.stdout, "Interrupted.")
	assert.Contains(t, r.stderr, "interrupted")
}

func TestCheckColour(t *testing.T) {
	dns := testnet.NewDNSServer(t, testnet.DNSNXDomain, nil)
	run := func(terminal bool, vars map[string]string, extra ...string) string {
		var out, errb strings.Builder
		e := env{Stdout: &out, Stderr: &errb, Context: context.Background(), StdoutIsTerminal: terminal,
			Getenv: func(k string) string { return vars[k] }, Hostname: func() (string, error) { return "h", nil }}
		Execute("test", append([]string{"check", "--catalog", "none", "--endpoint", "x.example", "--dns-server", dns.Addr}, extra...), e)
		return out.String()
	}
	assert.Contains(t, run(true, nil), "\x1b[31mfalse\x1b[0m")
	assert.NotContains(t, run(false, nil), "\x1b[")
	assert.NotContains(t, run(true, map[string]string{"NO_COLOR": "1"}), "\x1b[")
	assert.NotContains(t, run(true, nil, "--no-color"), "\x1b[")
}

// tableRows parses the check table into one map per row, keyed by column name. Continuation lines of
// multi-line cells are joined to their row.
func tableRows(t *testing.T, out string) []map[string]string {
	t.Helper()
	var header []string
	var rows []map[string]string
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		switch {
		case header == nil:
			header = cells
		case cells[0] == "" && len(rows) > 0:
			for i, c := range cells {
				if c != "" {
					rows[len(rows)-1][header[i]] += "\n" + c
				}
			}
		default:
			row := map[string]string{}
			for i, c := range cells {
				row[header[i]] = c
			}
			rows = append(rows, row)
		}
	}
	require.NotNil(t, header, "no table in:\n%s", out)
	return rows
}

func TestConnectTimeoutAndVerbose(t *testing.T) {
	_, port, _ := net.SplitHostPort(testnet.BlackHole(t))
	// An hour for the probe: tcp_timeout then shows --connect-timeout ended the connect.
	r := runCLI(t, nil, "check", "--catalog", "none", "--endpoint", "https://stuck.example:"+port, "--resolve", "stuck.example:*:127.0.0.1",
		"--timeout", "1h", "--connect-timeout", "300ms", "-v")
	require.Equal(t, 1, r.code)
	assert.Contains(t, tableRows(t, r.stdout)[0]["RESULT"], "tcp_timeout")
	assert.Regexp(t, `^arccheck: https://stuck.example:\d+ tcp_timeout: .* \(\d+ms\)\n$`, r.stderr, "-v prints each result on stderr")
}
