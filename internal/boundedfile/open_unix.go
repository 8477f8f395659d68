//go:build unix

package boundedfile

import "syscall"

// nonBlocking opens a FIFO without waiting for a writer, so that it can be judged and refused.
const nonBlocking = syscall.O_NONBLOCK
