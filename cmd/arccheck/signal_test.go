package main

import (
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// TestSignalsOnTheBinary builds arccheck and stops a real run with SIGINT (Ctrl-C), SIGTERM (timeout(1),
// CI runners, systemd) and SIGHUP: the results so far are printed, the rest marked canceled, and the exit
// code is 128 plus the signal's number, as a shell reports it. The signal is sent once the fine endpoint
// has been answered (the run is under way, its handlers installed); the run's timeout is an hour, so that
// a run that ended at all, canceled, ended on the signal.
func TestSignalsOnTheBinary(t *testing.T) {
	bin := binary(t)
	_, port, _ := net.SplitHostPort(testnet.BlackHole(t))
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
		says string
	}{
		{syscall.SIGINT, 130, "arccheck: interrupted (Ctrl-C)"},
		{syscall.SIGTERM, 143, "arccheck: interrupted by SIGTERM"},
		{syscall.SIGHUP, 129, "arccheck: interrupted by SIGHUP"},
	} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			answered := make(chan struct{}, 1)
			srv := testnet.Serve(t, func(c net.Conn) {
				testnet.HandleHTTP(nil)(c)
				select {
				case answered <- struct{}{}:
				default:
				}
			})
			_, okPort, _ := net.SplitHostPort(srv.Addr)
			cmd := exec.Command(bin, "check", "--catalog", "none", "--timeout", "1h",
				"--endpoint", "http://fine.example:"+okPort, "--resolve", "fine.example:*:127.0.0.1",
				"--endpoint", "https://stuck.example:"+port, "--resolve", "stuck.example:*:127.0.0.1")
			cmd.Env = append(os.Environ(), "NO_COLOR=1")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			require.NoError(t, cmd.Start())
			watchdog := time.AfterFunc(testnet.HangGuard, func() { _ = cmd.Process.Kill() }) // a hang guard
			defer watchdog.Stop()
			testnet.Await(t, answered, "the fine endpoint's answer")
			require.NoError(t, cmd.Process.Signal(tc.sig))
			err := cmd.Wait()
			var ee *exec.ExitError
			require.True(t, errors.As(err, &ee), "%v", err)
			assert.Equal(t, tc.code, ee.ExitCode())
			assert.Contains(t, stdout.String(), "| http://fine.example:"+okPort)
			assert.Contains(t, stdout.String(), "canceled:")
			assert.True(t, strings.HasPrefix(stderr.String(), tc.says), stderr.String())
		})
	}
}
