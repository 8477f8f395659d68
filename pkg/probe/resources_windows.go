package probe

import (
	"syscall"

	"golang.org/x/sys/windows"
)

// shortages are the errors Winsock and the system raise for a local shortage, and Go's own codes for
// the same.
var shortages = []shortage{
	{windows.WSAEMFILE, "this process has no socket handle left"},
	{windows.ERROR_TOO_MANY_OPEN_FILES, "this process has no handle left"},
	{syscall.EMFILE, "this process has no handle left"},
	{syscall.ENFILE, "this machine has no handle left"},
	{windows.WSAENOBUFS, "this machine has no socket buffer space left"},
	{syscall.ENOBUFS, "this machine has no socket buffer space left"},
	{windows.ERROR_NOT_ENOUGH_MEMORY, "this machine has no memory left for a socket"},
	{syscall.ENOMEM, "this machine has no memory left for a socket"},
}
