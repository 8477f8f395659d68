package testnet

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// ProductOptions shape a proxy product started by a test.
type ProductOptions struct {
	// Hosts maps names to the IP address the product resolves them to (its hosts file, or a private mount
	// namespace's /etc/hosts). Names not in Hosts do not resolve (NXDOMAIN from a loopback test DNS
	// server).
	Hosts map[string]string
	// Block lists host names the product refuses by its own policy (ACL, filter, block list).
	Block []string
	// Users requires Basic proxy authentication with these user → password pairs, for the products that
	// support it (tinyproxy, apache2; squid has SquidOptions.Users).
	Users map[string]string
	// CA re-signs TLS, for the inspecting products (mitmproxy, and nginx and haproxy terminating TLS).
	CA *CA
	// CertNames are more names the certificate of nginx and haproxy terminating TLS covers, beside those
	// of Hosts and Block: names the box cannot resolve, whose failure should show as the box's answer.
	CertNames []string
	// UpstreamCA is the CA the product trusts when it connects to origins over TLS.
	UpstreamCA *CA
	// Lazy sets mitmproxy's connection_strategy=lazy: the TLS handshake with the client completes, and the
	// request inside is read, before mitmproxy connects upstream.
	Lazy bool
}

// Product is a proxy product (or a web server) a test started on loopback; it stops when the test ends.
type Product struct {
	// Name is the product: "mitmproxy", "tinyproxy", "privoxy", "apache2", "dante", "nginx", "haproxy".
	Name string
	// Addr is the host:port it listens on: 127.0.0.1:port for forward proxies and web servers, IP:443 for
	// the TLS-terminating reverse proxies (which also serve plain HTTP on IP:80).
	Addr string
	// Dir holds its configuration and logs.
	Dir string
	// Log returns the product's logs so far (for debugging failing tests).
	Log    func() string
	scheme string
}

// URL returns the proxy URL, with credentials when user is not empty: http://… for the HTTP proxies,
// socks5h://… for dante, https://… for the TLS-terminating reverse proxies.
func (p *Product) URL(user, password string) string {
	if user == "" {
		return p.scheme + "://" + p.Addr
	}
	return p.scheme + "://" + user + ":" + password + "@" + p.Addr
}

// IP is the address part of Addr.
func (p *Product) IP() string {
	h, _, _ := net.SplitHostPort(p.Addr)
	return h
}

// newProduct makes a Product whose Log concatenates the named log files of dir.
func newProduct(name, scheme, addr, dir string, logs ...string) *Product {
	return &Product{Name: name, Addr: addr, Dir: dir, scheme: scheme, Log: func() string {
		var b strings.Builder
		for _, l := range logs {
			data, err := os.ReadFile(filepath.Join(dir, l))
			if err != nil {
				continue
			}
			fmt.Fprintf(&b, "==> %s <==\n%s\n", l, data)
		}
		return b.String()
	}}
}

// prepare is the start of every product: its program (binary, from the Debian package pkg), root (why
// says what for: root of the tests' user namespace is enough, see RequireNamespaceRoot), and a directory
// of its own.
func prepare(t testing.TB, binary, pkg, why string) (bin, dir string) {
	t.Helper()
	bin = RequireBinary(t, binary, pkg)
	RequireNamespaceRoot(t, why)
	return bin, sharedDir(t, "arccheck-"+binary+"-")
}

// prepareDaemon is prepare for a product that, started as root, switches to a user of its own: it also
// returns the arguments that go before its command line (see RequireDaemonUser).
func prepareDaemon(t testing.TB, binary, pkg, why string) (asUser []string, bin, dir string) {
	t.Helper()
	bin = RequireBinary(t, binary, pkg)
	asUser = RequireDaemonUser(t, why)
	return asUser, bin, sharedDir(t, "arccheck-"+binary+"-")
}

// run runs args as the product until the test ends, once it listens on p.Addr: in a private mount
// namespace (see namespaced) where it knows hosts only and any other name is NXDOMAIN. Its output goes
// to p.Dir/output; if it exits at start, p.Dir/startLog says why.
func (p *Product) run(t testing.TB, hosts map[string]string, output, startLog string, args ...string) {
	t.Helper()
	daemon(t, p.Name, p.Addr, filepath.Join(p.Dir, startLog),
		namespaced(t, p.Dir, hosts, loopbackDNS(t, DNSNXDomain), output, args...))
}

// loopbackAddr returns 127.0.0.1:port on a free port.
func loopbackAddr(t testing.TB) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
}

// sinkBlocked returns o.Hosts with the o.Block names mapped to a loopback address of their own where
// nothing listens, for the products (apache2, dante) that match a blocked name by the addresses it
// resolves to as well, and resolve a request's host before they check their block rules: mapped to an
// allowed name's address, a blocked name would block that name too; unresolved, the request would fail
// on DNS before the block rule is reached. The blocked names are never connected to.
func sinkBlocked(o ProductOptions) map[string]string {
	hosts := maps.Clone(o.Hosts)
	if hosts == nil {
		hosts = map[string]string{}
	}
	sink := RandomLoopback()
	for _, n := range o.Block {
		hosts[n] = sink
	}
	return hosts
}

// StartMitmproxy starts mitmdump (package mitmproxy) as a forward proxy (CONNECT and absolute-form
// HTTP) that intercepts TLS, re-signing with o.CA, and verifies origins against o.UpstreamCA. Requests
// for o.Block hosts are answered 403 by its block list (for CONNECT, the request inside the intercepted
// tunnel: mitmproxy's block list does not see the CONNECT itself). o.Lazy selects
// connection_strategy=lazy.
func StartMitmproxy(t testing.TB, o ProductOptions) *Product {
	t.Helper()
	bin, dir := prepare(t, "mitmdump", "mitmproxy", "mitmproxy gets its own /etc/hosts in a private mount namespace")
	if o.CA == nil {
		t.Fatal("StartMitmproxy needs ProductOptions.CA")
	}
	write(t, filepath.Join(dir, "mitmproxy-ca.pem"), string(o.CA.KeyPEM(t))+string(o.CA.PEM))
	addr := loopbackAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	strategy := "eager"
	if o.Lazy {
		strategy = "lazy"
	}
	args := []string{bin, "--listen-host", "127.0.0.1", "--listen-port", port, "--set", "confdir=" + dir,
		"--set", "connection_strategy=" + strategy, "--set", "upstream_cert=true", "--set", "termlog_verbosity=info",
		"--set", "flow_detail=1"}
	if ca := upstreamCAFile(t, dir, o.UpstreamCA); ca != "" {
		args = append(args, "--set", "ssl_verify_upstream_trusted_ca="+ca)
	}
	if len(o.Block) > 0 {
		var f []string
		for _, h := range o.Block {
			f = append(f, "~d "+h)
		}
		args = append(args, "--set", "block_list=/"+strings.Join(f, " | ")+"/403")
	}
	p := newProduct("mitmproxy", "http", addr, dir, "mitmdump.log")
	p.run(t, o.Hosts, "mitmdump.log", "mitmdump.log", args...)
	return p
}

// StartTinyproxy starts tinyproxy (package tinyproxy) as a forward proxy. o.Users requires Basic
// authentication (BasicAuth); o.Block are refused by its domain filter (FilterDefaultDeny No).
func StartTinyproxy(t testing.TB, o ProductOptions) *Product {
	t.Helper()
	asUser, bin, dir := prepareDaemon(t, "tinyproxy", "tinyproxy",
		"tinyproxy gets its own /etc/hosts in a private mount namespace and switches to the user nobody")
	addr := loopbackAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	var c strings.Builder
	fmt.Fprintf(&c, `User nobody
Group nogroup
Port %s
Listen 127.0.0.1
Timeout 30
LogLevel Info
MaxClients 64
ViaProxyName "arccheck-test-tinyproxy"
`, port)
	for _, u := range slices.Sorted(maps.Keys(o.Users)) {
		fmt.Fprintf(&c, "BasicAuth %s %s\n", u, o.Users[u])
	}
	if len(o.Block) > 0 {
		var f strings.Builder
		for _, h := range o.Block {
			fmt.Fprintf(&f, "^%s$\n", strings.ReplaceAll(h, ".", `\.`))
		}
		write(t, filepath.Join(dir, "filter"), f.String())
		fmt.Fprintf(&c, "Filter \"%s/filter\"\nFilterType ere\nFilterDefaultDeny No\n", dir)
	}
	write(t, filepath.Join(dir, "tinyproxy.conf"), c.String())
	p := newProduct("tinyproxy", "http", addr, dir, "tinyproxy.log")
	p.run(t, o.Hosts, "tinyproxy.log", "tinyproxy.log",
		append(asUser, bin, "-d", "-c", filepath.Join(dir, "tinyproxy.conf"))...)
	return p
}

// StartPrivoxy starts privoxy (package privoxy) as a forward proxy; o.Block are refused by an action
// file ({+block{…}}). CONNECT is allowed to any port.
func StartPrivoxy(t testing.TB, o ProductOptions) *Product {
	t.Helper()
	bin, dir := prepare(t, "privoxy", "privoxy", "privoxy gets its own /etc/hosts in a private mount namespace")
	addr := loopbackAddr(t)
	var a strings.Builder
	a.WriteString("{+limit-connect{-}}\n/\n")
	if len(o.Block) > 0 {
		a.WriteString("{+block{blocked by the arccheck test policy}}\n")
		for _, h := range o.Block {
			a.WriteString(h + "\n")
		}
	}
	write(t, filepath.Join(dir, "arccheck.action"), a.String())
	templates := "/etc/privoxy/templates"
	write(t, filepath.Join(dir, "config"), fmt.Sprintf(`confdir %[1]s
templdir %[2]s
logdir %[1]s
logfile privoxy.log
actionsfile arccheck.action
listen-address %[3]s
toggle 1
enable-remote-toggle 0
enable-edit-actions 0
accept-intercepted-requests 0
forwarded-connect-retries 0
socket-timeout 30
debug 1
debug 2
debug 512
debug 4096
debug 8192
`, dir, templates, addr))
	p := newProduct("privoxy", "http", addr, dir, "privoxy.log", "stdout.log")
	p.run(t, o.Hosts, "stdout.log", "privoxy.log", bin, "--no-daemon", filepath.Join(dir, "config"))
	return p
}

// StartApacheProxy starts apache2 (package apache2) as a forward proxy: mod_proxy, mod_proxy_http and
// mod_proxy_connect (AllowCONNECT to any port). o.Users requires Basic authentication on <Proxy "*">;
// o.Block are refused with ProxyBlock; in apache2's hosts file they resolve to an address of their own
// (see sinkBlocked).
func StartApacheProxy(t testing.TB, o ProductOptions) *Product {
	t.Helper()
	asUser, bin, dir := prepareDaemon(t, "apache2", "apache2",
		"apache2 gets its own /etc/hosts in a private mount namespace and switches to the user www-data")
	addr := loopbackAddr(t)
	mods := "/usr/lib/apache2/modules"
	var c strings.Builder
	fmt.Fprintf(&c, `ServerRoot %[1]s
ServerName arccheck-test-apache
PidFile %[1]s/httpd.pid
DefaultRuntimeDir %[1]s
Mutex file:%[1]s default
ErrorLog %[1]s/error.log
LogLevel info proxy:debug proxy_connect:debug
Listen %[2]s
User www-data
Group www-data
`, dir, addr)
	for _, m := range []string{"mpm_event", "authz_core", "authn_core", "authn_file", "auth_basic", "authz_user",
		"proxy", "proxy_http", "proxy_connect"} {
		fmt.Fprintf(&c, "LoadModule %s_module %s/mod_%s.so\n", m, mods, m)
	}
	fmt.Fprintf(&c, `LogFormat "%%h %%u %%t \"%%r\" %%>s %%b" common
CustomLog %[1]s/access.log common
ProxyRequests On
ProxyVia On
AllowCONNECT 1-65535
ProxyTimeout 30
`, dir)
	if len(o.Block) > 0 {
		fmt.Fprintf(&c, "ProxyBlock %s\n", strings.Join(o.Block, " "))
	}
	c.WriteString("<Proxy \"*\">\n")
	if len(o.Users) > 0 {
		var pw strings.Builder
		for _, u := range slices.Sorted(maps.Keys(o.Users)) {
			sum := sha1.Sum([]byte(o.Users[u]))
			fmt.Fprintf(&pw, "%s:{SHA}%s\n", u, base64.StdEncoding.EncodeToString(sum[:]))
		}
		write(t, filepath.Join(dir, "htpasswd"), pw.String())
		fmt.Fprintf(&c, "  AuthType Basic\n  AuthName \"arccheck test\"\n  AuthBasicProvider file\n"+
			"  AuthUserFile %s/htpasswd\n  Require valid-user\n", dir)
	} else {
		c.WriteString("  Require all granted\n")
	}
	c.WriteString("</Proxy>\n")
	write(t, filepath.Join(dir, "httpd.conf"), c.String())
	p := newProduct("apache2", "http", addr, dir, "error.log", "access.log", "stdout.log")
	p.run(t, sinkBlocked(o), "stdout.log", "stdout.log",
		append(asUser, bin, "-X", "-d", dir, "-f", filepath.Join(dir, "httpd.conf"))...)
	return p
}

// StartDante starts danted (package dante-server) as a SOCKS5 server without authentication; o.Block
// are refused by a "socks block" rule; in dante's hosts file they resolve to an address of their own (see
// sinkBlocked).
func StartDante(t testing.TB, o ProductOptions) *Product {
	t.Helper()
	bin, dir := prepare(t, "danted", "dante-server", "danted gets its own /etc/hosts in a private mount namespace")
	unprivileged := "nobody"
	if onlyRootMapped() {
		// Root of the tests' user namespace (see EnterUserNamespace), where nobody does not exist: danted's
		// children stay root of it (danted warns that it is not recommended).
		unprivileged = "root"
	}
	addr := loopbackAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	var c strings.Builder
	fmt.Fprintf(&c, `logoutput: %[1]s/danted.log
debug: 1
internal: 127.0.0.1 port = %[2]s
external: 127.0.0.1
socksmethod: none
clientmethod: none
user.privileged: root
user.unprivileged: %[3]s
client pass {
	from: 127.0.0.0/8 to: 0.0.0.0/0
	log: connect disconnect error
}
`, dir, port, unprivileged)
	for _, h := range o.Block {
		fmt.Fprintf(&c, "socks block {\n\tfrom: 0.0.0.0/0 to: %s\n\tlog: connect error\n}\n", h)
	}
	c.WriteString("socks pass {\n\tfrom: 0.0.0.0/0 to: 0.0.0.0/0\n\tcommand: connect\n\tlog: connect disconnect error\n}\n")
	write(t, filepath.Join(dir, "danted.conf"), c.String())
	p := newProduct("dante", "socks5h", addr, dir, "danted.log", "stdout.log")
	p.run(t, sinkBlocked(o), "stdout.log", "danted.log",
		bin, "-f", filepath.Join(dir, "danted.conf"), "-N", "1", "-p", filepath.Join(dir, "danted.pid"))
	return p
}

// inspectorCert writes one certificate signed by ca for every name of o (Hosts, Block and CertNames) and
// a wildcard for each name's parent domain, so that a name the box cannot resolve still gets a valid
// certificate and the failure shows as the box's answer, as with an inspecting box minting certificates
// on the fly.
func inspectorCert(t testing.TB, path string, o ProductOptions) {
	seen := map[string]bool{}
	var names []string
	add := func(n string) {
		if n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	all := slices.Concat(slices.Sorted(maps.Keys(o.Hosts)), o.Block, o.CertNames)
	for _, n := range all {
		add(n)
	}
	for _, n := range all {
		if i := strings.IndexByte(n, '.'); i > 0 && strings.Contains(n[i+1:], ".") {
			add("*" + n[i:])
		}
	}
	if len(names) == 0 {
		names = []string{"localhost"}
	}
	write(t, path, string(leafPEM(t, o.CA.ValidLeaf(t, names...))))
}

// inspectorIP returns a fresh 127.x.y.z address with ports 443 and 80 free.
func inspectorIP(t testing.TB) string {
	for range 20 {
		ip := RandomLoopback()
		ok := true
		for _, port := range []string{"443", "80"} {
			ln, err := net.Listen("tcp", net.JoinHostPort(ip, port))
			if err != nil {
				ok = false
				break
			}
			ln.Close()
		}
		if ok {
			return ip
		}
	}
	t.Fatal("no free loopback address for ports 443 and 80")
	return ""
}

// startInspector is the start of both inspecting boxes: the program, a fresh IP for ports 443 and 80, a
// loopback DNS server that knows exactly o.Hosts, and the box's certificate (inspector.pem in dir).
func startInspector(t testing.TB, binary string, o ProductOptions) (bin, dir, ip string, dns *DNSServer) {
	t.Helper()
	bin, dir = prepare(t, binary, binary, binary+" listens on port 443")
	if o.CA == nil {
		t.Fatalf("the %s inspector needs ProductOptions.CA", binary)
	}
	records := map[string][]string{}
	for n, a := range o.Hosts {
		records[n] = []string{a}
	}
	inspectorCert(t, filepath.Join(dir, "inspector.pem"), o)
	return bin, dir, inspectorIP(t), NewDNSServer(t, DNSAnswer, records)
}

// nginxConfig is an nginx.conf that runs in the foreground as root, with its pid file, logs and
// temporary files in dir; http is the rest of its http block (the servers).
func nginxConfig(dir, http string) string {
	return fmt.Sprintf(`daemon off;
master_process on;
user root root;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events { worker_connections 128; }
http {
	access_log %[1]s/access.log;
	client_body_temp_path %[1]s/client_body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
%[2]s}
`, dir, http)
}

// startNginx writes conf as dir/nginx.conf and runs nginx with it until the test ends, once it listens
// on addr.
func startNginx(t testing.TB, bin, dir, addr, scheme, conf string) *Product {
	t.Helper()
	write(t, filepath.Join(dir, "nginx.conf"), conf)
	p := newProduct("nginx", scheme, addr, dir, "error.log", "access.log")
	daemon(t, "nginx", addr, filepath.Join(dir, "error.log"),
		exec.Command(bin, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", filepath.Join(dir, "nginx.conf")))
	return p
}

// StartNginxInspector starts nginx (package nginx) as a TLS-inspecting box that clients reach by being
// pointed at it (arccheck's --resolve HOST:443:IP): it terminates TLS 1.2 and 1.3 on a fresh IP:443 with
// a certificate signed by o.CA for the names of o.Hosts, o.Block and o.CertNames (and their parent
// domains' wildcards), and proxies to https://$host (SNI $host, proxy_ssl_verify on against
// o.UpstreamCA), resolving the name through a loopback DNS server that knows exactly o.Hosts. It also
// serves IP:80, proxying to http://$host. Requests for o.Block hosts get "return 403".
func StartNginxInspector(t testing.TB, o ProductOptions) *Product {
	t.Helper()
	bin, dir, ip, dns := startInspector(t, "nginx", o)
	upstream := "proxy_ssl_verify off;"
	if ca := upstreamCAFile(t, dir, o.UpstreamCA); ca != "" {
		upstream = "proxy_ssl_verify on;\n\t\tproxy_ssl_trusted_certificate " + ca + ";"
	}
	var blocked strings.Builder
	for _, h := range o.Block {
		fmt.Fprintf(&blocked, "\t\t%s 1;\n", h)
	}
	// nginx 1.22 offers TLS 1.2 only unless told otherwise, where its ECDSA certificate allows only the
	// ECDHE_ECDSA suites, which the Arc agent does not accept: the inspectors enterprises run speak 1.3.
	return startNginx(t, bin, dir, net.JoinHostPort(ip, "443"), "https", nginxConfig(dir, fmt.Sprintf(`	resolver %[2]s ipv6=off valid=1s;
	resolver_timeout 3s;
	proxy_connect_timeout 5s;
	proxy_read_timeout 30s;
	map $host $blocked {
		default 0;
%[5]s	}
	server {
		listen %[3]s:443 ssl;
		listen %[3]s:80;
		server_name _;
		ssl_protocols TLSv1.2 TLSv1.3;
		ssl_certificate %[1]s/inspector.pem;
		ssl_certificate_key %[1]s/inspector.pem;
		%[4]s
		proxy_ssl_server_name on;
		proxy_ssl_name $host;
		proxy_set_header Host $host;
		location / {
			if ($blocked) {
				return 403;
			}
			proxy_pass $scheme://$host;
		}
	}
`, dir, dns.Addr, ip, upstream, blocked.String())))
}

// StartHAProxyInspector starts haproxy (package haproxy) as the same kind of TLS-inspecting box as
// StartNginxInspector: it terminates TLS on a fresh IP:443 (and plain HTTP on IP:80) with a certificate
// signed by o.CA, resolves the Host header with do-resolve through a loopback DNS server that knows
// exactly o.Hosts, and connects there (port 443 with TLS, "verify required" against o.UpstreamCA and
// SNI from the Host header; port 80 in the clear). o.Block hosts are denied (403); a name that does not
// resolve gets haproxy's 503 page.
func StartHAProxyInspector(t testing.TB, o ProductOptions) *Product {
	t.Helper()
	bin, dir, ip, dns := startInspector(t, "haproxy", o)
	verify := "verify none"
	if ca := upstreamCAFile(t, dir, o.UpstreamCA); ca != "" {
		verify = "verify required ca-file " + ca
	}
	deny := ""
	if len(o.Block) > 0 {
		deny = fmt.Sprintf("\thttp-request deny deny_status 403 if { req.hdr(host),field(1,:),lower -m str %s }\n",
			strings.Join(o.Block, " "))
	}
	write(t, filepath.Join(dir, "haproxy.cfg"), fmt.Sprintf(`global
	log %[1]s/log.sock local0 info
	pidfile %[1]s/haproxy.pid

defaults
	mode http
	log global
	option httplog
	timeout connect 5s
	timeout client 30s
	timeout server 30s
	retries 1

resolvers testdns
	nameserver dns1 %[2]s
	resolve_retries 1
	timeout resolve 1s
	timeout retry 1s
	hold valid 1s
	hold nx 1s
	hold other 1s
	hold refused 1s
	hold timeout 1s
	hold obsolete 1s

frontend inspector
	bind %[3]s:443 ssl crt %[1]s/inspector.pem
	bind %[3]s:80
%[5]s	http-request do-resolve(txn.dstip,testdns,ipv4) req.hdr(host),field(1,:),lower
	http-request deny deny_status 503 if !{ var(txn.dstip) -m found }
	use_backend origin_tls if { ssl_fc }
	default_backend origin_plain

backend origin_tls
	http-request set-dst var(txn.dstip)
	server origin 0.0.0.0:443 ssl %[4]s sni req.hdr(host),field(1,:)

backend origin_plain
	http-request set-dst var(txn.dstip)
	server origin 0.0.0.0:80
`, dir, dns.Addr, ip, verify, deny))
	addr := net.JoinHostPort(ip, "443")
	p := newProduct("haproxy", "https", addr, dir, "haproxy.log", "stdout.log")
	unixgramLog(t, filepath.Join(dir, "log.sock"), filepath.Join(dir, "haproxy.log"))
	cmd := exec.Command("sh", "-c", "exec "+shellQuote(bin)+" -db -f "+shellQuote(filepath.Join(dir, "haproxy.cfg"))+
		" >>"+shellQuote(filepath.Join(dir, "stdout.log"))+" 2>&1")
	daemon(t, "haproxy", addr, filepath.Join(dir, "stdout.log"), cmd)
	return p
}

// unixgramLog receives syslog datagrams on a unix socket and appends them to a file until the test ends.
func unixgramLog(t testing.TB, sock, file string) {
	pc, err := net.ListenPacket("unixgram", sock)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(file, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 8192)
		for {
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			line := strings.TrimRight(string(buf[:n]), "\n")
			f.WriteString(line + "\n")
		}
	}()
	t.Cleanup(func() { pc.Close(); <-done; f.Close() })
}

// StartNginxWebServer starts nginx (package nginx) as a plain web server on 127.0.0.1: it serves a
// static "welcome" index.html and 404s for everything else, as the web server a user mistakenly gives
// as --proxy.
func StartNginxWebServer(t testing.TB) *Product {
	t.Helper()
	bin, dir := prepare(t, "nginx", "nginx", "nginx's master process runs as root")
	if err := os.MkdirAll(filepath.Join(dir, "www"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "www", "index.html"),
		"<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head>\n<body><h1>Welcome to nginx!</h1></body></html>\n")
	addr := loopbackAddr(t)
	return startNginx(t, bin, dir, addr, "http", nginxConfig(dir, fmt.Sprintf(`	default_type text/html;
	server {
		listen %[2]s;
		server_name _;
		root %[1]s/www;
		index index.html;
		location / {
			try_files $uri $uri/ =404;
		}
	}
`, dir, addr)))
}
