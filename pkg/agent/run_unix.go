//go:build unix

package agent

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// tree is a command's process group: the command starts a group of its own, which its children join
// unless they leave it on purpose (setsid, setpgid), and the whole group is killed at once.
type tree struct {
	cmd *exec.Cmd
}

// prepare makes cmd start in a new process group that Cancel (ctx ended, timeout, too much output)
// kills whole.
func (t *tree) prepare(cmd *exec.Cmd) {
	t.cmd = cmd
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = t.kill
}

// started has nothing to do: the group's id is the command's pid, which exec sets before it may call
// Cancel.
func (t *tree) started(*exec.Cmd) {}

// kill sends SIGKILL to every process of the group; a group that is gone is os.ErrProcessDone, which
// exec takes as "nothing to cancel".
func (t *tree) kill() error {
	err := syscall.Kill(-t.cmd.Process.Pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}

// release kills what is left of the group after Wait: children the agent left behind, holding its
// output or not. While any of them lives the system does not reuse the group's id, so the signal
// reaches only them; once they are all gone it reaches no one (ESRCH), short of a new process taking
// that id and making it its group in the instant between.
func (t *tree) release() { _ = t.kill() }
