package exports

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/report/internal/reporttest"
)

// TestMain runs the package's tests as root of a user and network namespace of their own when the user
// is not root (see testnet.EnterUserNamespace): the lab's ports 443 and 80.
func TestMain(m *testing.M) {
	testnet.EnterUserNamespace()
	os.Exit(m.Run())
}

// exportFormat is one export of `arccheck list`.
type exportFormat struct {
	name, ext string
	write     func(io.Writer, *endpoints.Plan) (Unfilled, error)
}

var (
	allowlistFormat     = exportFormat{"allowlist", "txt", Allowlist}
	csvFormat           = exportFormat{"csv", "csv", CSV}
	squidFormat         = exportFormat{"squid", "acl", Squid}
	azureFirewallFormat = exportFormat{"azure-firewall", "json", AzureFirewall}
)

// exportGoldenSelections are the fixed selections of the golden files: a region with every extension
// and a workspace ID, and an Arc gateway without a region.
var exportGoldenSelections = []struct {
	name string
	sel  endpoints.Selection
}{
	{"westeurope", endpoints.Selection{Location: "westeurope", Extensions: []string{"all"},
		Values: map[string]string{"workspace-id": "0b6c3b5e-1f2a-4c8d-9e7f-123456789abc"}}},
	{"gateway", endpoints.Selection{GatewayURL: "https://contoso.gw.arc.azure.com"}},
}

// exportPlan selects from the embedded catalog on a fixed date, so that golden files do not age.
func exportPlan(t *testing.T, sel endpoints.Selection) *endpoints.Plan {
	t.Helper()
	cat, err := endpoints.Load()
	require.NoError(t, err)
	sel.Now = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	p, err := cat.Select(sel)
	require.NoError(t, err)
	return p
}

// render runs an export and fails the test on a write error.
func (f exportFormat) render(t *testing.T, p *endpoints.Plan) (string, Unfilled) {
	t.Helper()
	var buf bytes.Buffer
	unfilled, err := f.write(&buf, p)
	require.NoError(t, err)
	return buf.String(), unfilled
}

func exportGolden(t *testing.T, f exportFormat) {
	for _, g := range exportGoldenSelections {
		t.Run(g.name, func(t *testing.T) {
			out, unfilled := f.render(t, exportPlan(t, g.sel))
			reporttest.Golden(t, "export-"+f.name+"-"+g.name+"."+f.ext, []byte(out))
			// Every format leaves out the same endpoints.
			reporttest.Golden(t, "export-unfilled-"+g.name+".txt", []byte(strings.Join(unfilled.Lines(), "\n")+"\n"))
		})
	}
}

func TestListAllowlistGolden(t *testing.T)     { exportGolden(t, allowlistFormat) }
func TestListCSVGolden(t *testing.T)           { exportGolden(t, csvFormat) }
func TestListSquidGolden(t *testing.T)         { exportGolden(t, squidFormat) }
func TestListAzureFirewallGolden(t *testing.T) { exportGolden(t, azureFirewallFormat) }

// allExportPlans selects every cloud with every list, mode, region or none, scenario and set of values
// that makes a valid selection.
func allExportPlans(t *testing.T) map[string]*endpoints.Plan {
	t.Helper()
	cat, err := endpoints.Load()
	require.NoError(t, err)
	bases := []endpoints.Selection{{}, {ESU: true}, {Mode: endpoints.ModePrivateLink}, {Mode: endpoints.ModeGateway},
		{GatewayURL: "https://contoso.gw.arc.azure.com"}, {Profile: endpoints.ProfileLegacyPreview}}
	extensions := [][]string{nil, {"all"}}
	for _, s := range endpoints.Scenarios {
		extensions = append(extensions, []string{s})
	}
	values := []map[string]string{nil, {"vault": "contoso-vault"},
		{"workspace-id": "0b6c3b5e-1f2a-4c8d-9e7f-123456789abc", "dce": "contoso-dce"},
		{"workspace-id": "0b6c3b5e-1f2a-4c8d-9e7f-123456789abc", "dce": "contoso-dce", "vault": "contoso-vault"}}
	plans := map[string]*endpoints.Plan{}
	for _, cl := range cat.Clouds {
		locations := []string{"", cl.Regions[0]}
		if len(cl.PreviewRegions) > 0 {
			locations = append(locations, cl.PreviewRegions[0])
		}
		for _, base := range bases {
			for _, loc := range locations {
				for _, ext := range extensions {
					for _, v := range values {
						sel := base
						sel.Cloud, sel.Location, sel.Extensions, sel.Values = cl.Name, loc, ext, v
						if p, err := cat.Select(sel); err == nil {
							plans[fmt.Sprintf("%+v", sel)] = p
						}
					}
				}
			}
		}
	}
	require.Greater(t, len(plans), 200)
	return plans
}

// requiredTargets are the concrete targets of a plan's required endpoints.
func requiredTargets(p *endpoints.Plan) []endpoints.Target {
	var out []endpoints.Target
	for _, ep := range p.Endpoints {
		if ep.Required {
			out = append(out, ep.Targets...)
		}
	}
	return out
}

// checkUnfilled checks that an export leaves out exactly the endpoints it cannot name.
func checkUnfilled(t *testing.T, name string, p *endpoints.Plan, unfilled Unfilled) {
	t.Helper()
	for _, ep := range p.Endpoints {
		host, _, _ := strings.Cut(ep.Pattern, "/")
		left := slices.ContainsFunc(unfilled, func(u UnfilledEndpoint) bool { return u.Pattern == ep.Pattern })
		assert.Equal(t, hasPlaceholder(host) && len(ep.Targets) == 0, left, "%s: %s", name, ep.Pattern)
	}
	for _, u := range unfilled {
		assert.True(t, len(u.Needs) > 0 || u.Discovered, "%s: %s: nothing says what would name it", name, u.Pattern)
	}
}

var allowlistLine = regexp.MustCompile(`^([a-z0-9*.-]+) ([0-9]+) (https|http)$`)

func TestListAllowlistProperties(t *testing.T) {
	for name, p := range allExportPlans(t) {
		out, unfilled := allowlistFormat.render(t, p)
		again, _ := allowlistFormat.render(t, p)
		require.Equal(t, out, again, "%s: not deterministic", name)
		checkUnfilled(t, name, p, unfilled)
		require.False(t, strings.ContainsAny(out, "<[{/"), "%s:\n%s", name, out)
		type rule struct {
			host, scheme string
			port         int
		}
		var rules []rule
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if strings.HasPrefix(line, "# service tag: ") {
				continue
			}
			m := allowlistLine.FindStringSubmatch(line)
			require.NotNil(t, m, "%s: line %q", name, line)
			port, _ := strconv.Atoi(m[2])
			rules = append(rules, rule{m[1], m[3], port})
		}
		require.True(t, slices.IsSortedFunc(rules, func(a, b rule) int {
			return cmp.Or(cmp.Compare(a.host, b.host), cmp.Compare(a.port, b.port), cmp.Compare(a.scheme, b.scheme))
		}), "%s: not sorted", name)
		require.Len(t, slices.Compact(slices.Clone(rules)), len(rules), "%s: duplicated", name)
		covered := func(host, scheme string, port int) bool {
			return slices.ContainsFunc(rules, func(r rule) bool {
				return r.scheme == scheme && r.port == port && hostMatches(r.host, host)
			})
		}
		for _, tg := range requiredTargets(p) {
			assert.True(t, covered(tg.Host, tg.Scheme, tg.Port), "%s: %s not allowed", name, tg.URL)
		}
		// Every pattern without a placeholder is a rule on each of its ports, wildcards included.
		for _, ep := range p.Endpoints {
			host, _, _ := strings.Cut(ep.Pattern, "/")
			for _, port := range ep.Entry.Ports {
				if !hasPlaceholder(host) {
					assert.Contains(t, rules, rule{host, port.Scheme, port.Number}, "%s: %s", name, ep.Pattern)
				}
			}
		}
	}
}

func TestListCSVProperties(t *testing.T) {
	for name, p := range allExportPlans(t) {
		out, unfilled := csvFormat.render(t, p)
		checkUnfilled(t, name, p, unfilled)
		require.False(t, strings.ContainsAny(out, "<[{"), "%s:\n%s", name, out)
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		require.NoError(t, err, name)
		require.Equal(t, csvHeader, rows[0])
		tags := 0
		for _, row := range rows[1:] {
			if row[10] == csvKindServiceTag {
				tags++
				assert.Empty(t, row[1], name)
				continue
			}
			assert.Equal(t, csvKindEndpoint, row[10], name)
			assert.Contains(t, []string{"true", "false"}, row[3], name)
			assert.Regexp(t, `^[a-z0-9*.-]+$`, row[0], name)
		}
		assert.Equal(t, len(p.ServiceTags), tags, name)
		for _, tg := range requiredTargets(p) {
			assert.True(t, slices.ContainsFunc(rows[1:], func(row []string) bool {
				return row[10] == csvKindEndpoint && row[2] == tg.Scheme && row[1] == strconv.Itoa(tg.Port) &&
					row[3] == "true" && hostMatches(row[0], tg.Host)
			}), "%s: %s not allowed", name, tg.URL)
		}
	}
}

// squidLine is a squid dstdomain entry: a name, or .name for the name and every name under it.
var squidLine = regexp.MustCompile(`^\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)

// squidMatches reports whether a squid dstdomain entry matches a host name.
func squidMatches(entry, host string) bool {
	if domain, sub := strings.CutPrefix(entry, "."); sub {
		return host == domain || strings.HasSuffix(host, entry)
	}
	return host == entry
}

func TestListSquidProperties(t *testing.T) {
	for name, p := range allExportPlans(t) {
		out, unfilled := squidFormat.render(t, p)
		checkUnfilled(t, name, p, unfilled)
		require.False(t, strings.ContainsAny(out, "<[{"), "%s:\n%s", name, out)
		var entries []string
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if !strings.HasPrefix(line, "#") {
				require.Regexp(t, squidLine, line, name)
				entries = append(entries, line)
			}
		}
		for i, a := range entries {
			for j, b := range entries {
				// squid refuses an entry that another one covers.
				assert.False(t, i != j && squidMatches(a, strings.TrimPrefix(b, ".")), "%s: %s covers %s", name, a, b)
			}
		}
		allowed := func(host string) bool {
			return slices.ContainsFunc(entries, func(e string) bool { return squidMatches(e, host) })
		}
		for _, tg := range requiredTargets(p) {
			assert.True(t, allowed(tg.Host), "%s: %s not allowed", name, tg.URL)
		}
		rules, _ := exportRules(p)
		for _, r := range rules {
			// A wildcard's names are allowed too: try one.
			assert.True(t, allowed(strings.ReplaceAll(r.host, "*", "x1")), "%s: %s not allowed", name, r.host)
		}
	}
}

// azureFirewallFQDN is a target FQDN Azure Firewall takes: a name, with * only at its start.
var azureFirewallName = regexp.MustCompile(`^\*?[a-z0-9-]*(\.[a-z0-9-]+)+$`)

func TestListAzureFirewallProperties(t *testing.T) {
	for name, p := range allExportPlans(t) {
		out, unfilled := azureFirewallFormat.render(t, p)
		checkUnfilled(t, name, p, unfilled)
		var c azureFirewallCollection
		dec := json.NewDecoder(strings.NewReader(out))
		dec.DisallowUnknownFields()
		require.NoError(t, dec.Decode(&c), name)
		assert.Equal(t, "Allow", c.Properties.Action.Type, name)
		var names []string
		for _, r := range c.Properties.Rules {
			require.Len(t, r.Protocols, 1, name)
			assert.Contains(t, []string{"Http", "Https"}, r.Protocols[0].ProtocolType, name)
			assert.NotContains(t, names, r.Name, "%s: rule names must be unique", name)
			names = append(names, r.Name)
			assert.True(t, slices.IsSorted(r.TargetFqdns), name)
			for _, fqdn := range r.TargetFqdns {
				assert.Regexp(t, azureFirewallName, fqdn, name)
			}
			assert.False(t, strings.ContainsAny(r.Description+strings.Join(r.TargetFqdns, ""), "<[{"), name)
		}
		for _, tg := range requiredTargets(p) {
			assert.True(t, slices.ContainsFunc(c.Properties.Rules, func(r azureFirewallRule) bool {
				return strings.EqualFold(r.Protocols[0].ProtocolType, tg.Scheme) && r.Protocols[0].Port == tg.Port &&
					slices.ContainsFunc(r.TargetFqdns, func(f string) bool { return hostMatches(f, tg.Host) })
			}), "%s: %s not allowed", name, tg.URL)
		}
	}
}

func TestUnfilledLines(t *testing.T) {
	u := Unfilled{}.
		add(UnfilledEndpoint{Pattern: "<region>.his.arc.azure.com", Needs: []string{"-l/--location"}, Discovered: true, Required: true}).
		add(UnfilledEndpoint{Pattern: "<vault>.vault.azure.net", Needs: []string{"--set vault=VALUE"}}).
		add(UnfilledEndpoint{Pattern: "<vault>.vault.azure.net", Needs: []string{"--set vault=VALUE"}, Required: true})
	assert.Equal(t, []string{
		"not exported: <region>.his.arc.azure.com (required): its host is found at run time: give -l/--location and run arccheck check",
		"not exported: <vault>.vault.azure.net (required): give --set vault=VALUE to name it",
	}, u.Lines())
}

// TestSquidACLProblemsSeesOverlaps shows the squid check can fail: squid warns about overlapping entries.
func TestSquidACLProblemsSeesOverlaps(t *testing.T) {
	dir := t.TempDir()
	clean, overlap := filepath.Join(dir, "clean.acl"), filepath.Join(dir, "overlap.acl")
	require.NoError(t, os.WriteFile(clean, []byte("# a comment\n.his.arc.azure.com\nmanagement.azure.com\n"), 0o644))
	require.NoError(t, os.WriteFile(overlap, []byte(".azure.com\nmanagement.azure.com\n"), 0o644))
	assert.Empty(t, testnet.SquidACLProblems(t, clean))
	problems := testnet.SquidACLProblems(t, clean, overlap)
	require.NotEmpty(t, problems)
	assert.Contains(t, strings.Join(problems, "\n"), "'management.azure.com' is a subdomain of '.azure.com'")
}

// TestListSquidLoadsIntoSquid loads every distinct squid export into squid's parser: none may draw a warning.
func TestListSquidLoadsIntoSquid(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{} // entries → file
	names := map[string]string{} // file → selection
	for name, p := range allExportPlans(t) {
		out, _ := squidFormat.render(t, p)
		// The comment lines name the selection: load each distinct list of entries once.
		entries := regexp.MustCompile(`(?m)^#.*\n`).ReplaceAllString(out, "")
		if files[entries] != "" {
			continue
		}
		acl := filepath.Join(dir, fmt.Sprintf("%d.acl", len(files)+1))
		require.NoError(t, os.WriteFile(acl, []byte(out), 0o644))
		files[entries], names[acl] = acl, name
	}
	paths := slices.Sorted(maps.Values(files))
	if problems := testnet.SquidACLProblems(t, paths...); len(problems) > 0 {
		for _, acl := range paths { // name the files squid warns about
			assert.Empty(t, testnet.SquidACLProblems(t, acl), names[acl])
		}
		t.Fatalf("squid warns about the exports:\n%s", strings.Join(problems, "\n"))
	}
}

// TestListSquidInSquid runs squid with the export as its allowlist: CONNECT to a listed host (mapped to
// a loopback lab by squid's hosts file) passes, and to any other host is denied.
func TestListSquidInSquid(t *testing.T) {
	out, _ := squidFormat.render(t, exportPlan(t, exportGoldenSelections[0].sel))
	acl := filepath.Join(t.TempDir(), "azure-arc.acl")
	require.NoError(t, os.WriteFile(acl, []byte(out), 0o644))
	lab := testnet.NewLab(t, testnet.LabOptions{})
	cases := []struct {
		host string
		want int
	}{
		{"weu.his.arc.azure.com", http.StatusOK},           // *.his.arc.azure.com
		{"management.azure.com", http.StatusOK},            // a host
		{"azgn1234.servicebus.windows.net", http.StatusOK}, // azgn*.servicebus.windows.net
		{"www.microsoft.com", http.StatusOK},               // www.microsoft.com/pkiops/certs
		{"example.org", http.StatusForbidden},
		{"his.arc.azure.com.example.org", http.StatusForbidden},
	}
	hosts := map[string]string{}
	for _, c := range cases {
		hosts[c.host] = lab.IP
	}
	squid := testnet.StartSquidACL(t, acl, hosts)
	for _, c := range cases {
		assert.Equal(t, c.want, squidConnect(t, squid.Addr, c.host), "CONNECT %s:443", c.host)
	}
	assert.Positive(t, lab.HTTPS.Accepted.Load(), "squid reached the lab")
}

// squidConnect asks the proxy to CONNECT to host:443 and returns its status.
func squidConnect(t *testing.T, proxy, host string) int {
	t.Helper()
	c, err := net.DialTimeout("tcp", proxy, 5*time.Second)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = fmt.Fprintf(c, "CONNECT %s:443 HTTP/1.1\r\nHost: %[1]s:443\r\n\r\n", host)
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: http.MethodConnect})
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// TestExportPathIsHost pins the example of the issue: a URL path is dropped to its host.
func TestExportPathIsHost(t *testing.T) {
	out, _ := allowlistFormat.render(t, exportPlan(t, endpoints.Selection{ESU: true}))
	assert.Contains(t, strings.Split(out, "\n"), "www.microsoft.com 80 http")
	assert.Contains(t, strings.Split(out, "\n"), "www.microsoft.com 443 https")
}

// TestExportPlaceholderWithTargets shows a pattern that still holds a placeholder exported as the
// concrete hosts the plan has for it, and one without targets left out, in every format.
func TestExportPlaceholderWithTargets(t *testing.T) {
	https := []endpoints.Port{{Scheme: "https", Number: 443}}
	named := &endpoints.Entry{Endpoint: "<region>.example.net", When: endpoints.WhenAlways, Ports: https}
	unnamed := &endpoints.Entry{Endpoint: "[Your URL Prefix].example.org", When: endpoints.WhenAlways, Ports: https}
	target, err := endpoints.ParseTarget("https://weu.example.net/path")
	require.NoError(t, err)
	p := &endpoints.Plan{Cloud: &endpoints.Cloud{Name: "AzureCloud"}, Mode: endpoints.ModeDirect, List: "standard",
		Endpoints: []endpoints.Endpoint{
			{Entry: named, Pattern: named.Endpoint, Required: true, Targets: []endpoints.Target{target}},
			{Entry: unnamed, Pattern: unnamed.Endpoint, Required: true},
		}}
	want := Unfilled{{Pattern: "[Your URL Prefix].example.org", Needs: []string{"--gateway-url"}, Required: true}}
	for _, f := range []exportFormat{allowlistFormat, csvFormat, squidFormat, azureFirewallFormat} {
		out, unfilled := f.render(t, p)
		assert.Equal(t, want, unfilled, f.name)
		assert.Contains(t, out, "weu.example.net", f.name)
		assert.NotContains(t, out, "example.org", f.name)
		assert.NotContains(t, out, "<region>", f.name)
	}
	out, _ := allowlistFormat.render(t, p)
	assert.Equal(t, "weu.example.net 443 https\n", out)
}
