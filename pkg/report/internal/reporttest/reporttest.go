// Package reporttest holds what the tests of pkg/report and its sub-packages share: fixed check reports
// (a sample, one with long words, one with hostile text everywhere), golden files, and assertions that
// output is inert, fits a terminal and is valid JUnit. It imports no package of pkg/report but grid, so
// that pkg/report's own tests can use it.
package reporttest

import (
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

// Golden compares got with the golden file testdata/name of the package under test, or rewrites it
// with -update.
func Golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run 'go test -update' on this package to create it")
	assert.Equal(t, string(want), string(got), "golden file %s differs; review and rerun with -update", path)
}

// SampleReport is a fixed report with one result of each kind the table shows.
func SampleReport(t *testing.T) *check.Report {
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
		Warnings: []probe.Finding{{Class: probe.ClassTLSIntercepted, Phase: probe.PhaseTLS, Cause: probe.CauseResigned,
			Facts: probe.Facts{Interceptor: "CN=Corp Inspection CA,O=Contoso"}}}}
	private := probe.Result{Target: probe.Target{Scheme: "https", Host: "gbl.his.arc.azure.com", Port: 443}, Start: start,
		Duration: 10 * time.Second,
		DNS: &probe.DNSPhase{Source: probe.DNSSource{Kind: probe.SourceServer, Server: ap("10.0.0.4:53")}, Duration: 2 * time.Millisecond,
			Addresses: []probe.Address{{IP: ip("10.1.2.3"), Private: true}}},
		TCP:     &probe.TCPPhase{Duration: 10 * time.Second, Attempts: []probe.Attempt{{Address: ap("10.1.2.3:443"), Error: "dial tcp 10.1.2.3:443: i/o timeout"}}},
		Failure: &probe.Finding{Class: probe.ClassTCPTimeout, Phase: probe.PhaseTCP, Facts: probe.Facts{Err: "dial tcp 10.1.2.3:443: i/o timeout", Detail: "i/o timeout"}}}
	dns := probe.Result{Target: probe.Target{Scheme: "https", Host: "dc.services.visualstudio.com", Port: 443}, Start: start,
		Duration: time.Millisecond / 2, DNS: &probe.DNSPhase{Source: system},
		Failure: &probe.Finding{Class: probe.ClassDNSNotFound, Phase: probe.PhaseDNS, Facts: probe.Facts{Err: "lookup dc.services.visualstudio.com on 127.0.0.53:53: no such host", Detail: "no such host"}}}
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

// RegionlessReport is a run where every probed endpoint answered but two required patterns needed a
// region: a regional host, and a discovery call made per region.
func RegionlessReport(t *testing.T) *check.Report {
	rep := SampleReport(t)
	rep.Results = rep.Results[2:] // the reachable rows
	rep.NotTested = []check.NotTested{
		{Pattern: "*.guestconfiguration.azure.com", Required: true, Reason: "needs the server's region to name the regional host",
			Needs: endpoints.FieldLocation},
		{Pattern: "*.his.arc.azure.com", Required: true, Token: endpoints.TokenHISShard, Needs: endpoints.FieldLocation},
		{Pattern: "*.blob.core.windows.net", Reason: "the storage accounts are chosen by the service; allow the wildcard"},
	}
	return rep
}
