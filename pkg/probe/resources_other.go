//go:build !windows

package probe

import "syscall"

// shortages are the errors of socket(2), connect(2) or a send that a local shortage raises.
var shortages = []shortage{
	{syscall.EMFILE, ShortProcessFiles},
	{syscall.ENFILE, ShortSystemFiles},
	{syscall.ENOBUFS, ShortBuffers},
	{syscall.ENOMEM, ShortMemory},
}
