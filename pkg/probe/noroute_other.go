//go:build !windows

package probe

import "syscall"

// unreachableErrnos are the errors of connect(2) for a network or host that cannot be reached.
var unreachableErrnos = []error{syscall.ENETUNREACH, syscall.EHOSTUNREACH}
