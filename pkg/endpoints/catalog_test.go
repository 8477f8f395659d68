package endpoints

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustLoad(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	require.NoError(t, err)
	return c
}

func patterns(p *Plan) []string {
	var out []string
	for _, ep := range p.Endpoints {
		out = append(out, ep.Entry.Endpoint)
	}
	sort.Strings(out)
	return out
}

func sorted(s ...string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	return out
}

// The expected lists below are copied by hand from the tables they name.
var (
	seed002AzureCloud = []string{"aka.ms", "download.microsoft.com", "packages.microsoft.com", "login.windows.net",
		"login.microsoftonline.com", "pas.windows.net", "management.azure.com", "*.his.arc.azure.com",
		"*.guestconfiguration.azure.com", "guestnotificationservice.azure.com", "*.guestnotificationservice.azure.com",
		"azgn*.servicebus.windows.net", "*.servicebus.windows.net", "*.waconazure.com", "*.blob.core.windows.net",
		"dc.services.visualstudio.com", "*.<region>.arcdataservices.com", "www.microsoft.com/pkiops/certs"}
	currentAzureCloudAdditions = []string{"*.login.microsoft.com", "dls.microsoft.com", "san-af-<region>-prod.azurewebsites.net"}
	seed002Government          = []string{"aka.ms", "download.microsoft.com", "packages.microsoft.com", "login.microsoftonline.us",
		"pasff.usgovcloudapi.net", "management.usgovcloudapi.net", "*.his.arc.azure.us", "*.guestconfiguration.azure.us",
		"*.blob.core.usgovcloudapi.net", "dc.applicationinsights.us", "www.microsoft.com/pkiops/certs"}
	// Seeds 001 and 002 agree on all rows but the partner endpoint; the union holds both spellings.
	vianetUnion = []string{"aka.ms", "download.microsoft.com", "packages.microsoft.com", "login.chinacloudapi.cn",
		"login.partner.microsoftonline.cn", "login.partner.chinacloudapi.cn", "pas.chinacloudapi.cn",
		"management.chinacloudapi.cn", "*.his.arc.azure.cn", "*.guestconfiguration.azure.cn",
		"guestnotificationservice.azure.cn", "*.guestnotificationservice.azure.cn", "azgn*.servicebus.chinacloudapi.cn",
		"*.servicebus.chinacloudapi.cn", "*.blob.core.chinacloudapi.cn", "dc.applicationinsights.azure.cn"}
	esuAzureCloud = []string{"aka.ms", "download.microsoft.com", "login.windows.net", "login.microsoftonline.com",
		"management.azure.com", "*.his.arc.azure.com", "*.guestconfiguration.azure.com", "www.microsoft.com/pkiops/certs"}
	esuGovernment = []string{"aka.ms", "download.microsoft.com", "login.microsoftonline.us", "management.usgovcloudapi.net",
		"*.his.arc.azure.us", "*.guestconfiguration.azure.us", "www.microsoft.com/pkiops/certs"}
	esuVianet = []string{"aka.ms", "download.microsoft.com", "login.chinacloudapi.cn", "login.partner.microsoftonline.cn",
		"management.chinacloudapi.cn", "*.his.arc.azure.cn", "*.guestconfiguration.azure.cn", "www.microsoft.com/pkiops/certs"}
	gatewayList = []string{"[Your URL Prefix].gw.arc.azure.com", "management.azure.com", "login.microsoftonline.com",
		"gbl.his.arc.azure.com", "<region>.his.arc.azure.com", "packages.microsoft.com", "download.microsoft.com",
		"<region>.login.microsoft.com"}
	legacyPreview = []string{"management.azure.com", "login.windows.net", "dc.services.visualstudio.com",
		"agentserviceapi.azure-automation.net", "*-agentservice-prod-1.azure-automation.net",
		"*.his.hybridcompute.azure-automation.net"}
)

func TestSelectionsMatchTheDocumentedTables(t *testing.T) {
	c := mustLoad(t)
	cases := []struct {
		name string
		sel  Selection
		want []string
	}{
		// The tables the 2026 documentation changed (all scenarios, the public ESU subset) are in
		// catalog2026_test.go, as the seed tables plus the 2026 rows.
		{"21vianet, the seed tables' scenarios", Selection{Cloud: "AzureChinaCloud", Extensions: []string{"ssh", "wac"}}, vianetUnion},
		{"esu government", Selection{Cloud: "usgov", ESU: true}, esuGovernment},
		{"esu 21vianet", Selection{Cloud: "china", ESU: true}, esuVianet},
		{"gateway", Selection{Mode: ModeGateway}, gatewayList},
		{"legacy preview", Selection{Profile: ProfileLegacyPreview}, legacyPreview},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := c.Select(tc.sel)
			require.NoError(t, err)
			assert.Equal(t, sorted(tc.want...), patterns(p))
		})
	}
}

func TestDefaultSelectionLeavesOutScenarioEndpoints(t *testing.T) {
	p, err := mustLoad(t).Select(Selection{})
	require.NoError(t, err)
	got := patterns(p)
	assert.Len(t, got, 16, "seed 002's rows, the 2025 additions, and the machine configuration storage of 2026")
	for _, scenarioOnly := range []string{"*.servicebus.windows.net", "*.waconazure.com", "*.<region>.arcdataservices.com",
		"www.microsoft.com/pkiops/certs", "dls.microsoft.com", "san-af-<region>-prod.azurewebsites.net"} {
		assert.NotContains(t, got, scenarioOnly)
	}
	p, err = mustLoad(t).Select(Selection{Extensions: []string{"SSH"}})
	require.NoError(t, err)
	assert.Contains(t, patterns(p), "*.servicebus.windows.net")
	assert.NotContains(t, patterns(p), "*.waconazure.com")
}

func TestPrivateLinkModeLeavesOutEndpointsNotUsed(t *testing.T) {
	p, err := mustLoad(t).Select(Selection{Mode: ModePrivateLink})
	require.NoError(t, err)
	assert.NotContains(t, patterns(p), "*.blob.core.windows.net")
	require.Len(t, p.Excluded, 2)
	assert.Equal(t, "*.blob.core.windows.net", p.Excluded[0].Entry.Endpoint)
	assert.Equal(t, "oaasguestconfig*.blob.core.windows.net", p.Excluded[1].Entry.Endpoint)
	assert.Equal(t, "not used when private link is configured", p.Excluded[0].Reason)
}

// TestEveryEntryIsTraceable: every row, service tag and notice names a Microsoft page a person can open:
// a title and an https address on a Microsoft documentation site, and the table or section of it.
func TestEveryEntryIsTraceable(t *testing.T) {
	microsoft := []string{"learn.microsoft.com", "docs.azure.cn"} // the latter: Azure operated by 21Vianet's docs
	check := func(what string, sources []Source) {
		t.Helper()
		require.NotEmpty(t, sources, what)
		for _, s := range sources {
			require.NotNil(t, s.Page, what)
			assert.NotEmpty(t, s.Page.Title, what)
			assert.NotEmpty(t, s.Table, what)
			u, err := url.Parse(s.Page.URL)
			require.NoError(t, err, what)
			assert.Equal(t, "https", u.Scheme, what)
			assert.Contains(t, microsoft, u.Host, "%s: %s", what, s.Page.URL)
			if s.Page.Revision != "" {
				assert.True(t, strings.HasPrefix(s.Page.Revision, "https://github.com/MicrosoftDocs/"), "%s: %s", what, s.Page.Revision)
			}
		}
	}
	for _, cl := range mustLoad(t).Clouds {
		assert.NotEmpty(t, cl.ServiceTags, cl.Name)
		for _, e := range cl.Entries {
			check(cl.Name+" "+e.List+" "+e.Endpoint, e.Sources)
		}
		for _, tag := range cl.ServiceTags {
			check(cl.Name+" tag "+tag.Name, tag.Sources)
		}
		for _, n := range cl.Notices {
			check(cl.Name+" notice "+n.Text, n.Sources)
		}
	}
}

// TestEveryPageIsCitedAndDated: the sources table holds no page that no row cites, and every page read in
// git has the date of its version.
func TestEveryPageIsCitedAndDated(t *testing.T) {
	c := mustLoad(t)
	cited := map[*Page]bool{}
	for _, cl := range c.Clouds {
		for _, e := range cl.Entries {
			for _, s := range e.Sources {
				cited[s.Page] = true
			}
		}
		for _, tag := range cl.ServiceTags {
			for _, s := range tag.Sources {
				cited[s.Page] = true
			}
		}
		for _, n := range cl.Notices {
			for _, s := range n.Sources {
				cited[s.Page] = true
			}
		}
	}
	require.NotEmpty(t, c.Pages)
	for _, p := range c.Pages {
		assert.True(t, cited[p], "%s: no row cites page %s", p.Pos, p.ID)
		if p.Revision != "" {
			assert.False(t, p.Date.IsZero(), "%s: page %s has no Date", p.Pos, p.ID)
		}
	}
}

// TestEverySeedRowIsInTheCatalog reads the seed documents themselves (beside the repository, as in CI)
// and checks that every endpoint of every URL table is in the catalog of the right cloud.
func TestEverySeedRowIsInTheCatalog(t *testing.T) {
	dir := filepath.Join("testdata", "seeds")
	c := mustLoad(t)
	has := func(cloud, list, endpoint string) bool {
		cl := c.Cloud(cloud)
		require.NotNil(t, cl, cloud)
		return slices.ContainsFunc(cl.Entries, func(e Entry) bool { return e.List == list && e.Endpoint == endpoint })
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		return string(b)
	}
	// Seed 002: markdown tables, one per tab; the endpoints are the backticked names of the first column.
	s002 := read("002_13d341821de41fb0.txt")
	tabs := map[string]string{"azure-cloud": "AzureCloud", "azure-government": "AzureUSGovernment", "azure-china": "AzureChinaCloud"}
	row := regexp.MustCompile("(?m)^\\|\\s*(`[^|]+)\\|")
	tick := regexp.MustCompile("`([^`]+)`")
	count := 0
	for _, part := range strings.Split(s002, "#### ")[1:] {
		var cloud string
		for anchor, name := range tabs {
			if strings.Contains(part, "(#tab/"+anchor+")") {
				cloud = name
			}
		}
		require.NotEmpty(t, cloud, "unrecognised tab in seed 002")
		for _, m := range row.FindAllStringSubmatch(part, -1) {
			for _, ep := range tick.FindAllStringSubmatch(m[1], -1) {
				count++
				assert.True(t, has(cloud, "standard", ep[1]), "seed 002 %s row %q missing", cloud, ep[1])
			}
		}
	}
	assert.Equal(t, 18+11+15, count, "seed 002 endpoints read") // 17+11+14 rows; each notification row names two
	// Seed 001: plain text tables; an endpoint line ends with " |" and is followed by its description.
	s001 := read("001_6c84d4827c88e6ac.txt")
	full, esu, ok := strings.Cut(s001, "Subset of endpoints for ESU only")
	require.True(t, ok)
	line := regexp.MustCompile(`(?m)^([a-z*][^ |]*(?: , [^ |]+)?) \|$`)
	for list, text := range map[string]string{"standard": full, "esu": esu} {
		n := 0
		for _, m := range line.FindAllStringSubmatch(text, -1) {
			for _, ep := range strings.Split(m[1], " , ") {
				n++
				assert.True(t, has("AzureChinaCloud", list, ep), "seed 001 %s row %q missing", list, ep)
			}
		}
		assert.NotZero(t, n, list)
	}
	// Seed 000: the gateway table.
	for _, ep := range []string{"[Your URL Prefix].gw.arc.azure.com", "management.azure.com", "login.microsoftonline.com",
		"gbl.his.arc.azure.com", "<region>.his.arc.azure.com", "packages.microsoft.com", "download.microsoft.com"} {
		assert.Contains(t, read("000_81824ce7d8eb1b9c.txt"), "|"+strings.ReplaceAll(ep, "<region>", "\\<region\\>"))
		assert.True(t, has("AzureCloud", "gateway", ep), ep)
	}
	// Seed 003: the preview table.
	for _, ep := range legacyPreview {
		assert.Contains(t, read("003_5560c87bf92d8b2f.txt"), ep)
	}
}

// byPattern indexes a plan's endpoints by their documented pattern.
func byPattern(p *Plan) map[string]Endpoint {
	out := map[string]Endpoint{}
	for _, ep := range p.Endpoints {
		out[ep.Entry.Endpoint] = ep
	}
	return out
}

// endpoint returns the plan's endpoint for a documented pattern, failing the test when there is none.
func endpoint(t *testing.T, p *Plan, pattern string) Endpoint {
	t.Helper()
	ep, ok := byPattern(p)[pattern]
	require.True(t, ok, "%s is not in the plan", pattern)
	return ep
}

func urls(ep Endpoint) []string {
	var out []string
	for _, t := range ep.Targets {
		out = append(out, t.URL)
	}
	return out
}

func TestExpansion(t *testing.T) {
	c := mustLoad(t)
	p, err := c.Select(Selection{Location: "West Europe", Extensions: []string{"all"}})
	require.NoError(t, err)
	assert.Equal(t, "westeurope", p.Location)
	gc := endpoint(t, p, "*.guestconfiguration.azure.com")
	assert.Equal(t, []string{"https://agentserviceapi.guestconfiguration.azure.com", "https://westeurope-gas.guestconfiguration.azure.com"}, urls(gc))
	his := endpoint(t, p, "*.his.arc.azure.com")
	assert.Equal(t, []string{"https://gbl.his.arc.azure.com"}, urls(his))
	require.Len(t, his.Discover, 1)
	assert.Equal(t, "https://gbl.his.arc.azure.com/discovery?location=westeurope&api-version=1.1-preview", his.Discover[0].URL)
	sb := endpoint(t, p, "azgn*.servicebus.windows.net")
	require.Len(t, sb.Discover, 1)
	assert.Equal(t, TokenNotificationHosts, sb.Discover[0].Token)
	pki := endpoint(t, p, "www.microsoft.com/pkiops/certs")
	assert.Equal(t, []string{"http://www.microsoft.com/pkiops/certs", "https://www.microsoft.com/pkiops/certs"}, urls(pki))
	data := endpoint(t, p, "*.<region>.arcdataservices.com")
	assert.Equal(t, "*.westeurope.arcdataservices.com", data.Pattern)
	assert.Equal(t, []string{"https://dataprocessingservice.westeurope.arcdataservices.com",
		"https://telemetry.westeurope.arcdataservices.com"}, urls(data), "the concrete hosts the 2026 documentation names")
	assert.Equal(t, []string{"https://san-af-westeurope-prod.azurewebsites.net"}, urls(endpoint(t, p, "san-af-<region>-prod.azurewebsites.net")))
	assert.False(t, endpoint(t, p, "dc.services.visualstudio.com").Required, "optional")
	assert.False(t, endpoint(t, p, "login.windows.net").Required, "legacy")
	assert.True(t, endpoint(t, p, "management.azure.com").Required)
	assert.Empty(t, endpoint(t, p, "management.azure.com").NotTested)

	// Without a location, regional hosts are not tested and say which part of the selection is missing.
	p, err = c.Select(Selection{})
	require.NoError(t, err)
	gc = endpoint(t, p, "*.guestconfiguration.azure.com")
	assert.Equal(t, []string{"https://agentserviceapi.guestconfiguration.azure.com"}, urls(gc))
	assert.Equal(t, []NotTested{{Reason: "needs the server's region to name the regional host", Needs: FieldLocation}}, gc.NotTested)
	his = endpoint(t, p, "*.his.arc.azure.com")
	require.Len(t, his.Discover, 1)
	assert.Empty(t, his.Discover[0].URL, "the discovery call needs the region")

	// Gateway mode: the gateway URL becomes a target; the shard stays a documented pattern.
	p, err = c.Select(Selection{GatewayURL: "abc.gw.arc.azure.com", Location: "westeurope"})
	require.NoError(t, err)
	assert.Equal(t, ModeGateway, p.Mode)
	assert.Equal(t, "https://abc.gw.arc.azure.com", p.GatewayURL)
	gw := endpoint(t, p, "[Your URL Prefix].gw.arc.azure.com")
	assert.Equal(t, []string{"https://abc.gw.arc.azure.com"}, urls(gw))
	assert.Equal(t, "abc.gw.arc.azure.com", gw.Pattern)
	shard := endpoint(t, p, "<region>.his.arc.azure.com")
	assert.Equal(t, "<region>.his.arc.azure.com", shard.Pattern)
	assert.Len(t, shard.Discover, 1)
	assert.Equal(t, []string{"https://westeurope.login.microsoft.com"}, urls(endpoint(t, p, "<region>.login.microsoft.com")))

	// Gateway mode without the gateway's URL: its host is not tested, and says what is missing.
	p, err = c.Select(Selection{Mode: ModeGateway, Location: "westeurope"})
	require.NoError(t, err)
	gw = endpoint(t, p, "[Your URL Prefix].gw.arc.azure.com")
	assert.Empty(t, gw.Targets)
	assert.Equal(t, "[Your URL Prefix].gw.arc.azure.com", gw.Pattern)
	assert.Contains(t, gw.NotTested, NotTested{Reason: "needs your gateway's URL to name your gateway", Needs: FieldGatewayURL})
}

func TestNotTestedReasonsAreNotRepeated(t *testing.T) {
	p := &Plan{Cloud: &Cloud{}}
	e := &Entry{Endpoint: "*.<region>.example.com", When: WhenAlways, NotTested: "the catalog's reason",
		Targets: []string{"https://a.<region>.example.com", "https://b.<region>.example.com", "https://{gateway}/x", "https://{gateway}/y"}}
	ep := p.expand(e)
	assert.Equal(t, []NotTested{{Reason: "the catalog's reason"}, needsLocation, needsGatewayURL}, ep.NotTested)
	assert.Empty(t, ep.Targets)
}

func TestSelectRejectsBadInput(t *testing.T) {
	c := mustLoad(t)
	govRegions := c.Cloud("AzureUSGovernment").Regions
	cases := []struct {
		name string
		sel  Selection
		want SelectionError
		text string // the whole Error()
	}{
		{"unknown cloud", Selection{Cloud: "mars"},
			SelectionError{Field: FieldCloud, Value: "mars", Reason: "unknown cloud", Valid: []string{"AzureChinaCloud", "AzureCloud", "AzureUSGovernment"}},
			`cloud: unknown cloud "mars" (valid: AzureChinaCloud, AzureCloud, AzureUSGovernment)`},
		{"unknown mode", Selection{Mode: "vpn"},
			SelectionError{Field: FieldMode, Value: "vpn", Reason: "unknown mode", Valid: []string{"direct", "gateway", "private-link"}},
			`mode: unknown mode "vpn" (valid: direct, gateway, private-link)`},
		{"unknown extension", Selection{Extensions: []string{"sql,Foo"}},
			SelectionError{Field: FieldExtensions, Value: "Foo", Reason: "unknown extension", Valid: []string{"sql", "wac", "ssh", "esu", "hotpatch", "ama", "mde", "update", "keyvault", "hrw", "benefits", "payg", "all"}},
			`extensions: unknown extension "Foo" (valid: sql, wac, ssh, esu, hotpatch, ama, mde, update, keyvault, hrw, benefits, payg, all)`},
		{"misspelt region", Selection{Location: "westeurop"},
			SelectionError{Field: FieldLocation, Value: "westeurop", Reason: "unknown AzureCloud region", Valid: c.Cloud("AzureCloud").Regions, Suggest: []string{"westeurope"}},
			`location: unknown AzureCloud region "westeurop" (did you mean westeurope?)`},
		{"region of another cloud", Selection{Cloud: "usgov", Location: "westeurope"},
			SelectionError{Field: FieldLocation, Value: "westeurope", Reason: "is a region of Azure Cloud (AzureCloud), not of AzureUSGovernment",
				Instead: FieldCloud, InsteadValue: "public"},
			`location: "westeurope" is a region of Azure Cloud (AzureCloud), not of AzureUSGovernment: give cloud public`},
		{"region of no cloud", Selection{Cloud: "usgov", Location: "atlantis"},
			SelectionError{Field: FieldLocation, Value: "atlantis", Reason: "unknown AzureUSGovernment region", Valid: govRegions},
			`location: unknown AzureUSGovernment region "atlantis" (valid: ` + strings.Join(govRegions, ", ") + `)`},
		{"region not in the preview", Selection{Profile: ProfileLegacyPreview, Location: "eastus"},
			SelectionError{Field: FieldLocation, Value: "eastus", Reason: "unknown AzureCloud 2019 preview region", Valid: []string{"westus2", "westeurope", "westasia"}},
			`location: unknown AzureCloud 2019 preview region "eastus" (valid: westus2, westeurope, westasia)`},
		{"misspelt preview region", Selection{Profile: ProfileLegacyPreview, Location: "West US"},
			SelectionError{Field: FieldLocation, Value: "West US", Reason: "unknown AzureCloud 2019 preview region", Valid: []string{"westus2", "westeurope", "westasia"}, Suggest: []string{"westus2"}},
			`location: unknown AzureCloud 2019 preview region "West US" (did you mean westus2?)`},
		{"gateway outside AzureCloud", Selection{Cloud: "china", Mode: ModeGateway},
			SelectionError{Field: FieldMode, Value: "gateway", Reason: "the Arc gateway is available in AzureCloud only", With: FieldCloud, WithValue: "AzureChinaCloud"},
			`mode: the Arc gateway is available in AzureCloud only (got "gateway" with cloud "AzureChinaCloud")`},
		{"esu with the gateway", Selection{Mode: ModeGateway, ESU: true},
			SelectionError{Field: FieldESU, Reason: "the ESU-only subset is for direct or private-link connections, not the Arc gateway", With: FieldMode, WithValue: "gateway"},
			`esu: the ESU-only subset is for direct or private-link connections, not the Arc gateway (with mode "gateway")`},
		{"gateway URL in direct mode", Selection{Mode: ModeDirect, GatewayURL: "https://x.gw.arc.azure.com"},
			SelectionError{Field: FieldGatewayURL, Reason: "only used in gateway mode", With: FieldMode, WithValue: "direct"},
			`gateway-url: only used in gateway mode (with mode "direct")`},
		{"gateway URL with a path", Selection{GatewayURL: "http://x.gw.arc.azure.com/path"},
			SelectionError{Field: FieldGatewayURL, Value: "http://x.gw.arc.azure.com/path", Reason: "not a gateway URL", Valid: []string{"https://<prefix>.gw.arc.azure.com"}},
			`gateway-url: not a gateway URL "http://x.gw.arc.azure.com/path" (valid: https://<prefix>.gw.arc.azure.com)`},
		{"gateway URL with a password", Selection{GatewayURL: "http://bob:Secr3t@x.gw.arc.azure.com"},
			SelectionError{Field: FieldGatewayURL, Reason: "user information (user:password@) is not allowed in a gateway URL; remove it (the value is not shown: it may hold a password)", Valid: []string{"https://<prefix>.gw.arc.azure.com"}},
			`gateway-url: user information (user:password@) is not allowed in a gateway URL; remove it (the value is not shown: it may hold a password) (valid: https://<prefix>.gw.arc.azure.com)`},
		{"unparsable gateway URL with a password", Selection{GatewayURL: "https://bob:Secr3t@x.gw.arc.azure.com:bad"},
			SelectionError{Field: FieldGatewayURL, Reason: "user information (user:password@) is not allowed in a gateway URL; remove it (the value is not shown: it may hold a password)", Valid: []string{"https://<prefix>.gw.arc.azure.com"}},
			`gateway-url: user information (user:password@) is not allowed in a gateway URL; remove it (the value is not shown: it may hold a password) (valid: https://<prefix>.gw.arc.azure.com)`},
		{"gateway URL with a percent-encoded password", Selection{GatewayURL: "https://bob:Secr3t%40x.gw.arc.azure.com"},
			SelectionError{Field: FieldGatewayURL, Reason: "user information (user:password@) is not allowed in a gateway URL; remove it (the value is not shown: it may hold a password)", Valid: []string{"https://<prefix>.gw.arc.azure.com"}},
			`gateway-url: user information (user:password@) is not allowed in a gateway URL; remove it (the value is not shown: it may hold a password) (valid: https://<prefix>.gw.arc.azure.com)`},
		{"gateway prefix that is a formula", Selection{GatewayURL: "https://=1+2.gw.arc.azure.com"},
			SelectionError{Field: FieldGatewayURL, Value: "https://=1+2.gw.arc.azure.com", Reason: "not a gateway URL", Valid: []string{"https://<prefix>.gw.arc.azure.com"}},
			`gateway-url: not a gateway URL "https://=1+2.gw.arc.azure.com" (valid: https://<prefix>.gw.arc.azure.com)`},
		{"gateway prefix with control characters", Selection{GatewayURL: "x\x1b[2J.gw.arc.azure.com"},
			SelectionError{Field: FieldGatewayURL, Value: `x\x1b[2J.gw.arc.azure.com`, Reason: "not a gateway URL", Valid: []string{"https://<prefix>.gw.arc.azure.com"}},
			`gateway-url: not a gateway URL "x\\x1b[2J.gw.arc.azure.com" (valid: https://<prefix>.gw.arc.azure.com)`},
		{"unknown profile", Selection{Profile: "old"},
			SelectionError{Field: FieldProfile, Value: "old", Reason: "unknown profile", Valid: []string{"legacy-preview"}},
			`profile: unknown profile "old" (valid: legacy-preview)`},
		{"preview with esu", Selection{Profile: ProfileLegacyPreview, ESU: true},
			SelectionError{Field: FieldProfile, Value: "legacy-preview", Reason: "the 2019 preview had no ESU subset, gateway or private link", With: FieldESU},
			`profile: the 2019 preview had no ESU subset, gateway or private link (got "legacy-preview" with esu)`},
		{"preview with private link", Selection{Profile: ProfileLegacyPreview, Mode: ModePrivateLink},
			SelectionError{Field: FieldProfile, Value: "legacy-preview", Reason: "the 2019 preview had no ESU subset, gateway or private link", With: FieldMode, WithValue: "private-link"},
			`profile: the 2019 preview had no ESU subset, gateway or private link (got "legacy-preview" with mode "private-link")`},
		{"preview outside AzureCloud", Selection{Profile: ProfileLegacyPreview, Cloud: "china"},
			SelectionError{Field: FieldProfile, Value: "legacy-preview", Reason: "the 2019 preview existed only in AzureCloud", With: FieldCloud, WithValue: "AzureChinaCloud"},
			`profile: the 2019 preview existed only in AzureCloud (got "legacy-preview" with cloud "AzureChinaCloud")`},
		{"unknown bypass category", Selection{ProxyBypass: []string{"Arc", "everything"}},
			SelectionError{Field: FieldProxyBypass, Value: "everything", Reason: "unknown category", Valid: []string{"AAD", "ARM", "Arc", "AMA", "ArcData"}},
			`proxy-bypass: unknown category "everything" (valid: AAD, ARM, Arc, AMA, ArcData)`},
		{"bypass with the gateway", Selection{GatewayURL: "x.gw.arc.azure.com", ProxyBypass: []string{"ARM"}},
			SelectionError{Field: FieldProxyBypass, Reason: "the Arc gateway does not support proxy bypass", With: FieldMode, WithValue: "gateway"},
			`proxy-bypass: the Arc gateway does not support proxy bypass (with mode "gateway")`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := c.Select(tc.sel)
			require.Error(t, err)
			assert.Nil(t, p)
			assert.ErrorIs(t, err, ErrBadSelection)
			se, ok := errors.AsType[*SelectionError](err)
			require.True(t, ok, "%T is not a *SelectionError", err)
			assert.Equal(t, tc.want, *se)
			assert.Equal(t, tc.text, err.Error())
			assert.NotContains(t, err.Error(), "--")
			assert.NotContains(t, err.Error(), "Secr3t")
			assert.NotContains(t, err.Error(), "bob")
		})
	}
}

func TestSelectionErrorDoesNotShareCatalogData(t *testing.T) {
	c := mustLoad(t)
	_, err := c.Select(Selection{Location: "narnia"})
	se, ok := errors.AsType[*SelectionError](err)
	require.True(t, ok)
	require.NotEmpty(t, se.Valid)
	first := c.Cloud("AzureCloud").Regions[0]
	se.Valid[0] = "changed"
	assert.Equal(t, first, c.Cloud("AzureCloud").Regions[0], "a caller editing the error must not edit the catalog")
}

func TestProxyBypassAndPrivateExpectations(t *testing.T) {
	p, err := mustLoad(t).Select(Selection{Mode: ModePrivateLink, ProxyBypass: []string{"arc", "AAD"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"Arc", "AAD"}, p.ProxyBypass, "categories are spelt canonically")
	require.NotEmpty(t, p.Endpoints)
	assert.True(t, slices.ContainsFunc(p.Endpoints, func(ep Endpoint) bool { return ep.BypassProxy }), "some endpoint is bypassed")
	assert.True(t, slices.ContainsFunc(p.Endpoints, func(ep Endpoint) bool { return ep.ExpectPrivate }), "some endpoint is private")
	for _, ep := range p.Endpoints {
		assert.Equal(t, ep.Entry.Bypass == "Arc" || ep.Entry.Bypass == "AAD", ep.BypassProxy, ep.Entry.Endpoint)
		assert.Equal(t, ep.Entry.PrivateLink == PrivateLinkPrivate, ep.ExpectPrivate, ep.Entry.Endpoint)
	}
	p, err = mustLoad(t).Select(Selection{})
	require.NoError(t, err)
	require.NotEmpty(t, p.Endpoints)
	for _, ep := range p.Endpoints {
		assert.False(t, ep.ExpectPrivate || ep.BypassProxy, "direct mode without bypass: %s", ep.Entry.Endpoint)
	}
}

func TestCloudAliasesAreCaseInsensitive(t *testing.T) {
	c := mustLoad(t)
	for alias, want := range map[string]string{"azurecloud": "AzureCloud", "PUBLIC": "AzureCloud", "usgov": "AzureUSGovernment",
		"AzureUSGovernment": "AzureUSGovernment", "China": "AzureChinaCloud", "21vianet": "AzureChinaCloud"} {
		require.NotNil(t, c.Cloud(alias), alias)
		assert.Equal(t, want, c.Cloud(alias).Name)
	}
}

func TestSuggestRegions(t *testing.T) {
	regions := mustLoad(t).Cloud("AzureCloud").Regions
	assert.Equal(t, []string{"westeurope"}, SuggestRegions("westeurop", regions, 3))
	assert.Contains(t, SuggestRegions("wesstus", regions, 3), "westus")
	assert.Equal(t, "westus2", NormaliseRegion("West US 2"))
	assert.Empty(t, SuggestRegions("narnia", regions, 3))
}

const goodCloud = "Cloud: AzureCloud\nDisplay: Azure Cloud\n\n"
const goodEntry = "Endpoint: example.com\nList: standard\nDescription: d\nWhen: always\nPrivateLink: public\nPorts: https/443\nSource: network-requirements@9f3f69f6 | Azure Cloud table\n"
const goodRegions = "Cloud: AzureCloud\nRegions: westeurope\n"
const goodPage = "Page: network-requirements@9f3f69f6\nTitle: Connected Machine agent network requirements\n" +
	"URL: https://learn.microsoft.com/en-us/azure/azure-arc/servers/network-requirements\nDate: 2024-03-19\n" +
	"Revision: https://github.com/MicrosoftDocs/azure-management-docs/blob/9f3f69f6c7e324895ffc9412d7c5cc81c25f41c3/articles/azure-arc/servers/includes/network-requirements.md\n"

func TestParseAcceptsMinimalCatalog(t *testing.T) {
	c, err := Parse(fstest.MapFS{
		"azurecloud.txt": {Data: []byte(goodCloud + "# comment\n" + goodEntry)},
		"regions.txt":    {Data: []byte(goodRegions)},
		"sources.txt":    {Data: []byte(goodPage)},
	})
	require.NoError(t, err)
	require.Len(t, c.Clouds[0].Entries, 1)
	assert.Equal(t, "azurecloud.txt:5", c.Clouds[0].Entries[0].Pos)
}

func TestParseReadsTheCloudStanza(t *testing.T) {
	c, err := Parse(fstest.MapFS{
		"azurecloud.txt": {Data: []byte("Cloud: AzureCloud\nAliases: Public, azure\nIssuers: Microsoft Corporation, DigiCert Inc\n" +
			"HISDiscovery: https://his.example/d?location=<region>\n\n" + goodEntry)},
		"regions.txt": {Data: []byte(goodRegions + "PreviewRegions: westus2\n")},
		"sources.txt": {Data: []byte(goodPage)},
	})
	require.NoError(t, err)
	cl := c.Cloud("public")
	require.NotNil(t, cl)
	assert.Equal(t, []string{"public", "azure"}, cl.Aliases)
	assert.Equal(t, []string{"Microsoft Corporation", "DigiCert Inc"}, cl.Issuers)
	assert.Equal(t, "https://his.example/d?location=<region>", cl.HISDiscovery)
	assert.Equal(t, []string{"westeurope"}, cl.Regions)
	assert.Equal(t, []string{"westus2"}, cl.PreviewRegions)
	for _, cl := range mustLoad(t).Clouds {
		assert.NotEmpty(t, cl.Issuers, cl.Name)
	}
}

// TestEveryKeyIsDocumented keeps data/README.md in step with the keys the parser accepts.
func TestEveryKeyIsDocumented(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "data", "README.md"))
	require.NoError(t, err)
	readme := string(b)
	for _, keys := range [][]string{cloudKeys, tagKeys, entryKeys, pageKeys} {
		for _, k := range keys {
			assert.Contains(t, readme, "| `"+k+"` |", k)
		}
	}
	for _, k := range regionKeys {
		assert.Contains(t, readme, "`"+k+"`", k)
	}
}

func TestParseRejectsMalformedData(t *testing.T) {
	replace := func(old, new string) string { return goodCloud + strings.Replace(goodEntry, old, new, 1) }
	cases := []struct {
		name, file, want string
	}{
		{"not key value", goodCloud + "just words\n", `azurecloud.txt:4: expected "Key: value", got "just words"`},
		{"unknown key", replace("Description: d", "Descripton: d"), `azurecloud.txt:6: unknown entry key "Descripton"`},
		{"missing source", replace("Source: network-requirements@9f3f69f6 | Azure Cloud table\n", ""), `azurecloud.txt:4: entry "example.com": Source is missing`},
		{"unknown source page", replace("network-requirements@9f3f69f6", "some blog"),
			`azurecloud.txt:10: entry "example.com": unknown Source page "some blog" (no Page stanza of the sources table has that ID)`},
		{"seed file name", replace("network-requirements@9f3f69f6", "002_13d341821de41fb0.txt"), `azurecloud.txt:10: entry "example.com": unknown Source page "002_13d341821de41fb0.txt"`},
		{"source without table", replace(" | Azure Cloud table", ""), `azurecloud.txt:10: entry "example.com": bad Source "network-requirements@9f3f69f6"`},
		{"unknown list", replace("List: standard", "List: main"), `entry "example.com": unknown List "main"`},
		{"unknown when", replace("When: always", "When: sometimes"), `entry "example.com": unknown When "sometimes"`},
		{"scenario without scenarios", replace("When: always", "When: scenario"), `entry "example.com": When: scenario needs Scenarios`},
		{"unknown scenario", replace("When: always", "When: scenario\nScenarios: sap"), `entry "example.com": unknown scenario "sap"`},
		{"unknown private link", replace("PrivateLink: public", "PrivateLink: maybe"), `entry "example.com": unknown PrivateLink "maybe"`},
		{"bad port", replace("Ports: https/443", "Ports: https/99999"), `entry "example.com": bad port "https/99999"`},
		{"bad target", replace("Ports: https/443", "Ports: https/443\nTarget: ftp://x"), `entry "example.com": Target "ftp://x"`},
		{"unknown token", replace("Ports: https/443", "Ports: https/443\nTarget: https://{tenant}.x"), `entry "example.com": Target "https://{tenant}.x": unknown token`},
		{"pattern without targets", replace("Endpoint: example.com", "Endpoint: *.example.com"), `entry "*.example.com": a wildcard or placeholder pattern needs Target lines or a NotTested reason`},
		{"unknown placeholder", replace("Endpoint: example.com", "Endpoint: <tenant>.example.com\nNotTested: x"), `unknown placeholder`},
		{"endpoint with scheme", replace("Endpoint: example.com", "Endpoint: https://example.com"), `Endpoint must be one host or pattern`},
		{"bad bypass", replace("Ports: https/443", "Ports: https/443\nBypass: Everything"), `unknown Bypass "Everything"`},
		{"bad tls", replace("Ports: https/443", "Ports: https/443\nTLS: 1.4"), `unknown TLS version "1.4"`},
		{"duplicate", goodCloud + goodEntry + "\n" + goodEntry, `azurecloud.txt:12: entry "example.com": list standard already has it at azurecloud.txt:4`},
		{"no cloud stanza", goodEntry, `azurecloud.txt: the first stanza must name the Cloud`},
		{"stray stanza", goodCloud + "Description: x\n", `azurecloud.txt:4: stanza is neither an Endpoint, a ServiceTag nor a Notice`},
		{"service tag without lists", goodCloud + "ServiceTag: Storage\nSource: network-requirements@9f3f69f6 | Service tags\n", `service tag "Storage": Lists is missing`},
		{"service tag of an unknown page", goodCloud + "ServiceTag: Storage\nLists: standard\nSource: blog | Service tags\n",
			`azurecloud.txt:6: service tag "Storage": unknown Source page "blog"`},
		{"notice of an unknown page", goodCloud + "Notice: n\nLists: standard\nSource: blog | t\n", `azurecloud.txt:6: notice: unknown Source page "blog"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(fstest.MapFS{"azurecloud.txt": {Data: []byte(tc.file)}, "regions.txt": {Data: []byte(goodRegions)},
				"sources.txt": {Data: []byte(goodPage)}})
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidCatalog)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, err := Parse(fstest.MapFS{"azurecloud.txt": {Data: []byte(goodCloud + goodEntry)}, "sources.txt": {Data: []byte(goodPage)}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "regions.txt: no regions for cloud AzureCloud")
	_, err = Parse(fstest.MapFS{"azurecloud.txt": {Data: []byte(goodCloud + goodEntry)}, "regions.txt": {Data: []byte(goodRegions + "Region: westus\n")},
		"sources.txt": {Data: []byte(goodPage)}})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrInvalidCatalog)
	assert.Contains(t, err.Error(), `regions.txt:3: unknown regions key "Region" (valid: Cloud, Regions, PreviewRegions)`)
}
