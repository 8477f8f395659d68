package probe

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProxyDialShortageIsLocal: running out of descriptors while dialling the proxy is local_resources,
// never proxy_unreachable (which sends the user to the proxy team).
func TestProxyDialShortageIsLocal(t *testing.T) {
	px := &Proxy{Scheme: "http", Host: "127.0.0.1:3128"}
	pe := proxyUnreachable(context.Background(), px, fmt.Errorf("dial tcp 127.0.0.1:3128: socket: %w", syscall.EMFILE))
	assert.Equal(t, ClassLocalResources, pe.Class)
	f := pe.finding(context.Background())
	assert.Equal(t, ClassLocalResources, f.Class)
	assert.Equal(t, ShortProcessFiles, f.Shortage, "this process's open-file limit: nothing was sent")
	assert.Equal(t, "http://127.0.0.1:3128", f.Proxy)
	assert.Equal(t, "too many open files", f.Detail)
	pe = proxyUnreachable(context.Background(), px, fmt.Errorf("dial tcp 127.0.0.1:3128: %w", syscall.ECONNREFUSED))
	assert.Equal(t, ClassProxyUnreachable, pe.Class)
}

// TestZonedIPv6TargetIsProbed: an IPv6 literal with a zone is written as a URL the HTTP request can
// parse (the zone as %25, RFC 6874): the probe reaches the server instead of failing before sending.
func TestZonedIPv6TargetIsProbed(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	port := ln.Addr().(*net.TCPAddr).Port
	r := New(Options{Timeout: 5 * time.Second}).Probe(context.Background(), Target{Scheme: "http", Host: "::1%lo", Port: port})
	if r.Failure != nil {
		assert.NotContains(t, factText(r.Failure), "invalid URL escape")
	}
	require.NotNil(t, r.HTTP, "an HTTP answer came")
	assert.Equal(t, http.StatusNoContent, r.HTTP.Status)
}
