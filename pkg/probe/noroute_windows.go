package probe

import (
	"syscall"

	"golang.org/x/sys/windows"
)

// unreachableErrnos are Winsock's errors for a network or host that cannot be reached, and Go's own.
var unreachableErrnos = []error{windows.WSAENETUNREACH, windows.WSAEHOSTUNREACH, syscall.ENETUNREACH, syscall.EHOSTUNREACH}
