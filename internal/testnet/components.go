package testnet

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// sharedDir makes a temporary directory that an unprivileged daemon (squid runs as "proxy") can use.
func sharedDir(t testing.TB, prefix string) string {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o777)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// daemon runs a program until the test ends and waits until it listens on addr. It returns a function
// that kills it (and its children) at once, as a crash would, and waits for it to go.
func daemon(t testing.TB, name string, addr string, logFile string, cmd *exec.Cmd) (kill func()) {
	t.Helper()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	var once sync.Once
	kill = func() {
		once.Do(func() {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		})
	}
	t.Cleanup(kill)
	// Its listening port is the readiness signal: tried every 20 ms until it answers, the program
	// exits, or HangGuard passes.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	guard := time.NewTimer(HangGuard)
	defer guard.Stop()
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return kill
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(logFile)
			t.Fatalf("%s exited at start: %s\n%s", name, out.String(), tail(string(log), 20))
		case <-guard.C:
			t.Fatalf("hung: %s did not listen on %s within %v: %s", name, addr, HangGuard, out.String())
		case <-tick.C:
		}
	}
}

// LogOnFailure logs the last lines of log() under name when the test has failed by its end: a
// component's logs, for the failures only they explain.
func LogOnFailure(t testing.TB, name string, log func() string) {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s log:\n%s", name, tail(log(), 60))
		}
	})
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// RandomLoopback returns a random 127.x.y.z address (never 127.0.0.x).
func RandomLoopback() string {
	return fmt.Sprintf("127.%d.%d.%d", 1+rand.IntN(250), rand.IntN(256), 1+rand.IntN(250))
}

// SquidOptions shape a squid proxy.
type SquidOptions struct {
	// Allow lists the dstdomain entries CONNECT may reach (".his.arc.azure.com", "management.azure.com");
	// empty allows every destination.
	Allow []string
	// Users requires Basic authentication (basic_ncsa_auth) with these user → password pairs.
	Users map[string]string
	// Hosts is squid's hosts_file: name → address. Names not in it fail to resolve (NXDOMAIN).
	Hosts map[string]string
	// Bump, if set, makes squid intercept TLS (ssl_bump) and re-sign every certificate with this CA.
	Bump *CA
	// BumpMode, with Bump, is when squid bumps; the zero value peeks at the client's hello, then bumps.
	BumpMode SquidBumpMode
	// UpstreamCA is the CA squid trusts for the servers behind it when bumping.
	UpstreamCA *CA
	// DenyBumped, with Bump, lets every CONNECT through and denies the requests inside the bumped tunnel,
	// so that squid answers them with its own error page (ERR_ACCESS_DENIED).
	DenyBumped bool
	// TLS, if set, makes squid an https:// proxy (https_port) with a certificate for 127.0.0.1 from this CA.
	TLS *CA
	// DNS, if set, is the DNS server squid asks (an IP address; port 53); otherwise a server that answers
	// NXDOMAIN to everything.
	DNS string
}

// SquidBumpMode is when squid bumps (intercepts) the TLS of a CONNECT tunnel, relative to its
// connection to the server.
type SquidBumpMode int

// The bumping modes of squid.
const (
	// SquidBumpPeek peeks at the client's hello (step 1), then bumps: squid connects to the server
	// before it completes the handshake with the client.
	SquidBumpPeek SquidBumpMode = iota
	// SquidBumpClientFirst bumps at step 1: the handshake with the client completes before squid
	// connects to the server.
	SquidBumpClientFirst
	// SquidBumpServerFirst peeks at step 1, stares at step 2 (the server's hello) and bumps at step 3,
	// with the server's certificate in hand.
	SquidBumpServerFirst
)

// squidBumpRules are the ssl_bump rules of each SquidBumpMode.
var squidBumpRules = [...]string{
	SquidBumpPeek:        "acl step1 at_step SslBump1\nssl_bump peek step1\nssl_bump bump all\n",
	SquidBumpClientFirst: "ssl_bump bump all\n",
	SquidBumpServerFirst: "acl step1 at_step SslBump1\nacl step2 at_step SslBump2\nssl_bump peek step1\n" +
		"ssl_bump stare step2\nssl_bump bump all\n",
}

// Squid is a squid proxy a test started on loopback.
type Squid struct {
	// Addr is the proxy's host:port.
	Addr string
	// Dir holds its configuration and logs.
	Dir   string
	https bool
	kill  func()
}

// Kill stops squid at once (SIGKILL), as a crash would: open connections are torn down.
func (s *Squid) Kill() { s.kill() }

// URL returns the proxy URL, with credentials when user is not empty.
func (s *Squid) URL(user, password string) string {
	scheme := "http://"
	if s.https {
		scheme = "https://"
	}
	if user == "" {
		return scheme + s.Addr
	}
	return scheme + user + ":" + password + "@" + s.Addr
}

// AccessLog returns squid's access log so far.
func (s *Squid) AccessLog() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "access.log"))
	return string(b)
}

// StartSquid starts squid (package squid-openssl) with a generated configuration. Its DNS is a test
// server that answers NXDOMAIN, so that names outside Hosts fail fast and no query leaves loopback.
func StartSquid(t testing.TB, o SquidOptions) *Squid {
	t.Helper()
	bin := RequireBinary(t, "squid", "squid-openssl")
	asUser := RequireDaemonUser(t, "squid switches to the user proxy")
	dir := sharedDir(t, "arccheck-squid-")
	dnsIP := o.DNS
	if dnsIP == "" {
		dnsIP = loopbackDNS(t, DNSNXDomain)
	}
	port := freePort(t)
	s := &Squid{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Dir: dir}

	writeHosts(t, filepath.Join(dir, "hosts"), o.Hosts)
	var c strings.Builder
	listen := "http_port " + s.Addr
	if o.TLS != nil {
		leaf := o.TLS.ValidLeaf(t, "127.0.0.1")
		write(t, filepath.Join(dir, "proxy.pem"), string(leafPEM(t, leaf)))
		listen = "https_port " + s.Addr + " tls-cert=" + filepath.Join(dir, "proxy.pem")
		s.https = true
	}
	if o.Bump != nil {
		listen += " ssl-bump generate-host-certificates=on dynamic_cert_mem_cache_size=4MB tls-cert=" + filepath.Join(dir, "bump.pem")
		c.WriteString(bumpConfig(t, dir, o))
	}
	fmt.Fprintf(&c, `%s
visible_hostname arccheck-test-squid
pid_filename %[2]s/squid.pid
cache_log %[2]s/cache.log
access_log stdio:%[2]s/access.log
cache_store_log none
cache deny all
hosts_file %[2]s/hosts
dns_nameservers %[3]s
dns_timeout 2 seconds
coredump_dir %[2]s
shutdown_lifetime 0 seconds
pinger_enable off
cache_effective_user proxy
acl SSL_ports port 443
acl CONNECT method CONNECT
http_access deny CONNECT !SSL_ports
`, listen, dir, dnsIP)
	if len(o.Users) > 0 {
		var pw strings.Builder
		for u, p := range o.Users {
			sum := md5.Sum([]byte(p)) // basic_ncsa_auth accepts a plain MD5 digest
			fmt.Fprintf(&pw, "%s:%s\n", u, hex.EncodeToString(sum[:]))
		}
		write(t, filepath.Join(dir, "passwd"), pw.String())
		helper := RequireBinary(t, "basic_ncsa_auth", "squid-openssl")
		fmt.Fprintf(&c, "auth_param basic program %s %s/passwd\nauth_param basic realm arccheck test\n"+
			"acl authed proxy_auth REQUIRED\nhttp_access deny !authed\n", helper, dir)
	}
	if o.DenyBumped {
		c.WriteString("http_access allow CONNECT\nhttp_access deny all\n")
	}
	if len(o.Allow) > 0 {
		fmt.Fprintf(&c, "acl allowed dstdomain %s\nhttp_access allow allowed\nhttp_access deny all\n", strings.Join(o.Allow, " "))
	} else {
		c.WriteString("http_access allow all\n")
	}
	conf := filepath.Join(dir, "squid.conf")
	write(t, conf, c.String())
	// A service name of its own (-n): squid names its shared-memory segments (/dev/shm/SERVICE-*) after
	// it, so squids that tests of several packages start at once would otherwise collide ("shm_open …
	// File exists"). The port alone is not enough: the packages whose tests run in user namespaces of
	// their own (see EnterUserNamespace) each have their own ports, and /dev/shm is the machine's.
	// Killed, squid leaves its segments behind: they are removed once it is gone (cleanups run in reverse
	// order, this one after daemon's).
	service := fmt.Sprintf("arccheck%dx%08x", port, rand.Uint32())
	t.Cleanup(func() {
		segments, _ := filepath.Glob("/dev/shm/" + service + "-*")
		for _, f := range segments {
			os.Remove(f)
		}
	})
	args := append(asUser, bin, "-N", "-n", service, "-f", conf)
	s.kill = daemon(t, "squid", s.Addr, filepath.Join(dir, "cache.log"), exec.Command(args[0], args[1:]...))
	return s
}

// writeHosts writes a hosts file (name → address), in a stable order.
func writeHosts(t testing.TB, path string, hosts map[string]string) {
	var b strings.Builder
	for _, n := range slices.Sorted(maps.Keys(hosts)) {
		fmt.Fprintf(&b, "%s %s\n", hosts[n], n)
	}
	write(t, path, b.String())
}

// loopbackDNS starts a DNS server with behaviour b and no records on port 53 of a fresh loopback address
// (resolv.conf and squid's dns_nameservers take no port), and returns that address.
func loopbackDNS(t testing.TB, b DNSBehaviour) string {
	ip := RandomLoopback()
	NewDNSServerAt(t, ip+":53", b, nil)
	return ip
}

// upstreamCAFile writes ca, the CA a product trusts for the origins behind it, to dir and returns the
// file's path; "" when ca is nil.
func upstreamCAFile(t testing.TB, dir string, ca *CA) string {
	if ca == nil {
		return ""
	}
	path := filepath.Join(dir, "upstream-ca.pem")
	write(t, path, string(ca.PEM))
	return path
}

// namespaced returns a command that runs args in a private mount namespace whose /etc/hosts maps hosts
// (name → address, and localhost), whose resolv.conf points at the DNS server at dnsIP (port 53) and
// whose nsswitch.conf resolves names with those two files only, so that the program resolves names with
// the system resolver and no query leaves loopback. Its output goes to dir/logName.
func namespaced(t testing.TB, dir string, hosts map[string]string, dnsIP, logName string, args ...string) *exec.Cmd {
	t.Helper()
	unshare := RequireBinary(t, "unshare", "util-linux")
	hosts = maps.Clone(hosts)
	if hosts == nil {
		hosts = map[string]string{}
	}
	hosts["localhost"] = "127.0.0.1"
	writeHosts(t, filepath.Join(dir, "hosts"), hosts)
	write(t, filepath.Join(dir, "resolv.conf"), "nameserver "+dnsIP+"\noptions timeout:1 attempts:1\n")
	write(t, filepath.Join(dir, "nsswitch.conf"), "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n")
	var script strings.Builder
	for _, f := range []string{"hosts", "resolv.conf", "nsswitch.conf"} {
		fmt.Fprintf(&script, "mount --bind %s /etc/%s && ", shellQuote(filepath.Join(dir, f)), f)
	}
	script.WriteString("exec")
	for _, a := range args {
		script.WriteString(" " + shellQuote(a))
	}
	fmt.Fprintf(&script, " >>%s 2>&1", shellQuote(filepath.Join(dir, logName)))
	return exec.Command(unshare, "--mount", "--propagation", "private", "sh", "-c", script.String())
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// bumpConfig writes the bumping CA and certificate database, and returns squid's ssl_bump settings.
func bumpConfig(t testing.TB, dir string, o SquidOptions) string {
	write(t, filepath.Join(dir, "bump.pem"), string(o.Bump.PEM)+string(o.Bump.KeyPEM(t)))
	certgen := RequireBinary(t, "security_file_certgen", "squid-openssl")
	db := filepath.Join(dir, "ssl_db")
	if out, err := exec.Command(certgen, "-c", "-s", db, "-M", "4MB").CombinedOutput(); err != nil {
		t.Fatalf("security_file_certgen: %v: %s", err, out)
	}
	exec.Command("chown", "-R", "proxy", db).Run()
	var c strings.Builder
	fmt.Fprintf(&c, "sslcrtd_program %s -s %s -M 4MB\nsslcrtd_children 2 startup=1 idle=1\n", certgen, db)
	if ca := upstreamCAFile(t, dir, o.UpstreamCA); ca != "" {
		fmt.Fprintf(&c, "tls_outgoing_options cafile=%s\n", ca)
	}
	c.WriteString(squidBumpRules[o.BumpMode])
	return c.String()
}

func write(t testing.TB, path, data string) {
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// SOCKS is a SOCKS5 server a test started on loopback.
type SOCKS struct {
	// Addr is the server's host:port.
	Addr string
}

// URL returns the proxy URL for scheme (socks5 or socks5h), with credentials when user is not empty.
func (s *SOCKS) URL(scheme, user, password string) string {
	if user == "" {
		return scheme + "://" + s.Addr
	}
	return scheme + "://" + user + ":" + password + "@" + s.Addr
}

// StartSOCKS starts microsocks (package microsocks) on loopback, with optional username/password.
// It runs in a private mount namespace where /etc/hosts maps hosts (name → address) and DNS goes to a
// test server on loopback that answers NXDOMAIN, so that it resolves names like a corporate SOCKS server
// would, without any query leaving the machine.
func StartSOCKS(t testing.TB, hosts map[string]string, user, password string) *SOCKS {
	t.Helper()
	return StartSOCKSWith(t, SOCKSOptions{Hosts: hosts, User: user, Password: password, DNS: DNSNXDomain})
}

// SOCKSOptions shape a microsocks SOCKS5 server.
type SOCKSOptions struct {
	// Hosts is the server's /etc/hosts: name → address.
	Hosts map[string]string
	// User and Password, if User is set, require RFC 1929 username/password authentication.
	User, Password string
	// DNS is how the DNS server asked for names outside Hosts behaves: DNSSilent makes every such lookup
	// hang (for a second, microsocks's resolver timeout); the zero value answers NXDOMAIN.
	DNS DNSBehaviour
	// DNSServer, if set, is the DNS server to ask instead (an IP address; port 53); DNS is then unused.
	DNSServer string
}

// StartSOCKSWith is StartSOCKS with options.
func StartSOCKSWith(t testing.TB, o SOCKSOptions) *SOCKS {
	t.Helper()
	// microsocks runs as whoever starts it: root of the tests' user namespace is enough for its mount
	// namespace.
	bin := RequireBinary(t, "microsocks", "microsocks")
	RequireNamespaceRoot(t, "microsocks gets its own /etc/hosts in a private mount namespace")
	dir := sharedDir(t, "arccheck-microsocks-")
	dnsIP := o.DNSServer
	if dnsIP == "" {
		dnsIP = loopbackDNS(t, o.DNS)
	}
	port := freePort(t)
	s := &SOCKS{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	args := []string{bin, "-i", "127.0.0.1", "-p", strconv.Itoa(port)}
	if o.User != "" {
		args = append(args, "-u", o.User, "-P", o.Password)
	}
	daemon(t, "microsocks", s.Addr, filepath.Join(dir, "microsocks.log"),
		namespaced(t, dir, o.Hosts, dnsIP, "microsocks.log", args...))
	return s
}

// DNSMasq is a dnsmasq server a test started on loopback.
type DNSMasq struct {
	// Addr is the server's ip:port (UDP and TCP).
	Addr string
}

// StartDNSMasq starts dnsmasq (package dnsmasq-base) on a free loopback port, answering records
// (name → addresses; a name covers its subdomains, as dnsmasq's --address does). It has no upstream
// server and reads no system file, so no query leaves loopback; other names are refused.
func StartDNSMasq(t testing.TB, records map[string][]string) *DNSMasq {
	t.Helper()
	bin := RequireBinary(t, "dnsmasq", "dnsmasq-base")
	port := freePort(t)
	d := &DNSMasq{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	dir := sharedDir(t, "arccheck-dnsmasq-")
	args := []string{"--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll",
		"--bind-interfaces", "--listen-address=127.0.0.1", "--port=" + strconv.Itoa(port),
		"--pid-file=" + filepath.Join(dir, "dnsmasq.pid"), "--log-facility=" + filepath.Join(dir, "dnsmasq.log"), "--log-queries"}
	if os.Geteuid() == 0 {
		// As root it would switch to the user nobody and the group dip, which a user namespace the tests
		// entered does not have (nor may it call setgroups): it keeps root's user and group.
		args = append(args, "--user=root", "--group=")
	}
	for _, n := range slices.Sorted(maps.Keys(records)) {
		for _, a := range records[n] {
			args = append(args, "--address=/"+n+"/"+a)
		}
	}
	daemon(t, "dnsmasq", d.Addr, filepath.Join(dir, "dnsmasq.log"), exec.Command(bin, args...))
	return d
}
