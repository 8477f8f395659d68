// Command arccheck tells whether every network endpoint the Azure Connected Machine agent needs is
// reachable from this server: directly, through a proxy, through the Arc gateway or over Private Link.

// Certificates with a negative serial number are refused by Go since 1.23, but the Arc agent accepts
// them until February 2027: parse them, and warn (negative_serial) instead of failing the handshake.
//
//go:debug x509negativeserial=1
package main

import (
	"os"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3" (.goreleaser.yaml); without it,
// resolveVersion reads the module's version or commit from the build information.
var version = devVersion

func main() {
	os.Exit(Execute(resolveVersion(version, debug.ReadBuildInfo), os.Args[1:], newSystemEnv()))
}
