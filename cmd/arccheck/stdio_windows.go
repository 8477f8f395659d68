package main

import "os"

// notifySIGPIPE does nothing on Windows: a write to a closed pipe fails with an error there.
func notifySIGPIPE() {}

// stdoutClosed reports whether the process has no stdout handle (os.Stdout is nil then, and writing to
// it fails anyway).
func stdoutClosed() bool { return os.Stdout == nil }
