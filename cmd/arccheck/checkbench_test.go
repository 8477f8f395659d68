//go:build linux

package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/endpoints"
)

// The command against the floor, process against process: arccheck's binary and a bare Go client
// (testdata/floor) reaching the same endpoints, each a new process as a user or a pipeline runs it, so
// that start-up, the catalog, the roots and the output count. Both trust the lab's CA as their system
// store (SSL_CERT_FILE), so that neither pays for the machine's. Run:
//
//	go test -run '^$' -bench 'CommandAgainstFloor|CatalogRunAgainstFloor|StartCPU' -benchtime 5x ./cmd/arccheck

// benchDelay is the latency the servers inject before every TLS handshake: a far region's round trip.
const benchDelay = 50 * time.Millisecond

// procRun is what one process cost: its wall time, its CPU (user and system) and its peak RSS.
type procRun struct {
	wall, cpu      time.Duration
	rssKiB         int64
	stdout, stderr string
}

// runProc runs bin with args and env added, through testdata/measure, and fails the benchmark unless
// it exits with one of codes (0 when none are given).
func runProc(b *testing.B, env []string, bin string, args []string, codes ...int) procRun {
	b.Helper()
	cmd := exec.Command(tool(b, "measure"), append([]string{bin}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s %.200q: %v: %s", filepath.Base(bin), args, err, stderr.String())
	}
	out := strings.TrimSpace(stderr.String())
	var code int
	var r procRun
	var wall, cpu int64
	if _, err := fmt.Sscanf(out[strings.LastIndex(out, "\n")+1:], "measure: exit=%d wall_us=%d cpu_us=%d maxrss_kib=%d",
		&code, &wall, &cpu, &r.rssKiB); err != nil {
		b.Fatalf("%s %.200q: %v: %s", filepath.Base(bin), args, err, out)
	}
	if len(codes) == 0 {
		codes = []int{0}
	}
	if !slices.Contains(codes, code) {
		b.Fatalf("%s %.200q: exit %d: %s", filepath.Base(bin), args, code, out)
	}
	r.wall, r.cpu = time.Duration(wall)*time.Microsecond, time.Duration(cpu)*time.Microsecond
	r.stdout, r.stderr = stdout.String(), out
	return r
}

var (
	toolsOnce sync.Once
	toolsDir  string
	toolsErr  error
)

// tool is the path of testdata/NAME (floor or measure), built once with the other.
func tool(b *testing.B, name string) string {
	toolsOnce.Do(func() {
		if toolsDir, toolsErr = os.MkdirTemp("", "arccheck-bench-tools-"); toolsErr != nil {
			return
		}
		for _, t := range []string{"floor", "measure"} {
			cmd := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(toolsDir, t), "./testdata/"+t)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				toolsErr = fmt.Errorf("building %s: %v: %s", t, err, out)
				return
			}
		}
	})
	if toolsErr != nil {
		b.Fatal(toolsErr)
	}
	return filepath.Join(toolsDir, name)
}

// benchBinary is the arccheck binary the benchmarks run: this tree's, or, to compare builds, the one
// ARCCHECK_BENCH_BINARY names (e.g. a build of an earlier commit).
func benchBinary(b *testing.B) string {
	if bin := os.Getenv("ARCCHECK_BENCH_BINARY"); bin != "" {
		return bin
	}
	return binary(b)
}

// trustOnly makes ca the whole system store of a process (Go's SSL_CERT_FILE and SSL_CERT_DIR).
func trustOnly(b *testing.B, ca *testnet.CA) []string {
	return []string{"SSL_CERT_FILE=" + ca.WritePEM(b), "SSL_CERT_DIR=" + b.TempDir()}
}

// againstFloor runs arccheck and the floor alternately (which goes first alternates too), b.N times
// each, and reports their mean wall time, CPU and peak RSS and the ratios arccheck/floor.
func againstFloor(b *testing.B, env []string, arccheck, floor []string) {
	bin, fl := benchBinary(b), tool(b, "floor")
	var sums [2]procRun
	for i := 0; b.Loop(); i++ {
		for _, j := range []int{i % 2, 1 - i%2} {
			var r procRun
			if j == 0 {
				r = runProc(b, env, bin, arccheck)
			} else {
				r = runProc(b, env, fl, floor)
			}
			sums[j].wall += r.wall
			sums[j].cpu += r.cpu
			sums[j].rssKiB += r.rssKiB
		}
	}
	n := float64(b.N)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / n }
	b.ReportMetric(ms(sums[0].wall), "arccheck-ms")
	b.ReportMetric(ms(sums[1].wall), "floor-ms")
	b.ReportMetric(float64(sums[0].wall)/float64(sums[1].wall), "wall-ratio")
	b.ReportMetric(ms(sums[0].cpu), "arccheck-cpu-ms")
	b.ReportMetric(ms(sums[1].cpu), "floor-cpu-ms")
	b.ReportMetric(float64(sums[0].rssKiB)/1024/n, "arccheck-RSS-MiB")
	b.ReportMetric(float64(sums[1].rssKiB)/1024/n, "floor-RSS-MiB")
	b.ReportMetric(float64(sums[0].rssKiB)/float64(sums[1].rssKiB), "rss-ratio")
}

// BenchmarkCommandAgainstFloor: `arccheck check --catalog none --endpoint …` with N endpoints of a
// server that waits benchDelay before each handshake, default settings otherwise, against the floor's
// N verified handshakes (the targets: wall-ratio at most 1.1 at every N).
func BenchmarkCommandAgainstFloor(b *testing.B) {
	ca := testnet.NewCA(b, "Bench Root", "DigiCert Inc")
	srv := testnet.TLSServer(b, testnet.TLSOptions{Certificate: ca.ValidLeaf(b, "*.bench.example"), Delay: benchDelay})
	host, _, _ := net.SplitHostPort(srv.Addr)
	env := trustOnly(b, ca)
	for _, n := range []int{10, 100, 300, 1000} {
		b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
			arccheck := []string{"check", "--catalog", "none", "--resolve", "*:*:" + host}
			var floor []string
			for i := range n {
				u := fmt.Sprintf("https://e%d.bench.example:%d", i, srv.Port)
				arccheck = append(arccheck, "--endpoint", u)
				floor = append(floor, u)
			}
			againstFloor(b, env, arccheck, append([]string{"-connect", host}, floor...))
		})
	}
}

// BenchmarkCatalogRunAgainstFloor: `arccheck check -l westeurope` against a lab that answers every
// catalog host, waiting benchDelay before each handshake, and answers the two discovery calls; the floor
// makes the same two discovery calls and then connects to the same endpoints, the discovered ones
// included (the target: wall-ratio at most 1.2).
func BenchmarkCatalogRunAgainstFloor(b *testing.B) {
	h, release := discoveryHandler(nil)
	lab := testnet.NewLab(b, testnet.LabOptions{Handler: h, TLS: testnet.TLSOptions{Delay: benchDelay}})
	b.Cleanup(release)
	cat, err := endpoints.Load()
	if err != nil {
		b.Fatal(err)
	}
	plan, err := cat.Select(endpoints.Selection{Location: "westeurope"})
	if err != nil {
		b.Fatal(err)
	}
	var hosts, urls []string
	for _, ep := range plan.Endpoints {
		for _, tg := range ep.Targets {
			hosts, urls = append(hosts, tg.Host), append(urls, tg.URL)
		}
	}
	for _, d := range discovered {
		hosts, urls = append(hosts, d), append(urls, "https://"+d)
	}
	slices.Sort(urls)
	urls = slices.Compact(urls)
	env := trustOnly(b, lab.CA)
	arccheck := append([]string{"check", "-l", "westeurope", "--public-roots", lab.CA.WritePEM(b)}, lab.ResolveArgs(hosts...)...)
	floor := append([]string{"-connect", lab.IP,
		"-discover", "https://gbl.his.arc.azure.com/discovery?location=westeurope&api-version=1.1-preview",
		"-discover", "https://guestnotificationservice.azure.com/urls/allowlist?api-version=2020-01-01&location=westeurope"}, urls...)
	b.Run(fmt.Sprintf("hosts=%d", len(urls)), func(b *testing.B) { againstFloor(b, env, arccheck, floor) })
}

// BenchmarkStartCPU runs `arccheck --version` and `arccheck list -o plain` and reports the median CPU
// (user and system) of a run (the target: at most 5 ms each).
func BenchmarkStartCPU(b *testing.B) {
	bin := benchBinary(b)
	for _, args := range [][]string{{"--version"}, {"list", "-o", "plain"}} {
		b.Run(args[0], func(b *testing.B) {
			var cpus []time.Duration
			for b.Loop() {
				for range 20 {
					cpus = append(cpus, runProc(b, nil, bin, args).cpu)
				}
			}
			slices.Sort(cpus)
			b.ReportMetric(float64(cpus[len(cpus)/2].Microseconds())/1000, "median-cpu-ms")
			b.ReportMetric(float64(cpus[len(cpus)*9/10].Microseconds())/1000, "p90-cpu-ms")
		})
	}
}

// BenchmarkBlackHoledCommand: `arccheck check --timeout 3s` with 3,000 endpoints, 20% of them
// black-holed (their SYNs get no answer) and the others answering after benchDelay; it reports how long
// past its timeout the process ended, on average and at worst (the target: at most 50 ms), and
// the same for the floor given the same timeout (its run, a failure line per black hole, its exit),
// the two alternating.
func BenchmarkBlackHoledCommand(b *testing.B) {
	const n, timeout = 3000, 3 * time.Second
	ca := testnet.NewCA(b, "Bench Root", "DigiCert Inc")
	srv := testnet.TLSServer(b, testnet.TLSOptions{Certificate: ca.ValidLeaf(b, "*.bench.example"), Delay: benchDelay})
	host, _, _ := net.SplitHostPort(srv.Addr)
	holeAddr := testnet.BlackHole(b)
	hole, holePort, _ := net.SplitHostPort(holeAddr)
	args := []string{"check", "--catalog", "none", "--timeout", timeout.String()}
	floor := []string{"-connect", host, "-hole", holeAddr, "-timeout", timeout.String()}
	for i := range n {
		u := fmt.Sprintf("https://e%d.bench.example:%d", i, srv.Port)
		if i%5 == 0 {
			h := fmt.Sprintf("hole%d.bench.example", i)
			u = "https://" + h + ":" + holePort
			args = append(args, "--resolve", h+":"+holePort+":"+hole)
		}
		args, floor = append(args, "--endpoint", u), append(floor, u)
	}
	args = append(args, "--resolve", "*:"+strconv.Itoa(srv.Port)+":"+host)
	env := trustOnly(b, ca)
	bin, fl := benchBinary(b), tool(b, "floor")
	var total, worst, floorTotal, floorWorst time.Duration
	for i := 0; b.Loop(); i++ {
		for _, j := range []int{i % 2, 1 - i%2} { // alternate which goes first
			if j == 1 {
				r := runProc(b, env, fl, floor, 1)
				// The floor's run as arccheck's: the black holes failed, every other handshake succeeded.
				if got := strings.Count(r.stderr, "floor: https://hole"); got != n/5 || strings.Count(r.stderr, "floor: ") != n/5 {
					b.Fatalf("the floor failed %d black holes of %d, and %d endpoints in all: %.2000s", got, n/5, strings.Count(r.stderr, "floor: "), r.stderr)
				}
				over := r.wall - timeout
				floorTotal, floorWorst = floorTotal+over, max(floorWorst, over)
				continue
			}
			r := runProc(b, env, bin, args, exitUnreachable)
			// Every endpoint that answers reached, none left waiting for a slot the black holes held. (On a
			// loaded machine a black hole that started late is "not probed", cut short, not unreachable.)
			if want := fmt.Sprintf("%d endpoints: %d reachable, ", n, n-n/5); !strings.Contains(r.stdout, want) {
				summary := r.stdout[max(0, strings.LastIndex(r.stdout, "endpoints: ")-5):]
				b.Fatalf("want %q in the report, got %.300s", want, summary)
			}
			over := r.wall - timeout
			total, worst = total+over, max(worst, over)
		}
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(total)/float64(b.N), "overrun-ms")
	b.ReportMetric(ms(worst), "worst-overrun-ms")
	b.ReportMetric(ms(floorTotal)/float64(b.N), "floor-overrun-ms")
	b.ReportMetric(ms(floorWorst), "floor-worst-overrun-ms")
}
