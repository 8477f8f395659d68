package main

import (
	"encoding/xml"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// TestCheckFormatsFromTheCommandLine: each of check's output formats is chosen by its flag and carries
// the run's verdict: -j (JSON), -o junit, -o markdown, -o prometheus.
func TestCheckFormatsFromTheCommandLine(t *testing.T) {
	ca := testnet.NewCA(t, "Lab Public Root", "DigiCert Inc")
	const host = "formats.example"
	srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.ValidLeaf(t, host)})
	url := "https://" + host + ":" + strconv.Itoa(srv.Port)
	run := func(args ...string) result {
		t.Helper()
		r := runCLI(t, nil, append(append([]string{"check", "--catalog", "none", "--ca-file", ca.WritePEM(t)},
			endpointArgs(host, srv.Port)...), args...)...)
		require.Equal(t, 0, r.code, "%v: %s", args, r.stderr)
		return r
	}

	doc := decodeCheck(t, run("-j"))
	require.Len(t, doc.Results, 1)
	assert.Equal(t, url, doc.Results[0].Endpoint)
	assert.True(t, doc.Results[0].Reachable)

	var suites struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal([]byte(run("-o", "junit").stdout), &suites))
	require.Len(t, suites.Suites, 1)
	require.Len(t, suites.Suites[0].Cases, 1)
	assert.Contains(t, suites.Suites[0].Cases[0].Name, url)
	assert.Nil(t, suites.Suites[0].Cases[0].Failure)

	md := run("-o", "markdown").stdout
	assert.Contains(t, md, "# arccheck: ")
	assert.Contains(t, md, "(1 of 1 endpoint reachable)")
	assert.Contains(t, md, url)

	prom := run("-o", "prometheus").stdout
	assert.Contains(t, prom, "arccheck_run_success 1\n")
	assert.Regexp(t, `arccheck_endpoint_reachable\{[^}]*endpoint="`+regexp.QuoteMeta(url)+`"[^}]*\} 1\n`, prom)
}

// TestCheckHonoursTheListSelectionFlags: check --esu and check --profile probe exactly the endpoints
// list prints for the same flags, not the default set.
func TestCheckHonoursTheListSelectionFlags(t *testing.T) {
	dns := testnet.NewDNSServer(t, testnet.DNSNXDomain, nil)
	def := listJSON(t, "-l", "westeurope")
	for _, extra := range [][]string{{"--esu"}, {"--profile", "legacy-preview"}} {
		list := listJSON(t, append([]string{"-l", "westeurope"}, extra...)...)
		require.NotEqual(t, len(def.Endpoints), len(list.Endpoints), "%v selects another set", extra)
		doc, r := checkJSON(t, nil, append([]string{"-l", "westeurope", "--dns-server", dns.Addr, "--timeout", "3s"}, extra...)...)
		require.Equal(t, exitUnreachable, r.code, r.stderr)
		var probed, listed []string
		for _, res := range doc.Results {
			if !slices.Contains(probed, res.Pattern) { // a pattern may be probed through several hosts
				probed = append(probed, res.Pattern)
			}
		}
		for _, nt := range doc.NotTested { // a pattern may also be partly not tested
			if !slices.Contains(probed, nt.Pattern) {
				probed = append(probed, nt.Pattern)
			}
		}
		for _, ep := range list.Endpoints {
			listed = append(listed, ep.Endpoint)
		}
		assert.ElementsMatch(t, listed, probed, "%v", extra)
	}
}
