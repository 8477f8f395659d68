package check_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"maps"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
)

// Benchmarks against the floor: what a run costs over what the network allows. The endpoints are served
// by another process (this test binary run again as benchServe, see TestMain), so that the heap measured
// is the clients' alone. Run:
//
//	go test -run '^$' -bench . -benchtime 10x ./pkg/check

// benchLatency is the latency the server injects before every TLS handshake.
const benchLatency = 50 * time.Millisecond

// benchServerEnv makes the test binary the benchmarks' server process (see TestMain).
const benchServerEnv = "ARCCHECK_BENCH_SERVER"

// TestMain makes the test binary, run again by the benchmarks with benchServerEnv set, their server
// process rather than a test.
func TestMain(m *testing.M) {
	testnet.RunHelperProcess(benchServerEnv, benchServe)
	testnet.EnterUserNamespace() // the lab's ports 443 and 80 (TestDiscoveredHostStaysTheUsers)
	os.Exit(m.Run())
}

// benchServe serves TLS for any *.bench.example name with benchLatency before each handshake, printing
// its address and its CA, until its standard input closes.
func benchServe(t testing.TB) {
	ca := testnet.NewCA(t, "Bench Root", "DigiCert Inc")
	srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.ValidLeaf(t, "*.bench.example"), Delay: benchLatency})
	fmt.Printf("%s\n%s", srv.Addr, ca.PEM)
	io.Copy(io.Discard, os.Stdin)
}

// benchServer starts the server process and returns its address and CA, as a pool and as a root set.
func benchServer(b *testing.B) (netip.AddrPort, *x509.CertPool, *probe.RootSet) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), benchServerEnv+"=1")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	sc := bufio.NewScanner(stdout)
	var lines []string
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "-----END") {
		lines = append(lines, sc.Text())
	}
	if len(lines) < 2 {
		b.Fatalf("the server process said %q", lines)
	}
	block, _ := pem.Decode([]byte(strings.Join(lines[1:], "\n") + "\n-----END CERTIFICATE-----\n"))
	if block == nil {
		b.Fatalf("no CA from the server process: %q", lines)
	}
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		b.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return netip.MustParseAddrPort(lines[0]), pool, probe.NewRootSet(ca)
}

// BenchmarkAgainstFloor runs N endpoints behind benchLatency through arccheck's run (check.Run with
// the settings of `arccheck check`: timeout 10s, concurrency 1024, embedded public roots) and through
// the floor, a minimal client that makes the same N verified TLS handshakes at once, alternately. It
// reports each one's wall time and peak heap (heap objects above the heap before the run) and the
// ratios arccheck/floor.
func BenchmarkAgainstFloor(b *testing.B) {
	addr, pool, roots := benchServer(b)
	for _, n := range []int{1, 10, 100, 300, 1000} {
		b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
			extra, ov := endpointsAt(n, "e%d.bench.example", addr)
			prober := probe.New(probe.Options{Timeout: 10 * time.Second, Overrides: ov, RootCAs: roots,
				ReferenceRoots: probe.PublicRoots(), UserAgent: "arccheck/bench"})
			arccheck := func() {
				rep := check.Run(context.Background(), check.Options{Extra: extra, Prober: prober, Concurrency: 1024})
				for _, r := range rep.Results {
					if !r.Reachable {
						b.Fatalf("%s: %+v", r.URL(), r.Failure)
					}
				}
			}
			floor := func() { floorRun(b, extra, addr, pool) }
			var times, peaks [2]float64
			for i := 0; b.Loop(); i++ {
				for _, j := range []int{i % 2, 1 - i%2} { // alternate which goes first
					wall, peak := measure([]func(){arccheck, floor}[j])
					times[j] += wall.Seconds()
					peaks[j] += float64(peak)
				}
			}
			runs := float64(b.N)
			b.ReportMetric(times[0]/runs*1000, "arccheck-ms")
			b.ReportMetric(times[1]/runs*1000, "floor-ms")
			b.ReportMetric(times[0]/times[1], "wall-ratio")
			b.ReportMetric(peaks[0]/runs/1024, "arccheck-peak-KiB")
			b.ReportMetric(peaks[1]/runs/1024, "floor-peak-KiB")
			if peaks[1] > 0 { // with one endpoint the floor's peak can fall between samples
				b.ReportMetric(peaks[0]/peaks[1], "heap-ratio")
			}
		})
	}
}

// endpointsAt names n endpoints after format (with %d) and sends them all to addr with resolve overrides.
func endpointsAt(n int, format string, addr netip.AddrPort) ([]endpoints.Target, probe.Overrides) {
	var extra []endpoints.Target
	ov := probe.Overrides{}
	for i := range n {
		h := fmt.Sprintf(format, i)
		extra = append(extra, endpoints.Target{Scheme: "https", Host: h, Port: int(addr.Port()),
			URL: "https://" + net.JoinHostPort(h, strconv.Itoa(int(addr.Port())))})
		ov[h+":*"] = []netip.Addr{addr.Addr()}
	}
	return extra, ov
}

// floorRun makes a verified TLS handshake with every endpoint at once, as a bare Go program would.
func floorRun(b *testing.B, targets []endpoints.Target, addr netip.AddrPort, pool *x509.CertPool) {
	var wg sync.WaitGroup
	for _, t := range targets {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var d net.Dialer
			conn, err := d.DialContext(ctx, "tcp", addr.String())
			if err != nil {
				b.Error(err)
				return
			}
			defer conn.Close()
			if err := tls.Client(conn, &tls.Config{ServerName: t.Host, RootCAs: pool}).HandshakeContext(ctx); err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
}

// measure runs f and returns its wall time and the peak of the heap's objects above where they were
// when it started (after a collection), sampled every half millisecond.
func measure(f func()) (time.Duration, uint64) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	var peak uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(500 * time.Microsecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	f()
	wall := time.Since(start)
	close(stop)
	<-sampled
	return wall, peak - min(peak, base)
}

// BenchmarkBlackHoled runs N endpoints, all or a fifth of them black-holed (their SYNs dropped), the
// others served after benchLatency, through arccheck's run and reports how long past its timeout the run
// ended, on average and at worst ("overrun-ms", "worst-overrun-ms": the target is under 50), and its peak
// heap. Its timeout is 2s, or 3s for the 3,000 endpoints as in the issue, rather than the default 10s, to
// keep the benchmark short; the overrun does not depend on it.
func BenchmarkBlackHoled(b *testing.B) {
	hole := netip.MustParseAddrPort(testnet.BlackHole(b))
	addr, _, roots := benchServer(b)
	for _, c := range []struct {
		n, holedEvery int // every holedEvery-th endpoint is black-holed
		timeout       time.Duration
	}{{1, 1, 2 * time.Second}, {100, 1, 2 * time.Second}, {1000, 1, 2 * time.Second}, {3000, 5, 3 * time.Second}} {
		name := "N=" + strconv.Itoa(c.n)
		if c.holedEvery > 1 {
			name += fmt.Sprintf(",holed=%d%%", 100/c.holedEvery)
		}
		b.Run(name, func(b *testing.B) {
			holes, ov := endpointsAt(c.n/c.holedEvery, "hole%d.example", hole)
			served, ovServed := endpointsAt(c.n-len(holes), "e%d.bench.example", addr)
			maps.Copy(ov, ovServed)
			prober := probe.New(probe.Options{Timeout: c.timeout, Overrides: ov, RootCAs: roots,
				ReferenceRoots: probe.PublicRoots()})
			var worst, total time.Duration
			var peaks float64
			for b.Loop() {
				wall, peak := measure(func() {
					rep := check.Run(context.Background(), check.Options{Extra: append(slices.Clip(holes), served...),
						Prober: prober, Concurrency: 1024})
					for _, r := range rep.Results {
						holed := strings.Contains(r.URL(), "//hole")
						if holed && (r.Failure == nil || r.Failure.Class != probe.ClassTCPTimeout) || !holed && !r.Reachable {
							b.Fatalf("%s: %+v", r.URL(), r.Failure)
						}
					}
				})
				worst, total = max(worst, wall-c.timeout), total+wall-c.timeout
				peaks += float64(peak)
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "overrun-ms")
			b.ReportMetric(float64(worst.Microseconds())/1000, "worst-overrun-ms")
			b.ReportMetric(peaks/float64(b.N)/(1<<20), "peak-MiB")
		})
	}
}
