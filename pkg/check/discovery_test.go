package check

import (
	"context"
	"net/http"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
)

// TestDiscoveredHostStaysTheUsers: a host the user names that discovery also finds is the user's row
// (Origin user, not required by the catalog's pattern), even when the discovery call, which starts
// first, has its answer before the user's endpoint is launched: its hosts join only once every job is.
func TestDiscoveredHostStaysTheUsers(t *testing.T) {
	answered := make(chan struct{})
	var once sync.Once
	lab := testnet.NewLab(t, testnet.LabOptions{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Host == "gbl.his.arc.azure.com" && r.URL.Path == "/discovery":
			w.Write([]byte(`"https://weu.his.arc.azure.com"`))
			once.Do(func() { close(answered) })
		case r.Host == "guestnotificationservice.azure.com":
			w.Write([]byte(`["azgn-westeurope-public-1p-weu-001.servicebus.windows.net"]`))
		default:
			w.Header().Set(testnet.EvidenceHeader, testnet.OriginRequestID)
			w.Write([]byte("ok"))
		}
	})})
	cat, err := endpoints.Load()
	require.NoError(t, err)
	plan, err := cat.Select(endpoints.Selection{Location: "westeurope"})
	require.NoError(t, err)
	user, err := endpoints.ParseTarget("https://weu.his.arc.azure.com")
	require.NoError(t, err)
	prober := probe.New(probe.Options{Timeout: 5 * time.Second, RootCAs: probe.NewRootSet(lab.CA.Cert),
		ReferenceRoots: probe.NewRootSet(lab.CA.Cert), Overrides: probe.Overrides{"*:*": {netip.MustParseAddr(lab.IP)}}})
	var first sync.Once
	rep := Run(context.Background(), Options{Plan: plan, Extra: []endpoints.Target{user}, Prober: prober,
		Queued: func(string) {
			// The jobs wait until the discovery call has its answer, and a while for it to be read.
			first.Do(func() {
				select {
				case <-answered:
					time.Sleep(200 * time.Millisecond)
				case <-time.After(3 * time.Second):
				}
			})
		}})
	var rows []Result
	for _, r := range rep.Results {
		if r.URL() == "https://weu.his.arc.azure.com" {
			rows = append(rows, r)
		}
	}
	require.Len(t, rows, 1, "one row")
	assert.Equal(t, OriginUser, rows[0].Origin)
	assert.True(t, rows[0].Reachable, "%+v", rows[0].Failure)
}
