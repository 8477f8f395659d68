//go:build linux

// Command measure runs a command and prints, as its last line on stderr, what the command cost:
//
//	measure: exit=0 wall_us=61234 cpu_us=12345 maxrss_kib=20480
//
// The benchmarks (checkbench_test.go, mergebench_test.go) run their processes through it because a
// child's peak RSS as wait4 reports it is at least its parent's peak RSS up to the exec: a child of the
// benchmark process, whose RSS is tens of MiB, would report the benchmark's rather than its own. This
// process is small (a few MiB), so the peak it reports is the command's.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: measure COMMAND [ARG]...")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		fmt.Fprintln(os.Stderr, "measure:", err)
		os.Exit(2)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	fmt.Fprintf(os.Stderr, "measure: exit=%d wall_us=%d cpu_us=%d maxrss_kib=%d\n",
		cmd.ProcessState.ExitCode(), wall.Microseconds(), cpu.Microseconds(), ru.Maxrss)
}
