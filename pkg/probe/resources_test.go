//go:build linux

package probe

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// childEnv names the test that a re-executed test binary runs as a child: the part of a test that
// changes the whole process (its file-descriptor limit, its mount namespace), which no other test may share.
const childEnv = "ARCCHECK_TEST_CHILD"

// inChild reports whether this process is t's child. Otherwise it runs t again in a child process with
// env and attr, fails t when the child fails, and returns false.
func inChild(t *testing.T, attr *syscall.SysProcAttr, env ...string) bool {
	t.Helper()
	if os.Getenv(childEnv) == t.Name() {
		return true
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v", "-test.timeout=2m")
	cmd.Env = append(append(os.Environ(), env...), childEnv+"="+t.Name())
	if attr == nil {
		attr = &syscall.SysProcAttr{}
	}
	attr.Pdeathsig = syscall.SIGKILL
	cmd.SysProcAttr = attr
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("--- PASS: "+t.Name())) {
		t.Fatalf("the child process failed: %v\n%s", err, out)
	}
	t.Logf("the child process:\n%s", out)
	return false
}

func TestLocalExhaustion(t *testing.T) {
	dial := func(errno error) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("socket", errno)}
	}
	for errno, want := range map[syscall.Errno]bool{syscall.EMFILE: true, syscall.ENFILE: true, syscall.ENOBUFS: true,
		syscall.ENOMEM: true, syscall.ECONNREFUSED: false, syscall.ENETUNREACH: false, syscall.EACCES: false} {
		assert.Equal(t, want, localExhaustion(dial(errno)), "%v", errno)
		if want {
			assert.Equal(t, ClassLocalResources, classifyConn(dial(errno), context.Background(), ClassTCPTimeout), "%v", errno)
			assert.Equal(t, ClassLocalResources, classifyDNS(&net.DNSError{UnwrapErr: dial(errno)}, context.Background()), "%v", errno)
		}
	}
	assert.False(t, localExhaustion(errors.New("too many open files")), "errors are told by their type, never their text")
	// An NXDOMAIN is the server's answer, whatever else ran out meanwhile.
	nx := &net.DNSError{Err: "no such host", Name: "x.example", IsNotFound: true}
	assert.Equal(t, ClassDNSNotFound, classifyDNS(nx, context.Background()))
	d := &dials{shortage: dial(syscall.EMFILE)}
	explained := d.explain(nx)
	assert.Equal(t, ClassDNSNotFound, classifyDNS(explained, context.Background()))
	assert.NotContains(t, explained.Error(), "too many open files")
}

// TestOutOfFileDescriptors: with no descriptor left (ulimit -n reached), a dial and a DNS lookup fail as
// local_resources, never as a refusal or a DNS error. The limit is lowered in a child process.
func TestOutOfFileDescriptors(t *testing.T) {
	if !inChild(t, nil) {
		return
	}
	srv := testnet.HTTPServer(t, "")
	port := int(netip.MustParseAddrPort(srv.Addr).Port())
	dns := testnet.NewDNSServer(t, testnet.DNSAnswer, map[string][]string{"arc.localhost": {"127.0.0.1"}})
	res, err := NewServerResolver(dns.Addr)
	require.NoError(t, err)
	prober := New(Options{Resolver: res, Timeout: 5 * time.Second})
	// Before the limit: the resolver's configuration is read, and both probes pass.
	for _, host := range []string{"127.0.0.1", "arc.localhost"} {
		r := prober.Probe(context.Background(), Target{Scheme: "http", Host: host, Port: port, EvidenceHeaders: evidence})
		require.True(t, r.Reachable, "%s: %+v", host, r.Failure)
	}

	exhaustDescriptors(t)
	r := prober.Probe(context.Background(), Target{Scheme: "http", Host: "127.0.0.1", Port: port, EvidenceHeaders: evidence})
	require.NotNil(t, r.Failure)
	assert.Equal(t, ClassLocalResources, r.Failure.Class, factsJSON(r.Failure))
	assert.Equal(t, PhaseTCP, r.Failure.Phase)
	assert.Contains(t, r.Failure.Err, "too many open files")
	assert.Equal(t, "too many open files", r.Failure.Detail)
	assert.Equal(t, ShortProcessFiles, r.Failure.Shortage, "its open-file limit (ulimit -n)")

	queries := dns.Queries.Load()
	r = prober.Probe(context.Background(), Target{Scheme: "http", Host: "arc.localhost", Port: port, EvidenceHeaders: evidence})
	require.NotNil(t, r.Failure)
	assert.Equal(t, ClassLocalResources, r.Failure.Class, factsJSON(r.Failure))
	assert.Equal(t, PhaseDNS, r.Failure.Phase)
	assert.Equal(t, ShortProcessFiles, r.Failure.Shortage, "its open-file limit (ulimit -n)")
	assert.Equal(t, queries, dns.Queries.Load(), "no query left")

	r = prober.Probe(context.Background(), Target{Scheme: "http", Host: "arc.localhost", Port: port, ExpectPrivateDNS: true, EvidenceHeaders: evidence})
	require.NotNil(t, r.Failure)
	assert.Equal(t, ClassLocalResources, r.Failure.Class, factsJSON(r.Failure))
	assert.Equal(t, PhasePrivateDNS, r.Failure.Phase)

	_, err = res.Lookup(context.Background(), "arc.localhost")
	assert.ErrorIs(t, err, syscall.EMFILE)
}

// exhaustDescriptors lowers the process's descriptor limit to the descriptors open now and opens files
// until none is left; the files close when the test ends, the limit stays (the process is a child).
func exhaustDescriptors(t *testing.T) {
	entries, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	var lim syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim))
	lim.Cur = uint64(len(entries) + 4)
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim))
	for i := 0; ; i++ {
		f, err := os.Open(os.DevNull)
		if err != nil {
			require.ErrorIs(t, err, syscall.EMFILE)
			return
		}
		t.Cleanup(func() { f.Close() })
		require.Less(t, i, int(lim.Cur), "the limit of "+strconv.Itoa(int(lim.Cur))+" descriptors holds")
	}
}
