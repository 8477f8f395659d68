package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// shellSession is an interactive shell in a pseudo-terminal, and all it wrote there.
type shellSession struct {
	tty  *os.File
	mu   sync.Mutex
	seen strings.Builder
	more chan struct{} // signalled after each read
}

// startShell starts bash as a user's interactive shell without any start-up file (no bash-completion
// package), with arccheck on its PATH.
func startShell(t *testing.T) *shellSession {
	bash := testnet.RequireBinary(t, "bash", "bash")
	home := t.TempDir()
	cmd := exec.Command(bash, "--norc", "--noprofile", "-i")
	cmd.Env = []string{"PATH=" + filepath.Dir(binary(t)) + ":/usr/bin:/bin", "HOME=" + home, "TERM=dumb",
		"INPUTRC=" + filepath.Join(home, "inputrc"), "PS1=$ "}
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 200})
	require.NoError(t, err)
	s := &shellSession{tty: tty, more: make(chan struct{}, 1)}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = tty.Close()
		_ = cmd.Wait()
	})
	go func() {
		r := bufio.NewReader(tty)
		buf := make([]byte, 4096)
		for {
			n, err := r.Read(buf)
			s.mu.Lock()
			s.seen.Write(buf[:n])
			s.mu.Unlock()
			select {
			case s.more <- struct{}{}:
			default:
			}
			if err != nil {
				close(s.more)
				return
			}
		}
	}()
	return s
}

// typeAndWait types keys and waits until the terminal shows want after what it showed before; it fails
// when the shell ends first.
func (s *shellSession) typeAndWait(keys, want string) error {
	s.mu.Lock()
	from := s.seen.Len()
	s.mu.Unlock()
	if _, err := s.tty.WriteString(keys); err != nil {
		return err
	}
	for {
		s.mu.Lock()
		got := s.seen.String()[from:]
		s.mu.Unlock()
		switch {
		case strings.Contains(got, want):
			return nil
		case strings.Contains(got, "command not found"):
			return fmt.Errorf("after %q: %q", keys, got)
		}
		if _, open := <-s.more; !open {
			return fmt.Errorf("the shell ended before showing %q after %q: %q", want, keys, got)
		}
	}
}

// TestBashCompletionWithoutThePackage presses Tab in a plain interactive bash, without the
// bash-completion package, after `source <(arccheck completion bash)`: commands and flags complete, and
// nothing fails for want of the package's functions.
func TestBashCompletionWithoutThePackage(t *testing.T) {
	s := startShell(t)
	done := make(chan error, 1)
	go func() {
		// The sums are computed by the shell, so that the echo of what is typed does not match.
		for _, step := range [][2]string{
			{"type -t _get_comp_words_by_ref _init_completion || echo no-package-$((1+1))\n", "no-package-2"},
			{"source <(arccheck completion bash) && echo sourced-$((2+2))\n", "sourced-4"},
			{"arccheck ch\t", "arccheck check "},
			{"\x15arccheck check --clo\t", "--cloud "},
			{"\x15arccheck check --cloud=AzureU\t", "--cloud=AzureUSGovernment "},
			{"\x15arccheck check --resolve h:443:127.0.0.1 --fail-on w\t", "--fail-on warning "},
			{"\x15arccheck check --ca-file /et\t", "--ca-file /etc/"},
			{"\x15echo end-$((3+3))\n", "end-6"},
		} {
			if err := s.typeAndWait(step[0], step[1]); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	require.NoError(t, testnet.Await(t, done, "completion in bash"))
	s.mu.Lock()
	defer s.mu.Unlock()
	assert.NotContains(t, s.seen.String(), "command not found")
}

// TestCompletionScriptsWork: every shell's script is written; bash's is cobra's V2 with the stand-in for
// the bash-completion package's word splitting, which defers to the package when it is loaded.
func TestCompletionScriptsWork(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		r := runCLI(t, nil, "completion", shell)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, "arccheck", shell)
	}
	r := runCLI(t, nil, "completion", "bash")
	assert.Contains(t, r.stdout, "# bash completion V2 for arccheck")
	assert.Contains(t, r.stdout, "if declare -F _get_comp_words_by_ref")
	assert.Equal(t, 2, strings.Count(r.stdout, "__arccheck_init_completion()"), "redefined after cobra's")
	r = runCLI(t, nil, "completion", "bash", "--help")
	assert.NotContains(t, r.stdout, "depends on the 'bash-completion' package")
}
