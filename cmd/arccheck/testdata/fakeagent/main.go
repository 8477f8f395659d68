// Command fakeagent stands in for azcmagent.exe where a script cannot (under wine): it answers the
// commands arccheck runs as the documented agent does, for an agent connected in westeurope, of version
// FAKEAGENT_VERSION (1.61 when unset).
package main

import (
	"fmt"
	"os"
	"strings"
)

func main() {
	switch strings.Join(os.Args[1:], " ") {
	case "show -j":
		version := os.Getenv("FAKEAGENT_VERSION")
		if version == "" {
			version = "1.61"
		}
		fmt.Println(`{"status":"Connected","agentVersion":"` + version + `","location":"westeurope","cloud":"AzureCloud"}`)
	case "config get proxy.url":
		fmt.Println("")
	case "config get proxy.bypass":
		fmt.Println("[]")
	case "extension list":
		fmt.Println("AzureMonitorWindowsAgent  Succeeded")
	default:
		os.Exit(2)
	}
}
