package probe

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/arccheck/arccheck/internal/testnet"
)

// benchLatency is the latency injected before every TLS handshake of the benchmark's server.
const benchLatency = 50 * time.Millisecond

// BenchmarkProbeAll probes N endpoints, each behind benchLatency, and reports the wall time per run as
// a multiple of that latency ("latencies/op"): about 1 for any N means the run takes about as long as
// its slowest endpoint, as the check issue asks. Run: go test -run '^$' -bench ProbeAll ./pkg/probe
func BenchmarkProbeAll(b *testing.B) {
	ca := testnet.NewCA(b, "Bench Root", "DigiCert Inc")
	srv := testnet.TLSServer(b, testnet.TLSOptions{Certificate: ca.ValidLeaf(b, "*.bench.example"), Delay: benchLatency})
	_, port, _ := net.SplitHostPort(srv.Addr)
	p, _ := strconv.Atoi(port)
	for _, n := range []int{1, 10, 100} {
		b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
			targets, ov := loopbackTargets(n, "bench.example", p)
			prober := New(Options{Overrides: ov, RootCAs: rootsOf(ca.Pool()), Timeout: 10 * time.Second})
			start := time.Now()
			for b.Loop() {
				for _, r := range prober.ProbeAll(context.Background(), targets, 128, nil) {
					if !r.Reachable {
						b.Fatalf("%s: %+v", r.Target.Host, r.Failure)
					}
				}
			}
			b.ReportMetric(float64(time.Since(start))/float64(b.N)/float64(benchLatency), "latencies/op")
		})
	}
}

// loopbackTargets are n https targets named eI.domain on port, and the overrides that send them all
// to 127.0.0.1.
func loopbackTargets(n int, domain string, port int) ([]Target, Overrides) {
	targets := make([]Target, n)
	ov := Overrides{}
	for i := range targets {
		h := "e" + strconv.Itoa(i) + "." + domain
		targets[i] = Target{Scheme: "https", Host: h, Port: port}
		ov[h+":*"] = []netip.Addr{netip.MustParseAddr("127.0.0.1")}
	}
	return targets, ov
}
