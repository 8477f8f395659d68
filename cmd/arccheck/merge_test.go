package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/report/fleet"
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
	var doc fleet.Document
	require.NoError(t, dec.Decode(&doc))
	assert.Equal(t, fleet.Schema, doc.Schema)
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
		{write("empty.json", `{"schema":"arccheck.check/v1"}`), "broken arccheck check report: it has no results"},
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

// TestMergeRefusesDamagedReportsInADirectory: a report found in a directory is read whole or refused
// (exit 2, the file and why, nothing written) like a named one: a truncated or empty file, one over the
// size bound, a named pipe (refused without opening it: it would wait for a writer), a link to nowhere,
// a file it may not read; only another of arccheck's outputs is left out, with a warning.
func TestMergeRefusesDamagedReportsInADirectory(t *testing.T) {
	// A report as check writes it: its schema first.
	good := []byte(runCLI(t, nil, "check", "--catalog", "none", "--endpoint", "https://127.0.0.1:1", "--timeout", "2s", "-o", "json").stdout)
	require.True(t, bytes.HasPrefix(good, []byte("{\n  \"schema\": ")), "%s", good)
	for _, tc := range []struct {
		name string
		make func(path string) error
		says string
	}{
		{"truncated.json", func(p string) error { return os.WriteFile(p, good[:len(good)/2], 0o644) },
			fmt.Sprintf("broken arccheck check report: cut short: the JSON ends after %d bytes", len(good)/2)},
		{"head.json", func(p string) error { return os.WriteFile(p, good[:5], 0o644) },
			"not an arccheck check report: cut short: the JSON ends after 5 bytes"},
		{"empty.json", func(p string) error { return os.WriteFile(p, nil, 0o644) }, "not an arccheck check report: not a JSON object"},
		{"twice.json", func(p string) error { return os.WriteFile(p, append(good, good...), 0o644) }, "broken arccheck check report: not valid JSON at byte"},
		{"big.json", func(p string) error { return writeSparse(p, fleet.MaxReportSize+1) },
			fmt.Sprintf("larger than 64 MiB, the most merge reads of one report (%d bytes)", fleet.MaxReportSize+1)},
		{"x.json", func(p string) error { return syscall.Mkfifo(p, 0o644) },
			"not a regular file (a named pipe): in a directory, merge reads regular files only"},
		{"link.json", func(p string) error { return os.Symlink("nowhere", p) }, "no such file or directory"},
		{"v2.json", func(p string) error {
			return os.WriteFile(p, []byte(`{"schema":"arccheck.check/v2","results":[]}`), 0o644)
		},
			`not an arccheck check report: its schema is "arccheck.check/v2", which a newer arccheck writes`},
		{"noschema.json", func(p string) error { return os.WriteFile(p, []byte(`{"results":[]}`), 0o644) },
			"not an arccheck check report: it has no schema"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "a.json"), good, 0o644))
			bad := filepath.Join(dir, "b", tc.name)
			require.NoError(t, os.Mkdir(filepath.Dir(bad), 0o755))
			require.NoError(t, tc.make(bad))
			// Should merge wait on the pipe, the run's end says so rather than the test's timeout.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			r := runCLIContext(t, ctx, nil, "merge", dir)
			assert.Equal(t, exitBadInput, r.code, r.stderr)
			assert.Empty(t, r.stdout)
			assert.Contains(t, r.stderr, "arccheck: merge: "+bad+": "+tc.says)
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"), r.stderr)
		})
	}

	// The built binary, run where a file's mode holds even for root (see testnet.StartWithFileModes).
	t.Run("unreadable", func(t *testing.T) {
		bin := binary(t)
		dir := t.TempDir()
		bad := filepath.Join(dir, "locked.json")
		require.NoError(t, os.WriteFile(bad, good, 0o000))
		cmd := exec.Command(bin, "merge", dir)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		testnet.StartWithFileModes(t, cmd)
		assert.Equal(t, exitBadInput, exitOf(t, cmd.Wait()))
		assert.Empty(t, stdout.String())
		assert.Equal(t, "arccheck: merge: "+bad+": permission denied\n", stderr.String())
	})

	t.Run("left out", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "a.json"), good, 0o644))
		list := runCLI(t, nil, "list", "-o", "json")
		require.NoError(t, os.WriteFile(filepath.Join(dir, "list.json"), []byte(list.stdout), 0o644))
		r := runCLI(t, nil, "merge", dir)
		assert.Equal(t, exitUnreachable, r.code, r.stderr)
		assert.Contains(t, r.stdout, "1 report merged")
		assert.Regexp(t, `^arccheck: warning: .*list\.json: not an arccheck check report: its schema is "arccheck\.list/v1" .*; left out\n$`, r.stderr)
	})
}

// writeSparse makes a file of size bytes that takes no room on disk.
func writeSparse(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// TestMergeBoundsTheFilesItReads: more than maxReportFiles files is refused before any is read.
func TestMergeBoundsTheFilesItReads(t *testing.T) {
	if testing.Short() {
		t.Skip("makes 100,001 files")
	}
	dir := t.TempDir()
	for i := range maxReportFiles + 1 {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%06d.json", i)))
		require.NoError(t, err)
		require.NoError(t, f.Close())
	}
	r := runCLI(t, nil, "merge", dir)
	assert.Equal(t, exitBadInput, r.code)
	assert.Equal(t, fmt.Sprintf("arccheck: merge: %s: more than 100000 *.json files, the most one merge reads\n", dir), r.stderr)
}

// TestMergeReadEndsWithTheRun: a named pipe given to merge may be read (process substitution), but a
// stop signal ends the merge even while the pipe has no writer yet (merge is blocked opening it).
func TestMergeReadEndsWithTheRun(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "report.json")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan result, 1)
	go func() { done <- runCLIContext(t, ctx, nil, "merge", fifo) }()
	cancel(signalCause{syscall.SIGTERM})
	r := testnet.Await(t, done, "merge's end after the signal") // went on reading, it would hang
	assert.Equal(t, 143, r.code)
	assert.Equal(t, "arccheck: interrupted by SIGTERM: nothing was merged\n", r.stderr)
	// Let the read left behind finish: open the writing end (it waits for the reader) and close it.
	go func(fifo string) {
		if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			w.Close()
		}
	}(fifo)

	// Named and written to, a pipe is read like a file.
	good, err := os.ReadFile(filepath.Join(fleetReports(t), "nested", "b.json"))
	require.NoError(t, err)
	fifo = filepath.Join(t.TempDir(), "written.json")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	go func(fifo string) {
		if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			_, _ = w.Write(good)
			w.Close()
		}
	}(fifo)
	r = runCLI(t, nil, "merge", fifo)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "1 report merged: 0 failed, 1 passed.")
}
