package exports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/report/internal/reporttest"
)

// evil is what a hostile peer, agent or report writes (reporttest.Evil).
const evil = reporttest.Evil

// evilPlan is a gateway plan whose gateway prefix is a formula ("=1+2", as a user typed it) and whose
// catalog text is hostile (a --catalog FILE may be): descriptions, notes, service tags, notices.
func evilPlan(t *testing.T) *endpoints.Plan {
	p := exportPlan(t, endpoints.Selection{GatewayURL: "https://contoso.gw.arc.azure.com"})
	p.GatewayURL = "https://=1+2\n" + evil + ".gw.arc.azure.com"
	p.Location = "westeurope" + evil
	p.Endpoints = slices.Clone(p.Endpoints)
	gateway := -1
	for i := range p.Endpoints {
		ep := &p.Endpoints[i]
		e := *ep.Entry // the embedded catalog is shared: change a copy
		e.Description, e.Legacy, e.Notes = "=1+2 "+evil, "-"+evil, []string{"@" + evil}
		ep.Entry = &e
		if slices.ContainsFunc(ep.Targets, func(t endpoints.Target) bool { return t.Host == "contoso.gw.arc.azure.com" }) {
			ep.Pattern = "=1+2.gw.arc.azure.com"
			ep.Targets = []endpoints.Target{{URL: "https://=1+2.gw.arc.azure.com", Scheme: "https", Host: "=1+2.gw.arc.azure.com", Port: 443}}
			gateway = i
		}
	}
	require.GreaterOrEqual(t, gateway, 0, "the gateway list has the gateway's own endpoint")
	p.Endpoints[(gateway+1)%len(p.Endpoints)].Pattern = "x" + evil + ".example" // from a hostile --catalog FILE
	p.ServiceTags = slices.Clone(p.ServiceTags)
	p.ServiceTags = append(p.ServiceTags, endpoints.ServiceTag{Name: "+Tag" + evil, Condition: "when\nevil.example 443 https"})
	p.Notices = append(slices.Clone(p.Notices), endpoints.Notice{Text: evil})
	return p
}

// TestHostileTextNeverReachesARuleFile: no export holds a name that is not a valid host or wildcard
// (the formula prefix is left out and said on stderr), no comment or description holds a line break or
// a control character, and every CSV cell is inert and never a formula.
func TestHostileTextNeverReachesARuleFile(t *testing.T) {
	p := evilPlan(t)
	for _, f := range []exportFormat{allowlistFormat, csvFormat, squidFormat, azureFirewallFormat} {
		out, unfilled := f.render(t, p)
		reporttest.AssertInert(t, f.name, out)
		assert.NotContains(t, out, "=1+2.gw", "%s: the formula host is left out", f.name)
		assert.NotContains(t, out, "\nevil.example 443 https", "%s: a condition cannot add a rule", f.name)
		lines := unfilled.Lines()
		for _, l := range lines {
			reporttest.AssertInert(t, f.name+" unfilled", l)
		}
		assert.Contains(t, lines, "not exported: =1+2.gw.arc.azure.com (required): it is not a valid host name or wildcard; check the value it was made from (--gateway-url, --set, the catalog)", f.name)
		for _, host := range ruleNames(t, f.name, out) {
			assert.True(t, validRuleHost(host), "%s writes %q", f.name, host)
		}
	}

	out, _ := csvFormat.render(t, p)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	for _, row := range rows {
		for _, cell := range row {
			assert.True(t, safetext.IsSafe(cell), "%q", cell)
			if cell != "" {
				assert.NotContains(t, "=+-@\t\r", cell[:1], "a formula: %q", cell)
			}
		}
	}
	assert.True(t, slices.ContainsFunc(rows, func(r []string) bool { return strings.HasPrefix(r[6], "'=1+2 ") }),
		"a description that starts as a formula is neutralised, not dropped")

	var buf bytes.Buffer
	for _, write := range []func() error{
		func() error { return report.ListTable(&buf, p, report.TableOptions{Width: 100}) },
		func() error { return report.ListPlain(&buf, p) },
		func() error { return report.ChangesTable(&buf, p, report.TableOptions{Width: 80}) },
		func() error { return report.ChangesTable(&buf, p, report.TableOptions{}) },
	} {
		buf.Reset()
		require.NoError(t, write())
		reporttest.AssertInert(t, "list", buf.String())
	}
	buf.Reset()
	require.NoError(t, report.ListJSON(&buf, report.Tool{Name: "arccheck", Version: "v1" + evil}, p, map[string]string{evil: evil}, &report.AgentJSON{Path: evil}))
	reporttest.AssertJSONInert(t, "list json", buf.Bytes())
	reporttest.AssertInert(t, "list summary", report.ListSummary(p))
}

// ruleNames are the host names or wildcards a rule file names: the allowlist's first fields, squid's
// entries, Azure Firewall's target FQDNs, the CSV's endpoint hosts.
func ruleNames(t *testing.T, format, out string) []string {
	var names []string
	switch format {
	case "azure-firewall":
		var c azureFirewallCollection
		require.NoError(t, json.Unmarshal([]byte(out), &c))
		for _, r := range c.Properties.Rules {
			names = append(names, r.TargetFqdns...)
		}
	case "csv":
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		require.NoError(t, err)
		for _, r := range rows[1:] {
			if r[len(r)-1] == csvKindEndpoint {
				names = append(names, r[0])
			}
		}
	default:
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if !strings.HasPrefix(l, "#") {
				names = append(names, strings.TrimPrefix(strings.Fields(l)[0], "."))
			}
		}
	}
	require.NotEmpty(t, names, format)
	return names
}
