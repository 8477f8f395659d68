package report

import (
	"bytes"
	"crypto/tls"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run 'go test ./pkg/report -update' to create it")
	assert.Equal(t, string(want), string(got), "golden file %s differs; review and rerun with -update", path)
}

// sampleReport is a fixed report with one result of each kind the table shows.
func sampleReport(t *testing.T) *check.Report {
	cat, err := endpoints.Load()
	require.NoError(t, err)
	plan, err := cat.Select(endpoints.Selection{Location: "westeurope", Mode: endpoints.ModePrivateLink})
	require.NoError(t, err)
	entry := func(pattern string) *endpoints.Entry {
		for _, ep := range plan.Endpoints {
			if ep.Entry.Endpoint == pattern {
				return ep.Entry
			}
		}
		t.Fatalf("no %s", pattern)
		return nil
	}
	start := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	ip, ap := netip.MustParseAddr, netip.MustParseAddrPort
	system := probe.DNSSource{Kind: probe.SourceSystem}
	leaf := &probe.Certificate{Subject: "CN=management.azure.com", Issuer: "CN=Microsoft Azure RSA TLS Issuing CA 04,O=Microsoft Corporation,C=US",
		IssuerOrganization: []string{"Microsoft Corporation"}, DNSNames: []string{"management.azure.com"},
		NotBefore: start.Add(-24 * time.Hour), NotAfter: start.Add(180 * 24 * time.Hour)}
	ok := probe.Result{Target: probe.Target{Scheme: "https", Host: "management.azure.com", Port: 443}, Reachable: true, Start: start,
		Duration: 41 * time.Millisecond,
		DNS:      &probe.DNSPhase{Source: system, Duration: 3 * time.Millisecond, Addresses: []probe.Address{{IP: ip("4.150.240.10")}}},
		TCP:      &probe.TCPPhase{Duration: 12 * time.Millisecond, Address: ap("4.150.240.10:443"), Attempts: []probe.Attempt{{Address: ap("4.150.240.10:443")}}},
		TLS: &probe.TLSPhase{Duration: 26 * time.Millisecond, Version: tls.VersionTLS13, CipherSuite: tls.TLS_AES_128_GCM_SHA256, Verified: true, Leaf: leaf,
			Intercepted: true, Interceptor: "CN=Corp Inspection CA,O=Contoso"},
		Warnings: []probe.Finding{{Class: probe.ClassTLSIntercepted, Phase: probe.PhaseTLS, Message: "re-signed by CN=Corp Inspection CA,O=Contoso, which this machine trusts: not the endpoint's public chain"}}}
	private := probe.Result{Target: probe.Target{Scheme: "https", Host: "gbl.his.arc.azure.com", Port: 443}, Start: start,
		Duration: 10 * time.Second,
		DNS: &probe.DNSPhase{Source: probe.DNSSource{Kind: probe.SourceServer, Server: ap("10.0.0.4:53")}, Duration: 2 * time.Millisecond,
			Addresses: []probe.Address{{IP: ip("10.1.2.3"), Private: true}}},
		TCP:     &probe.TCPPhase{Duration: 10 * time.Second, Attempts: []probe.Attempt{{Address: ap("10.1.2.3:443"), Error: "dial tcp 10.1.2.3:443: i/o timeout"}}},
		Failure: &probe.Finding{Class: probe.ClassTCPTimeout, Phase: probe.PhaseTCP, Message: "dial tcp 10.1.2.3:443: i/o timeout"}}
	dns := probe.Result{Target: probe.Target{Scheme: "https", Host: "dc.services.visualstudio.com", Port: 443}, Start: start,
		Duration: time.Millisecond / 2, DNS: &probe.DNSPhase{Source: system},
		Failure: &probe.Finding{Class: probe.ClassDNSNotFound, Phase: probe.PhaseDNS, Message: "lookup dc.services.visualstudio.com on 127.0.0.53:53: no such host"}}
	http := probe.Result{Target: probe.Target{Scheme: "http", Host: "www.microsoft.com", Port: 80, Path: "/pkiops/certs"}, Reachable: true,
		Start: start, Duration: 9 * time.Millisecond, DNS: &probe.DNSPhase{Source: probe.DNSSource{Kind: probe.SourceOverride}, Addresses: []probe.Address{{IP: ip("127.0.0.1")}}},
		TCP:  &probe.TCPPhase{Address: ap("127.0.0.1:80"), Attempts: []probe.Attempt{{Address: ap("127.0.0.1:80")}}},
		HTTP: &probe.HTTPPhase{Duration: 5 * time.Millisecond, Status: 200, StatusText: "200 OK"}}
	rep := &check.Report{Start: start, Duration: 10*time.Second + 3*time.Millisecond, Plan: plan,
		Results: []check.Result{
			check.NewResult(private, "*.his.arc.azure.com", entry("*.his.arc.azure.com"), check.OriginCatalog, true),
			check.NewResult(dns, "dc.services.visualstudio.com", entry("dc.services.visualstudio.com"), check.OriginCatalog, false),
			check.NewResult(ok, "management.azure.com", entry("management.azure.com"), check.OriginCatalog, true),
			check.NewResult(http, "http://www.microsoft.com/pkiops/certs", nil, check.OriginUser, true),
		},
		NotTested: []check.NotTested{{Pattern: "*.login.microsoft.com", Reason: "the Entra ID host names under login.microsoft.com are chosen by the service; allow the wildcard", Required: true}},
		Discoveries: []check.Discovery{{Token: endpoints.TokenHISShard, URL: "https://gbl.his.arc.azure.com/discovery?location=westeurope&api-version=1.1-preview",
			Hosts: []string{"weu.his.arc.azure.com"}}},
	}
	return rep
}

func TestCheckTableGolden(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, CheckTable(&buf, sampleReport(t), TableOptions{}))
	golden(t, "check-table.txt", buf.Bytes())
	buf.Reset()
	require.NoError(t, CheckTable(&buf, sampleReport(t), TableOptions{Color: true}))
	golden(t, "check-table-color.txt", buf.Bytes())
}

func TestCheckJSONGolden(t *testing.T) {
	var buf bytes.Buffer
	rep := sampleReport(t)
	sel := NewSelectionJSON(rep.Plan)
	settings := Settings{Selection: &sel, Catalog: "embedded", Endpoints: []string{"http://www.microsoft.com/pkiops/certs"},
		TimeoutMs: 10000, Concurrency: 64, DNSServer: "10.0.0.4", Resolve: []string{}, ProxyBypass: []string{}, PublicRoots: "embedded"}
	require.NoError(t, CheckJSON(&buf, Tool{Name: "arccheck", Version: "v1.0.0"}, Host{OS: "linux", Arch: "amd64", Hostname: "srv01"}, settings, rep))
	golden(t, "check.json", buf.Bytes())
}

func TestSummaryLine(t *testing.T) {
	rep := sampleReport(t)
	assert.Equal(t, "4 endpoints: 2 reachable, 2 unreachable (1 required), 1 warning; 1 not tested. Took 10.0s.", SummaryLine(rep))
	rep.Interrupted = true
	rep.Results[0].Failure.Class = probe.ClassCanceled
	rep.Results[0].Failure.Message = "not started: interrupted (Ctrl-C)"
	assert.Equal(t, "4 endpoints: 2 reachable, 1 unreachable (0 required), 1 not probed (1 required: not started: interrupted (Ctrl-C)), 1 warning; 1 not tested. Took 10.0s. Interrupted.", SummaryLine(rep))
	rep.Results = rep.Results[:1]
	rep.NotTested = nil
	rep.Interrupted = false
	rep.Results[0].Failure.Message = "not started before the run's deadline"
	assert.Equal(t, "1 endpoint: 0 reachable, 0 unreachable (0 required), 1 not probed (1 required: not started before the run's deadline). Took 10.0s.", SummaryLine(rep))
	assert.True(t, rep.Failed(), "a required endpoint not probed fails the run")
}
