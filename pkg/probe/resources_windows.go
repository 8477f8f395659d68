package probe

import (
	"syscall"

	"golang.org/x/sys/windows"
)

// shortages are the errors Winsock and the system raise for a local shortage, and Go's own codes for
// the same.
var shortages = []shortage{
	{windows.WSAEMFILE, ShortProcessSockets},
	{windows.ERROR_TOO_MANY_OPEN_FILES, ShortProcessHandles},
	{syscall.EMFILE, ShortProcessHandles},
	{syscall.ENFILE, ShortSystemHandles},
	{windows.WSAENOBUFS, ShortBuffers},
	{syscall.ENOBUFS, ShortBuffers},
	{windows.ERROR_NOT_ENOUGH_MEMORY, ShortMemory},
	{syscall.ENOMEM, ShortMemory},
}
