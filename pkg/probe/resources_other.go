//go:build !windows

package probe

import "syscall"

// shortages are the errors of socket(2), connect(2) or a send that a local shortage raises.
var shortages = []shortage{
	{syscall.EMFILE, "this process has no file descriptor left: its open-file limit (ulimit -n) is reached"},
	{syscall.ENFILE, "this machine has no file descriptor left: the system's open-file limit is reached"},
	{syscall.ENOBUFS, "this machine has no socket buffer space left"},
	{syscall.ENOMEM, "this machine has no memory left for a socket"},
}
