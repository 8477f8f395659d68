//go:build linux

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/arccheck/arccheck/pkg/report"
)

// benchReports is how many reports the merge benchmarks merge, and benchReportSize about how large each
// is: a fleet of 1,000 servers whose reports (-e all) run to about 50 KB each.
const (
	benchReports    = 1000
	benchReportSize = 34 << 10
)

// writeBenchReports writes n realistic reports into a new directory: the sample report's shape, with
// as many results (from a pool of 120 endpoints, about half of them failed on each server) as take it
// to about benchReportSize bytes, each server its own name and its own failures.
func writeBenchReports(tb testing.TB, n int) (dir string, total int64) {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "pkg", "report", "testdata", "check.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var base report.CheckDocument
	if err := json.Unmarshal(data, &base); err != nil {
		tb.Fatal(err)
	}
	dir = tb.TempDir()
	for i := range n {
		doc := base
		doc.Host.Hostname = fmt.Sprintf("srv%04d", i)
		doc.Results = nil
		size := 0
		for j := 0; size < benchReportSize; j++ {
			r := base.Results[j%len(base.Results)]
			r.Endpoint = fmt.Sprintf("https://endpoint%03d.westeurope.example.azure.com", j%120)
			if (i+j)%2 == 0 {
				r.Failure, r.Fix = nil, nil
			}
			b, _ := json.Marshal(r)
			size += len(b)
			doc.Results = append(doc.Results, r)
		}
		b, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			tb.Fatal(err)
		}
		total += int64(len(b))
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("srv%04d.json", i)), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir, total
}

// BenchmarkMergeAgainstDecode merges 1,000 reports of about 50 KB (arccheck merge, in the process:
// the directory walked, each file read within its bounds, the fleet view written as JSON) against the
// floor of reading and decoding each file once, alternately; decode-ratio is merge's time over the
// floor's (the target: at most 1.2).
//
//	go test -run '^$' -bench MergeAgainstDecode -benchtime 5x ./cmd/arccheck
func BenchmarkMergeAgainstDecode(b *testing.B) {
	dir, total := writeBenchReports(b, benchReports)
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var mergeTime, floorTime time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			var doc report.CheckDocument
			if err := json.Unmarshal(data, &doc); err != nil {
				b.Fatal(err)
			}
		}
		floorTime += time.Since(start)
		start = time.Now()
		e := env{Stdout: io.Discard, Stderr: io.Discard, Context: context.Background(), Getenv: func(string) string { return "" },
			Hostname: func() (string, error) { return "bench", nil }}
		if code := Execute("bench", []string{"merge", dir, "-o", "json"}, e); code != exitUnreachable {
			b.Fatalf("merge exited %d", code)
		}
		mergeTime += time.Since(start)
	}
	b.ReportMetric(float64(total)/float64(1<<20), "input-MiB")
	b.ReportMetric(float64(mergeTime.Milliseconds())/float64(b.N), "merge-ms")
	b.ReportMetric(float64(floorTime.Milliseconds())/float64(b.N), "decode-ms")
	b.ReportMetric(float64(mergeTime)/float64(floorTime), "decode-ratio")
}

// BenchmarkMergeRSS runs the built binary on the same 1,000 reports, for each output format, and
// reports its peak resident memory (the target: at most 25 MiB), measured by testdata/measure
// (see runProc).
//
//	go test -run '^$' -bench MergeRSS -benchtime 3x ./cmd/arccheck
func BenchmarkMergeRSS(b *testing.B) {
	bin := benchBinary(b)
	dir, _ := writeBenchReports(b, benchReports)
	for _, format := range []string{"json", "table", "junit"} {
		b.Run(format, func(b *testing.B) {
			var peak int64
			for range b.N {
				r := runProc(b, nil, bin, []string{"merge", dir, "-o", format}, exitOK, exitUnreachable)
				peak = max(peak, r.rssKiB)
			}
			b.ReportMetric(float64(peak)/1024, "peak-RSS-MiB")
		})
	}
}
