package testnet

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// usernsEnv tells a test process where it stands with its user namespace: usernsProbe and usernsEnter
// in the processes EnterUserNamespace starts, usernsIn once loopback is up, and usernsFailed followed by
// the reason when the tests run outside one.
const usernsEnv = "ARCCHECK_TEST_USERNS"

const (
	usernsProbe  = "probe"
	usernsEnter  = "enter"
	usernsIn     = "in"
	usernsFailed = "no user namespace: "
)

// EnterUserNamespace runs the package's tests as root of a user namespace of their own, with a network
// namespace of their own, when the user is not root and the kernel allows it: there the tests may listen
// on ports 443, 80 and 53 of 127.x.y.z (the lab, squid's DNS server) and make mount namespaces, and the
// only network is a loopback of their own. Call it first in TestMain. In the process that started the
// tests it runs the test binary again, in the namespaces, and exits with its status; it returns in the
// process that is to run the tests: that one, root's, or, when no namespace can be made, the first
// (the tests that need one then skip, saying why: see Missing).
func EnterUserNamespace() {
	switch state := os.Getenv(usernsEnv); {
	case state == usernsProbe:
		os.Exit(probeNamespace())
	case state == usernsEnter:
		if err := loopbackUp(); err != nil {
			fmt.Fprintf(os.Stderr, "testnet: in the tests' network namespace: %v\n", err)
			os.Exit(1)
		}
		os.Setenv(usernsEnv, usernsIn)
		return
	case state != "", os.Geteuid() == 0:
		return // in the namespace already (or a process of its tests), root, or known to fail
	}
	if err := runProbe(); err != nil {
		os.Setenv(usernsEnv, usernsFailed+err.Error())
		return
	}
	os.Exit(runInNamespace())
}

// onlyRootMapped reports whether this process's user namespace maps one user only, as the one
// EnterUserNamespace makes does (its root is the user who ran the tests): no other user exists there to
// switch to. The machine's namespace maps every id; a container's, a range.
func onlyRootMapped() bool {
	b, err := os.ReadFile("/proc/self/uid_map")
	if err != nil {
		return false
	}
	var mapped uint64
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var inside, outside, count uint64
		if _, err := fmt.Sscan(line, &inside, &outside, &count); err == nil {
			mapped += count
		}
	}
	return mapped == 1
}

// namespacedSelf returns the test binary, run again with the same arguments and state set, as root of a new
// user namespace (this user's id mapped to 0) with a new network namespace.
func namespacedSelf(state string) *exec.Cmd {
	cmd := exec.Command("/proc/self/exe", os.Args[1:]...)
	cmd.Args[0] = os.Args[0]
	cmd.Env = append(os.Environ(), usernsEnv+"="+state)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
		Pdeathsig:   syscall.SIGKILL,
	}
	return cmd
}

// runProbe checks, in a short-lived process, that the namespaces can be made and used: loopback
// brought up, port 443 of a 127.x.y.z address listened on. Where the kernel makes the namespace but
// withholds its powers (as AppArmor's restriction of unprivileged user namespaces does), the probe
// says so instead of every test failing.
func runProbe() error {
	cmd := namespacedSelf(usernsProbe)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// probeNamespace is the probe's side of runProbe.
func probeNamespace() int {
	if err := loopbackUp(); err != nil {
		fmt.Println(err)
		return 1
	}
	ln, err := net.Listen("tcp", RandomLoopback()+":443")
	if err != nil {
		fmt.Println(err)
		return 1
	}
	ln.Close()
	return 0
}

// runInNamespace runs the tests in the namespaces, passes on the signals this process gets (go test's
// SIGQUIT at its timeout, Ctrl-C) and returns their exit status.
func runInNamespace() int {
	runtime.LockOSThread() // Pdeathsig follows the thread that started the child: keep it alive
	cmd := namespacedSelf(usernsEnter)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGQUIT, syscall.SIGHUP)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "testnet: running the tests in a user namespace: %v\n", err)
		return 1
	}
	go func() {
		for s := range signals {
			cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		return exit.ExitCode()
	}
	fmt.Fprintf(os.Stderr, "testnet: the tests in the user namespace: %v\n", err)
	return 1
}

// loopbackUp brings up the loopback interface of a new network namespace, where it starts down: up, it
// holds 127.0.0.0/8 and ::1.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("bringing loopback up: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return fmt.Errorf("bringing loopback up: %w", err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bringing loopback up: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bringing loopback up: %w", err)
	}
	return nil
}
