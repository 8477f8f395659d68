//go:build unix

package main

import (
	"errors"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// notifySIGPIPE makes a write to a broken pipe on stdout fail with EPIPE: by default Go ends the
// process with SIGPIPE (exit 141, nothing said). Notify rather than Ignore, so that the programs
// arccheck runs (azcmagent) still start with SIGPIPE's default action.
func notifySIGPIPE() {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
}

// stdoutClosed reports whether stdout was closed when arccheck started. Go's runtime opens /dev/null
// read-write in place of a closed standard descriptor before any of arccheck runs, so that a file or
// socket opened later cannot take fd 1 and receive the report; a stdout that is /dev/null opened
// read-write is taken for a closed one, unless stderr is too (a daemon's stdio, as daemon(3) sets it:
// its output is meant to be discarded). A shell's `> /dev/null` opens it write-only. Should fd 1 be
// closed still, /dev/null is put there.
func stdoutClosed() bool {
	var st unix.Stat_t
	if err := unix.Fstat(1, &st); errors.Is(err, unix.EBADF) {
		if fd, err := unix.Open(os.DevNull, unix.O_RDWR, 0); err == nil && fd != 1 {
			_ = unix.Dup2(fd, 1)
			_ = unix.Close(fd)
		}
		return true
	}
	return devNullReadWrite(1) && !devNullReadWrite(2)
}

// devNullReadWrite reports whether fd is /dev/null opened for reading and writing.
func devNullReadWrite(fd int) bool {
	var st, null unix.Stat_t
	if unix.Fstat(fd, &st) != nil || unix.Stat(os.DevNull, &null) != nil {
		return false
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != null.Rdev {
		return false
	}
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	return err == nil && flags&unix.O_ACCMODE == unix.O_RDWR
}
