package check

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
)

func blackHoled(t *testing.T, n int) ([]endpoints.Target, probe.Overrides) {
	h, port, _ := net.SplitHostPort(testnet.BlackHole(t))
	p, _ := strconv.Atoi(port)
	var extra []endpoints.Target
	ov := probe.Overrides{}
	for i := range n {
		host := "hole" + strconv.Itoa(i) + ".example"
		extra = append(extra, endpoints.Target{Scheme: "https", Host: host, Port: p, URL: "https://" + host + ":" + port})
		ov[host+":*"] = []netip.Addr{netip.MustParseAddr(h)}
	}
	return extra, ov
}

// TestRunEndsWithinOneTimeout: however many endpoints are black-holed, and however low the concurrency,
// the run ends with one timeout, the run's deadline: every endpoint started before it timed out at it,
// and those that could not start before it say so. The counts are the proof (a second round of probes
// would have started and timed out); how far past its timeout a run ends is BenchmarkBlackHoled's
// overrun-ms.
func TestRunEndsWithinOneTimeout(t *testing.T) {
	extra, ov := blackHoled(t, 40)
	timeout := 500 * time.Millisecond
	for _, conc := range []int{0, 10} {
		var rep *Report
		testnet.Returns(t, "the run", func() {
			rep = Run(context.Background(), Options{Extra: extra, Concurrency: conc,
				Prober: probe.New(probe.Options{Overrides: ov, Timeout: timeout})})
		})
		require.Len(t, rep.Results, 40)
		s := rep.Summary()
		if conc == 0 {
			assert.Equal(t, 40, s.Unreachable)
			for _, r := range rep.Results {
				assert.Equal(t, probe.ClassTCPTimeout, r.Failure.Class)
			}
		} else {
			assert.Equal(t, 10, s.Unreachable, "the first ten ran and timed out")
			assert.Equal(t, 30, s.Canceled, "the rest never started, and say so")
			assert.Equal(t, 30, s.RequiredCanceled)
			assert.True(t, rep.Failed(), "endpoints never probed fail the run")
			for _, r := range rep.Results {
				if r.Failure.Class == probe.ClassCanceled {
					assert.Equal(t, probe.PhaseQueue, r.Failure.Phase)
					assert.Equal(t, probe.CauseNotStarted, r.Failure.Cause)
					assert.Empty(t, r.Failure.Err, "the run's deadline, not an interruption")
				}
			}
		}
	}
}
