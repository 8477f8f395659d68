//go:build unix

package main

import "syscall"

// fdsPerProbe is how many descriptors one probe may hold at once: its DNS exchange, its connection, a
// proxy's, and the extra connections of --all-addresses; fdsReserved are kept for the rest of the run
// (stdio, the agent's pipes, the catalog and CA files).
const (
	fdsPerProbe = 4
	fdsReserved = 32
)

// fdConcurrency is the most probes the open-file limit lets run at once (Go raises the soft limit to
// the hard one at start-up): the default --concurrency is lowered to it, so that a low `ulimit -n`
// slows a run down instead of failing its probes with EMFILE.
func fdConcurrency() int {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil || l.Cur > uint64(fdsReserved+fdsPerProbe*maxConcurrency) {
		return maxConcurrency
	}
	return max(1, (int(l.Cur)-fdsReserved)/fdsPerProbe)
}
