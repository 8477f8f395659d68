package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/report"
)

// fleetReports writes three servers' reports: two where the endpoint is refused, one where it answers.
func fleetReports(t *testing.T) string {
	dir := t.TempDir()
	srv := testnet.HTTPServer(t, "")
	_, port, _ := net.SplitHostPort(srv.Addr)
	// The same endpoint on every server: answered at 127.0.0.1, refused at an address nothing listens on.
	nowhere := testnet.RandomLoopback()
	for i, addr := range []string{nowhere, "127.0.0.1", nowhere} {
		r := runCLI(t, nil, "check", "--catalog", "none", "--endpoint", "http://app.example:"+port,
			"--resolve", "app.example:*:"+addr, "-o", "json", "--timeout", "2s")
		var doc map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
		doc["host"].(map[string]any)["hostname"] = []string{"srv01", "srv02", "srv03"}[i]
		b, err := json.Marshal(doc)
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "nested"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "nested", []string{"a", "b", "c"}[i]+".json"), b, 0o644))
	}
	return dir
}

func TestMergeFleetView(t *testing.T) {
	dir := fleetReports(t)
	r := runCLI(t, nil, "merge", dir)
	assert.Equal(t, exitUnreachable, r.code, "a failed report fails the merge: %s", r.stderr)
	assert.Contains(t, r.stdout, "3 reports merged: 2 failed, 1 passed.")
	assert.Regexp(t, `\| http://app\.example:\d+ +\| 2 of 3 +\| tcp_refused ×2 +\| srv01, srv03 +\|`, r.stdout)
	assert.Contains(t, r.stdout, "(2 servers: srv01, srv03)")
	assert.Contains(t, r.stdout, "- not used: 3 servers, 2 failed")

	r = runCLI(t, nil, "merge", dir, "-o", "json")
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	var doc report.FleetDocument
	require.NoError(t, dec.Decode(&doc))
	assert.Equal(t, report.FleetSchema, doc.Schema)
	require.Len(t, doc.Endpoints, 1)
	assert.Equal(t, 2, doc.Endpoints[0].Failed)
	assert.Equal(t, map[string]int{"tcp_refused": 2}, doc.Endpoints[0].Classes)
	assert.Equal(t, []string{"srv01", "srv03"}, doc.Endpoints[0].FailedOn)

	r = runCLI(t, nil, "merge", dir, "-o", "markdown")
	assert.Contains(t, r.stdout, "| 2 of 3 |")

	r = runCLI(t, nil, "merge", dir, "-o", "junit")
	xmllint := testnet.RequireBinary(t, "xmllint", "libxml2-utils")
	file := filepath.Join(t.TempDir(), "fleet.xml")
	require.NoError(t, os.WriteFile(file, []byte(r.stdout), 0o644))
	out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("..", "..", "pkg", "report", "testdata", "junit.xsd"), file).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, 2, strings.Count(r.stdout, "<failure "))
}

// TestMergeRefusesWhatItCannotRead: other files, other schemas and garbage are refused clearly, naming
// the file, before anything is written.
func TestMergeRefusesWhatItCannotRead(t *testing.T) {
	dir := t.TempDir()
	list := runCLI(t, nil, "list", "-o", "json")
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
		return p
	}
	for _, tc := range []struct{ file, says string }{
		{write("list.json", list.stdout), `its schema is "arccheck.list/v1" (merge reads the reports of arccheck check -o json, "arccheck.check/v1")`},
		{write("v2.json", `{"schema":"arccheck.check/v2","results":[]}`), `its schema is "arccheck.check/v2", which a newer arccheck writes`},
		{write("garbage.json", "<html>"), "not an arccheck check report: not a JSON object"},
		{write("array.json", "[1, 2]"), "not an arccheck check report: not a JSON object"},
		{write("empty.json", `{"schema":"arccheck.check/v1"}`), "not an arccheck check report: it has no results"},
		{filepath.Join(dir, "missing.json"), "no such file or directory"},
	} {
		r := runCLI(t, nil, "merge", tc.file)
		assert.Equal(t, exitBadInput, r.code)
		assert.Empty(t, r.stdout)
		assert.Contains(t, r.stderr, "arccheck: merge: "+tc.file+": ")
		assert.Contains(t, r.stderr, tc.says)
	}
	assert.Equal(t, exitBadInput, runCLI(t, nil, "merge").code)
	assert.Contains(t, runCLI(t, nil, "merge", t.TempDir()).stderr, "holds no *.json report")

	// In a directory of reports, another JSON file (a fleet view written there) is left out with a
	// warning; the same report given twice counts once.
	reports := fleetReports(t)
	r := runCLI(t, nil, "merge", reports, "-o", "json")
	require.NoError(t, os.WriteFile(filepath.Join(reports, "fleet.json"), []byte(r.stdout), 0o644))
	r = runCLI(t, nil, "merge", reports, filepath.Join(reports, "nested", "a.json"), "-v")
	assert.Equal(t, exitUnreachable, r.code, r.stderr)
	assert.Contains(t, r.stdout, "3 reports merged")
	assert.Contains(t, r.stderr, `fleet.json: not an arccheck check report: its schema is "arccheck.fleet/v1"`)
	assert.Contains(t, r.stderr, "arccheck: merging 3 reports: ")
}

// TestMergeColour: on a terminal the fleet table colours failures; --no-color and NO_COLOR turn it off.
func TestMergeColour(t *testing.T) {
	dir := fleetReports(t)
	run := func(terminal bool, vars map[string]string, extra ...string) string {
		var out, errb strings.Builder
		e := env{Stdout: &out, Stderr: &errb, Context: context.Background(), StdoutIsTerminal: terminal,
			Getenv: func(k string) string { return vars[k] }, Hostname: func() (string, error) { return "h", nil }}
		Execute("test", append([]string{"merge", dir}, extra...), e)
		return out.String()
	}
	assert.Contains(t, run(true, nil), "\x1b[31m")
	assert.NotContains(t, run(false, nil), "\x1b[")
	assert.NotContains(t, run(true, map[string]string{"NO_COLOR": "1"}), "\x1b[")
	assert.NotContains(t, run(true, nil, "--no-color"), "\x1b[")
}
