// Command treeagent stands in for an azcmagent.exe that leaves a child behind (where a shell script
// cannot: under wine): "treeagent hang PIDFILE" starts a child that holds its stdout, writes the child's
// pid to PIDFILE, answers and hangs; "treeagent linger PIDFILE" does the same but exits 0 at once.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] == "child" {
		time.Sleep(time.Hour)
		return
	}
	child := exec.Command(os.Args[0], "child")
	child.Stdout = os.Stdout // the child holds the agent's stdout
	if err := child.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[2], []byte(strconv.Itoa(child.Process.Pid)), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(`{"location":"westeurope"}`)
	if os.Args[1] == "hang" {
		time.Sleep(time.Hour)
	}
}
