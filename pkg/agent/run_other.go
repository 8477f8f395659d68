//go:build !unix && !windows

package agent

import "os/exec"

// tree is only the command's process here (no process groups): exec's Cancel kills it, and
// WaitDelay frees its pipes from any child that holds them.
type tree struct{}

func (*tree) prepare(*exec.Cmd) {}
func (*tree) started(*exec.Cmd) {}
func (*tree) release()          {}
