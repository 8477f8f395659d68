//go:build windows

package agent

import (
	"os/exec"
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

// tree is a command's job object: the processes it starts after it joined the job are in the job too,
// and the whole job is killed at once. When the job cannot be made (it can fail in a sandbox that
// allows no nested jobs), only the process is killed, and WaitDelay still frees its pipes.
type tree struct {
	cmd *exec.Cmd
	mu  sync.Mutex // exec may call Cancel (kill) while started is still making the job
	job windows.Handle
}

// prepare makes Cancel (ctx ended, timeout, too much output) kill the job, or the process.
func (t *tree) prepare(cmd *exec.Cmd) {
	t.cmd = cmd
	cmd.Cancel = t.kill
}

// started puts the command in a new job that is killed when its handle is closed. A child started in
// the instant before is not in it: azcmagent starts none so soon.
func (t *tree) started(cmd *exec.Cmd) {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return
	}
	info := windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION{
		BasicLimitInformation: windows.JOBOBJECT_BASIC_LIMIT_INFORMATION{LimitFlags: windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE},
	}
	if _, err := windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		windows.CloseHandle(job)
		return
	}
	p, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, uint32(cmd.Process.Pid))
	if err != nil {
		windows.CloseHandle(job)
		return
	}
	defer windows.CloseHandle(p)
	if err := windows.AssignProcessToJobObject(job, p); err != nil {
		windows.CloseHandle(job)
		return
	}
	t.mu.Lock()
	t.job = job
	t.mu.Unlock()
}

// kill ends every process of the job, and the command itself in any case.
func (t *tree) kill() error {
	t.mu.Lock()
	if t.job != 0 {
		_ = windows.TerminateJobObject(t.job, 1)
	}
	t.mu.Unlock()
	return t.cmd.Process.Kill()
}

// release kills what is left of the job after Wait (children the agent left behind) by closing it.
func (t *tree) release() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.job != 0 {
		windows.CloseHandle(t.job)
		t.job = 0
	}
}
