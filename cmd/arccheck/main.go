// Command arccheck tells whether every network endpoint the Azure Connected Machine agent needs is
// reachable from this server: directly, through a proxy, through the Arc gateway or over Private Link.
package main

import (
	"os"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	os.Exit(Execute(version, os.Args[1:], newSystemEnv()))
}
