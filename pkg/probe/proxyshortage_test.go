package probe

import (
	"context"
	"fmt"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestProxyDialShortageIsLocal: running out of descriptors while dialling the proxy is local_resources,
// never proxy_unreachable (which sends the user to the proxy team).
func TestProxyDialShortageIsLocal(t *testing.T) {
	px := &Proxy{Scheme: "http", Host: "127.0.0.1:3128"}
	pe := proxyUnreachable(context.Background(), px, fmt.Errorf("dial tcp 127.0.0.1:3128: socket: %w", syscall.EMFILE))
	assert.Equal(t, ClassLocalResources, pe.Class)
	assert.Contains(t, pe.Error(), "nothing was sent")
	pe = proxyUnreachable(context.Background(), px, fmt.Errorf("dial tcp 127.0.0.1:3128: %w", syscall.ECONNREFUSED))
	assert.Equal(t, ClassProxyUnreachable, pe.Class)
}
