package testnet

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// Netns is a network namespace a test created, joined to the test's own namespace by a veth pair. Its
// addresses come from a random /24 of 198.18.0.0/15 (RFC 2544's benchmarking range) and a random IPv6
// unique local /64; the veth routes exactly those prefixes into the namespace, so traffic to them never
// leaves the machine. Servers listen there through Listen, in this process; firewall rules (iptables,
// ip6tables) in the namespace act on the traffic to them as a firewall in front of a server would.
// The namespace and the veth go away when the test ends.
//
// The namespace is held by a process of its own (sleep), not named with ip netns: naming needs /run/netns,
// which only the machine's root may write, while root of the tests' user namespace (see
// EnterUserNamespace) may make a network namespace, the veth and the firewall rules.
type Netns struct {
	// Name names the namespace in messages.
	Name string
	// Host4 and Host6 are the addresses of this side of the veth: where traffic to the namespace comes from.
	Host4, Host6 netip.Addr
	prefix4      netip.Prefix
	prefix6      netip.Prefix
	dev          string
	ns           *os.File // the namespace, /proc/PID/ns/net of the process that holds it
	mu           sync.Mutex
	next         int
}

// NewNetns creates a namespace. It needs root, of the machine or of the tests' user namespace (see
// EnterUserNamespace), and the ip command (iproute2); without them it skips (fails under RequireEnv).
func NewNetns(t testing.TB) *Netns {
	t.Helper()
	RequireNamespaceRoot(t, "a test network namespace is made, with a veth pair to it and firewall rules in it")
	RequireBinary(t, "ip", "iproute2")
	sleep := RequireBinary(t, "sleep", "coreutils")
	id := fmt.Sprintf("%06x", rand.IntN(1<<24))
	n := &Netns{Name: "arccheck-" + id, dev: "arcn" + id, next: 2}
	hostDev := "arch" + id
	for try := 0; ; try++ {
		third := rand.IntN(512) // 198.18.0.0/15 holds 512 /24s
		n.prefix4 = netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 18 + byte(third/256), byte(third % 256), 0}), 24)
		var g [16]byte
		g[0] = 0xfd
		for i := 1; i < 8; i++ {
			g[i] = byte(rand.IntN(256))
		}
		n.prefix6 = netip.PrefixFrom(netip.AddrFrom16(g), 64)
		taken4, _ := exec.Command("ip", "-4", "route", "show", "root", n.prefix4.String()).Output()
		taken6, _ := exec.Command("ip", "-6", "route", "show", "root", n.prefix6.String()).Output()
		if len(taken4)+len(taken6) == 0 || try > 20 {
			break // else someone (another test) routes these prefixes already
		}
	}
	n.Host4, n.Host6 = n.nth4(1), n.nth6(1)
	var err error
	run := func(args ...string) {
		if err != nil {
			return
		}
		if out, e := exec.Command("ip", args...).CombinedOutput(); e != nil {
			err = fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), e, out)
		}
	}
	holder := exec.Command(sleep, "infinity")
	holder.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
	if err := holder.Start(); err != nil {
		t.Fatalf("making the test network namespace: %v", err)
	}
	t.Cleanup(func() {
		exec.Command("ip", "link", "del", hostDev).Run()
		holder.Process.Kill()
		holder.Wait()
	})
	if n.ns, err = os.Open(fmt.Sprintf("/proc/%d/ns/net", holder.Process.Pid)); err != nil {
		t.Fatalf("opening the test network namespace: %v", err)
	}
	t.Cleanup(func() { n.ns.Close() })
	run("link", "add", hostDev, "type", "veth", "peer", "name", n.dev, "netns", strconv.Itoa(holder.Process.Pid))
	run("addr", "add", n.Host4.String()+"/24", "dev", hostDev)
	run("-6", "addr", "add", n.Host6.String()+"/64", "dev", hostDev, "nodad")
	run("link", "set", hostDev, "up")
	if err != nil {
		t.Fatal(err)
	}
	n.IP(t, "link", "set", "lo", "up")
	n.IP(t, "link", "set", n.dev, "up")
	return n
}

func (n *Netns) nth4(i int) netip.Addr {
	b := n.prefix4.Addr().As4()
	b[3] = byte(i)
	return netip.AddrFrom4(b)
}

func (n *Netns) nth6(i int) netip.Addr {
	b := n.prefix6.Addr().As16()
	b[15], b[14] = byte(i), byte(i>>8)
	return netip.AddrFrom16(b)
}

// NewHost gives the namespace a new IPv4 and IPv6 address, as a server of its own would have.
func (n *Netns) NewHost(t testing.TB) (v4, v6 netip.Addr) {
	t.Helper()
	n.mu.Lock()
	i := n.next
	n.next++
	n.mu.Unlock()
	if i > 254 {
		t.Fatal("the test namespace has no address left")
	}
	v4, v6 = n.nth4(i), n.nth6(i)
	n.IP(t, "addr", "add", v4.String()+"/24", "dev", n.dev)
	n.IP(t, "-6", "addr", "add", v6.String()+"/64", "dev", n.dev, "nodad")
	return v4, v6
}

// IP runs the ip command inside the namespace.
func (n *Netns) IP(t testing.TB, args ...string) {
	t.Helper()
	n.Exec(t, append([]string{"ip"}, args...)...)
}

// Iptables adds a firewall rule inside the namespace: iptables for an IPv4 rule, ip6tables when the
// rule names an IPv6 address (-d or -s).
func (n *Netns) Iptables(t testing.TB, args ...string) {
	t.Helper()
	cmd := "iptables"
	for _, a := range args {
		if ap, err := netip.ParseAddr(a); err == nil && ap.Is6() {
			cmd = "ip6tables"
		}
	}
	RequireBinary(t, cmd, "iptables")
	n.Exec(t, append([]string{cmd}, args...)...)
}

// Exec runs a command inside the namespace and fails the test if it fails: it is started from a thread
// that joined the namespace, whose network namespace it inherits.
func (n *Netns) Exec(t testing.TB, args ...string) {
	t.Helper()
	var out []byte
	err := n.do(func() error {
		var err error
		out, err = exec.Command(args[0], args[1:]...).CombinedOutput()
		return err
	})
	if err != nil {
		t.Fatalf("in namespace %s: %s: %v: %s", n.Name, strings.Join(args, " "), err, out)
	}
}

// Listen opens a listener inside the namespace (on one of its addresses); the listener, and every
// connection it accepts, stays in the namespace whichever thread later uses it.
func (n *Netns) Listen(t testing.TB, network, addr string) net.Listener {
	t.Helper()
	var ln net.Listener
	err := n.do(func() error {
		var err error
		ln, err = net.Listen(network, addr)
		return err
	})
	if err != nil {
		t.Fatalf("listen %s in namespace %s: %v", addr, n.Name, err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// Run runs f inside the namespace, on an OS thread that joined it: the sockets f opens (a dial, a
// listener) belong to the namespace. Goroutines f starts run outside it.
func (n *Netns) Run(t testing.TB, f func()) {
	t.Helper()
	if err := n.do(func() error { f(); return nil }); err != nil {
		t.Fatal(err)
	}
}

// do runs f on an OS thread that joined the namespace, then brings the thread back. The thread must not
// die in the namespace: a component started from it (cmd.Start) would get its Pdeathsig. When it cannot
// come back, the goroutine ends locked to it, so that no other goroutine lands in the namespace.
func (n *Netns) do(f func() error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		home, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			done <- err
			return
		}
		defer home.Close()
		if err := unix.Setns(int(n.ns.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			done <- fmt.Errorf("setns: %w", err)
			return
		}
		err = f()
		if back := unix.Setns(int(home.Fd()), unix.CLONE_NEWNET); back != nil {
			done <- fmt.Errorf("leaving namespace %s: %w", n.Name, back)
			return
		}
		runtime.UnlockOSThread()
		done <- err
	}()
	return <-done
}
