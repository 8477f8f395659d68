package testnet

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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
// users: why says what for. The root of the user namespace the tests entered (see EnterUserNamespace) is
// not enough: no other user exists in it, and the machine's files stay the machine's root's. Most tests
// need less: RequireNamespaceRoot, or RequireDaemonUser for a daemon that switches users.
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

// RequireDaemonUser is for a daemon that, started as root, switches to a user of its own (squid to proxy,
// tinyproxy to nobody, apache2 to www-data): it returns the arguments to put before the daemon's command
// line. As the machine's root that is nothing: the daemon starts as root and switches users, as where
// users run it. As root of the tests' user namespace (see EnterUserNamespace), where no other user exists
// to switch to, it is a user namespace nested in it, sharing its network and mount namespaces, in which
// the daemon runs as the user who ran the tests and so switches to no one: unshare --user
// --map-user=UID --map-group=GID --. Not root and in no user namespace, the test skips (fails under
// RequireEnv), saying why: why says what the daemon needs root for.
func RequireDaemonUser(t testing.TB, why string) []string {
	t.Helper()
	RequireNamespaceRoot(t, why)
	if !onlyRootMapped() {
		return nil
	}
	unshare := RequireBinary(t, "unshare", "util-linux")
	if !unshareMapsUsers(unshare) {
		Missing(t, "needs root: %s: in the tests' user namespace it runs in one nested in it, made with "+
			"unshare --map-user, which this unshare lacks (util-linux 2.38 or later has it)", why)
	}
	uid, gid, err := outsideIDs()
	if err != nil {
		Missing(t, "needs root: %s: in the tests' user namespace: %v", why, err)
	}
	return []string{unshare, "--user", "--map-user=" + uid, "--map-group=" + gid, "--"}
}

// unshareHelp is what unshareMapsUsers found, once.
var unshareHelp struct {
	once      sync.Once
	mapsUsers bool
}

// unshareMapsUsers reports whether the unshare program at path has --map-user and --map-group.
func unshareMapsUsers(path string) bool {
	unshareHelp.once.Do(func() {
		out, _ := exec.Command(path, "--help").Output()
		unshareHelp.mapsUsers = bytes.Contains(out, []byte("--map-user")) && bytes.Contains(out, []byte("--map-group"))
	})
	return unshareHelp.mapsUsers
}

// outsideIDs returns the user and group ids that root of this user namespace is outside it: the user who
// ran the tests (see EnterUserNamespace, which maps that one id only).
func outsideIDs() (uid, gid string, err error) {
	read := func(file string) (string, error) {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		f := strings.Fields(string(b))
		if len(f) != 3 || f[0] != "0" || f[1] == "0" || f[2] != "1" {
			return "", fmt.Errorf("%s does not map root alone to another id: %q", file, strings.TrimSpace(string(b)))
		}
		return f[1], nil
	}
	if uid, err = read("/proc/self/uid_map"); err != nil {
		return "", "", err
	}
	gid, err = read("/proc/self/gid_map")
	return uid, gid, err
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
