package testnet

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// RequireEnv is the environment variable that turns a missing component into a failure (CI sets it).
const RequireEnv = "ARCCHECK_REQUIRE_COMPONENTS"

// Missing is where every test that lacks something it needs (a program, root, a namespace, a port below
// 1024, a device) ends: it skips with the message, which says what to install or how to run the test, or
// fails when RequireEnv=1, so that CI, which provides everything, never skips a test silently.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("%s (%s=1 makes this a failure)", msg, RequireEnv)
	}
	t.Skip(msg)
}

// RequireBinary returns the path of a program, or skips (fails under RequireEnv) naming the Debian
// package to install.
func RequireBinary(t testing.TB, name, debianPackage string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/lib/squid"} {
		if p := filepath.Join(dir, name); isExecutable(p) {
			return p
		}
	}
	Missing(t, "%s not found: install the Debian package %s (apt-get install -y %s)", name, debianPackage, debianPackage)
	return ""
}

// RequireFile skips (fails under RequireEnv) when path cannot be opened with flag; otherwise it returns
// the open file, closed when the test ends. what says what the test uses it for.
func RequireFile(t testing.TB, path string, flag int, what string) *os.File {
	t.Helper()
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		Missing(t, "needs %s (%s): %v", path, what, err)
		return nil
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// RequireRoot skips (fails under RequireEnv) unless the test runs as root, with the machine's other
// users: why says what for (a daemon that switches to a user of its own, ip netns add). The root of the
// user namespace the tests entered (see EnterUserNamespace) is not enough: no other user exists in it.
func RequireRoot(t testing.TB, why string) {
	t.Helper()
	if os.Geteuid() == 0 && !onlyRootMapped() {
		return
	}
	how := "run the tests as root (sudo -E go test ./...)"
	if os.Geteuid() == 0 {
		how += "; this one runs as root of a user namespace that maps no other user"
	}
	Missing(t, "needs root: %s: %s", why, how)
}

// RequireNamespaceRoot skips (fails under RequireEnv) unless the test runs as root, of the machine or of
// the user namespace the tests entered (see EnterUserNamespace): enough to make a mount namespace and to
// listen on ports below 1024 of loopback. why says what for.
func RequireNamespaceRoot(t testing.TB, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		Missing(t, "needs root: %s: %s", why, userNamespaceHow())
	}
}

// requirePrivilegedPort skips (fails under RequireEnv) when err, from listening on a port below 1024,
// says that only root may; other errors are the caller's.
func requirePrivilegedPort(t testing.TB, what string, err error) {
	t.Helper()
	if errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EPERM) {
		Missing(t, "%s, which needs root: %v: %s", what, err, userNamespaceHow())
	}
}

// userNamespaceHow says how to run the tests that need root of a namespace: as root, or as a user
// the kernel lets make a user namespace, and why this run is in none.
func userNamespaceHow() string {
	var b strings.Builder
	b.WriteString("run the tests as root, or as a user allowed to make user namespaces (sysctl " +
		"kernel.unprivileged_userns_clone=1; on Ubuntu kernel.apparmor_restrict_unprivileged_userns=0): " +
		"the tests of a package whose TestMain calls testnet.EnterUserNamespace then run as root of one of their own")
	if why := os.Getenv(usernsEnv); strings.HasPrefix(why, usernsFailed) {
		b.WriteString(" (" + why + ")")
	}
	return b.String()
}

// StartWithFileModes starts cmd in a user namespace of its own that maps no user: there no capability
// overrides a file's mode (CAP_DAC_OVERRIDE applies only to files of the users a namespace maps), so that
// a file of mode 000 is unreadable to it even when the test runs as root. It skips (fails under
// RequireEnv) where user namespaces are not allowed.
func StartWithFileModes(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Cloneflags |= syscall.CLONE_NEWUSER
	err := cmd.Start()
	if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOSPC) ||
		errors.Is(err, syscall.EACCES) {
		Missing(t, "needs a user namespace, to run %s where root's powers over files do not apply: %v: %s",
			filepath.Base(cmd.Path), err, userNamespaceHow())
	}
	if err != nil {
		t.Fatalf("starting %s: %v", cmd.Path, err)
	}
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode()&0o111 != 0
}

// HangGuard is how long a test waits for something that must happen (a server to listen, a process to
// end, a call to return) before it fails it as hung. It is far above what any of it takes on a loaded
// machine, so that it decides nothing but a hang: it is no timing claim, and those live in benchmarks
// (TESTING.md).
const HangGuard = 2 * time.Minute

// Returns runs f and waits for it to return; if it has not within HangGuard, the test fails as hung
// (f's goroutine is left behind). what names f in the failure.
func Returns(t testing.TB, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	Await(t, done, what)
}

// Await receives from ch (the zero value once it is closed) and returns what it received; if nothing
// comes within HangGuard, the test fails as hung. what names the event waited for.
func Await[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	timer := time.NewTimer(HangGuard)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("hung: %s did not happen within %v", what, HangGuard)
	}
	var zero T
	return zero
}
