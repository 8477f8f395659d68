package probe

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// lateBatch is a batch of a prober with the given timeout whose run's deadline is left from now.
func lateBatch(timeout, left time.Duration) *Batch {
	b := New(Options{Timeout: timeout}).NewBatch(context.Background(), 0)
	b.end()
	b.until = time.Now().Add(left)
	b.probeCtx, b.end = context.WithDeadlineCause(context.Background(), b.until, errTimedOut)
	return b
}

// TestProbeCutShortIsNotAVerdict: a probe that starts so late it has less than half its timeout, and
// runs into the run's deadline, is canceled (not probed to a verdict), never the timeout it had no time
// for; one that had at least half its time keeps its verdict.
func TestProbeCutShortIsNotAVerdict(t *testing.T) {
	_, port, _ := net.SplitHostPort(testnet.BlackHole(t))
	p, _ := strconv.Atoi(port)
	target := Target{Scheme: "https", Host: "127.0.0.1", Port: p}
	for _, c := range []struct {
		name          string
		timeout, left time.Duration
		class         Class
	}{
		{"late: 100ms of 10s", 10 * time.Second, 100 * time.Millisecond, ClassCanceled},
		{"in time: 100ms of 150ms", 150 * time.Millisecond, 100 * time.Millisecond, ClassTCPTimeout},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := lateBatch(c.timeout, c.left)
			var r Result
			b.Go(target, func(res *Result) { r = *res })
			b.Wait()
			require.NotNil(t, r.Failure)
			assert.Equal(t, c.class, r.Failure.Class, factsJSON(r.Failure))
			if c.class == ClassCanceled {
				assert.Equal(t, CauseCutShort, r.Failure.Cause, "cut short by the run's deadline")
				assert.Equal(t, c.timeout, r.Failure.Budget)
				assert.Less(t, r.Failure.Granted, c.timeout/2, "it had less than half its time")
				assert.NotNil(t, r.Failure.Cut, "the failure it had then")
			}
		})
	}
}
