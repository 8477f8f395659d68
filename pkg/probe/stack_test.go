package probe

import (
	"context"
	"net"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWaitingProbesHoldSmallStacks: a probe waiting for the server's first flight holds a stack the
// collector shrinks to the 8 KiB a bare handshake's shrinks to. Building the ClientHello grows a
// goroutine's stack to 32 KiB (ML-KEM key generation alone takes a 12.6 KiB frame); while it then waits,
// each collection halves the stack if less than a quarter of it is in use (counting 800 bytes of
// guard), so a waiting probe must use less than 3,296 bytes of it. Far endpoints keep hundreds of
// probes waiting at once: 16 KiB each instead of 8 is megabytes (docs/development.md, "Benchmarks").
func TestWaitingProbesHoldSmallStacks(t *testing.T) {
	if raceDetector {
		t.Skip("the race detector doubles the stack guard and enlarges frames")
	}
	const n = 100
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	hellos := make(chan net.Conn, n)
	go func() { // one goroutine: it reads each client's first bytes and never answers
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			c.Read(make([]byte, 1))
			hellos <- c
		}
	}()
	targets, ov := loopbackTargets(n, "stack.example", ln.Addr().(*net.TCPAddr).Port)
	for range 3 {
		runtime.GC() // earlier tests' stacks freed before the baseline, not after it
	}
	before := stackBytes()
	ctx, cancel := context.WithCancel(context.Background())
	b := New(Options{Overrides: ov, Timeout: 20 * time.Second}).NewBatch(ctx, 0)
	for _, tg := range targets {
		b.Go(tg, func(*Result) {})
	}
	for range n {
		select {
		case c := <-hellos:
			defer c.Close()
		case <-time.After(10 * time.Second):
			t.Fatal("not every probe sent its ClientHello")
		}
	}
	time.Sleep(20 * time.Millisecond) // each parked in its read
	for range 3 {
		runtime.GC() // each halves the stacks that allow it: 32 KiB, 16, 8
	}
	perProbe := (stackBytes() - before) / n
	t.Logf("per probe %d", perProbe)
	cancel()
	b.Wait()
	assert.LessOrEqual(t, perProbe, 10<<10, "stack bytes per waiting probe (a bare handshake's: 8 KiB)")
}

// stackBytes is the memory the heap holds for goroutines' stacks.
func stackBytes() int {
	s := []metrics.Sample{{Name: "/memory/classes/heap/stacks:bytes"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64())
}
