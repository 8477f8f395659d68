package endpoints

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The 2026 documentation (reference README, "Facts from the current documentation, 2026"). The lists
// below are what the 2026 facts make of the tables; where they differ from the seed-era expectations of
// catalog_test.go, these are the current ones.

// aug2026 is a date after every dated fact of the reference, so that Until dates have passed.
var aug2026 = time.Date(2026, 8, 15, 0, 0, 0, 0, time.UTC)

const workspaceGUID = "0b6c3b5e-1f2a-4c8d-9e7f-123456789abc"

var (
	// New rows of the 2026 Azure Cloud table (SQL Server Entra authentication) and the machine
	// configuration storage accounts that make *.blob.core.windows.net concrete.
	azureCloud2026Additions = []string{"<azure-keyvault-name>.vault.azure.net", "graph.microsoft.com",
		"oaasguestconfig*.blob.core.windows.net"}
	// The Azure Monitor Agent's endpoints documented for Azure Cloud (the AMA network page).
	amaAzureCloud = []string{"global.handler.control.monitor.azure.com", "<region>.handler.control.monitor.azure.com",
		"<workspace-id>.ods.opinsights.azure.com", "<dce>.<region>.ingest.monitor.azure.com",
		"<region>.monitoring.azure.com", "global.prod.microsoftmetrics.com"}
	// The extensions' endpoints documented for Azure Cloud.
	azureCloudExtensions = concat(amaAzureCloud, []string{"*.endpoint.security.microsoft.com",
		"*.update.microsoft.com", "*.windowsupdate.com", "*.delivery.mp.microsoft.com", "*.download.windowsupdate.com",
		"<vault>.vault.azure.net", "*.azure-automation.net"})
	// The AMA page's hosts with the Azure Government (.us) and 21Vianet (.cn) suffixes; custom metrics
	// are not available there.
	amaGovernment = []string{"global.handler.control.monitor.azure.us", "<region>.handler.control.monitor.azure.us",
		"<workspace-id>.ods.opinsights.azure.us", "<dce>.<region>.ingest.monitor.azure.us"}
	amaVianet = []string{"global.handler.control.monitor.azure.cn", "<region>.handler.control.monitor.azure.cn",
		"<workspace-id>.ods.opinsights.azure.cn", "<dce>.<region>.ingest.monitor.azure.cn"}
	governmentExtensions = concat(amaGovernment, []string{"*.endpoint.security.microsoft.us", "*.azure-automation.us"})
	// The 2026 public ESU table adds *.login.microsoft.com and the SQL Server ESU host; aka.ms and san-af
	// stay as legacy entries whose Until has passed.
	esuAzureCloud2026 = append(slices.Clone(esuAzureCloud), "*.login.microsoft.com")
)

func select2026(t *testing.T, sel Selection) *Plan {
	t.Helper()
	if sel.Now.IsZero() {
		sel.Now = aug2026
	}
	p, err := mustLoad(t).Select(sel)
	require.NoError(t, err)
	return p
}

// has2026Source reports whether a source is a page as it read in 2026.
func has2026Source(sources []Source) bool {
	return slices.ContainsFunc(sources, func(s Source) bool { return s.Page.Date.Date.Year() == 2026 })
}

// sourceDocs are the IDs of the sources' pages.
func sourceDocs(sources []Source) []string {
	var out []string
	for _, s := range sources {
		out = append(out, s.Page.ID)
	}
	return out
}

func TestTables2026(t *testing.T) {
	cases := []struct {
		name string
		sel  Selection
		want []string
	}{
		{"azure cloud, all scenarios", Selection{Extensions: []string{"all"}},
			concat(seed002AzureCloud, currentAzureCloudAdditions, azureCloud2026Additions, azureCloudExtensions)},
		{"government, all scenarios", Selection{Cloud: "AzureUSGovernment", Extensions: []string{"all"}},
			concat(seed002Government, []string{"*.<region>.arcdataservices.azure.us"}, governmentExtensions)},
		{"21vianet, all scenarios", Selection{Cloud: "AzureChinaCloud", Extensions: []string{"all"}}, concat(vianetUnion, amaVianet)},
		{"esu azure cloud", Selection{ESU: true}, esuAzureCloud2026},
		{"esu azure cloud with sql", Selection{ESU: true, Extensions: []string{"sql"}},
			concat(esuAzureCloud2026, []string{"san-af-<region>-prod.azurewebsites.net", "*.<region>.arcdataservices.com",
				"*.blob.core.windows.net"})},
		{"esu government", Selection{Cloud: "usgov", ESU: true}, esuGovernment},
		{"esu government with sql", Selection{Cloud: "usgov", ESU: true, Extensions: []string{"sql"}},
			concat(esuGovernment, []string{"*.blob.core.usgovcloudapi.net"})},
		{"esu 21vianet (seed 001's table, unchanged)", Selection{Cloud: "china", ESU: true, Extensions: []string{"all"}}, concat(esuVianet, amaVianet)},
		{"gateway", Selection{Mode: ModeGateway}, gatewayList},
		{"gateway with ama", Selection{Mode: ModeGateway, Extensions: []string{"ama"}},
			concat(gatewayList, amaAzureCloud)},
		{"legacy preview takes no extensions", Selection{Profile: ProfileLegacyPreview, Extensions: []string{"all"}}, legacyPreview},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, sorted(tc.want...), patterns(select2026(t, tc.sel)))
		})
	}
}

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func TestDefaultSelection2026(t *testing.T) {
	got := patterns(select2026(t, Selection{}))
	assert.Len(t, got, 16, "seed 002's 14 non-scenario rows, *.login.microsoft.com and oaasguestconfig*")
	assert.Contains(t, got, "oaasguestconfig*.blob.core.windows.net")
	for _, scenarioOnly := range concat(azureCloudExtensions, []string{"graph.microsoft.com", "<azure-keyvault-name>.vault.azure.net"}) {
		assert.NotContains(t, got, scenarioOnly)
	}
}

func TestBlobWildcardIsDisputed(t *testing.T) {
	for _, now := range []time.Time{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), aug2026} {
		p := select2026(t, Selection{Cloud: "AzureCloud", Now: now})
		blob := endpoint(t, p, "*.blob.core.windows.net")
		assert.False(t, blob.Required, "disputed: never required on its own (%s)", now)
		assert.NotEmpty(t, blob.Entry.Disputed)
		assert.Contains(t, blob.Entry.Disputed, "extensions security")
		assert.Contains(t, blob.Entry.Disputed, "network requirements")
		assert.Equal(t, "2026-02-13", blob.Entry.Until.Raw)
		assert.True(t, blob.Entry.Until.Passed(aug2026))
		assert.Contains(t, sourceDocs(blob.Entry.Sources), "network-requirements@9f3f69f6", "the first table's source is kept")

		oaas := endpoint(t, p, "oaasguestconfig*.blob.core.windows.net")
		assert.NotEmpty(t, oaas.Entry.NotTested)
		assert.Empty(t, oaas.Targets, "listed, not probed: a probe would add a row the docs dispute")
	}
	// Private link leaves out the blob wildcard and the machine configuration storage accounts.
	p := select2026(t, Selection{Mode: ModePrivateLink})
	require.Len(t, p.Excluded, 2)
	assert.Equal(t, "*.blob.core.windows.net", p.Excluded[0].Entry.Endpoint)
	assert.Equal(t, "oaasguestconfig*.blob.core.windows.net", p.Excluded[1].Entry.Endpoint)
}

func tagsNamed(p *Plan, name string) []ServiceTag {
	var out []ServiceTag
	for _, tag := range p.ServiceTags {
		if tag.Name == name {
			out = append(out, tag)
		}
	}
	return out
}

func TestServiceTags2026(t *testing.T) {
	for _, sel := range []Selection{{}, {ESU: true}, {Mode: ModeGateway}} {
		fd := tagsNamed(select2026(t, sel), "AzureFrontDoor.Frontend")
		require.Len(t, fd, 1, "%+v", sel)
		assert.Equal(t, "2026-04", fd[0].Since.Raw)
		assert.Contains(t, fd[0].Condition, "required as of April 2026")
		assert.True(t, has2026Source(fd[0].Sources))
	}
	for _, cloud := range []string{"AzureUSGovernment", "AzureChinaCloud"} {
		for _, esu := range []bool{false, true} {
			// After 2025-10-28 only the public-cloud tag is listed.
			arc := tagsNamed(select2026(t, Selection{Cloud: cloud, ESU: esu}), "AzureArcInfrastructure")
			require.Len(t, arc, 1, cloud)
			assert.Equal(t, "2025-10-28", arc[0].Since.Raw)
			assert.Contains(t, arc[0].Condition, "public cloud")
			// Before, the cloud's own tag is listed too.
			arc = tagsNamed(select2026(t, Selection{Cloud: cloud, ESU: esu, Now: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}), "AzureArcInfrastructure")
			require.Len(t, arc, 2, cloud)
			own := arc[slices.IndexFunc(arc, func(tag ServiceTag) bool { return !tag.Until.IsZero() })]
			assert.Equal(t, "2025-10-28", own.Until.Raw)
			assert.True(t, has2026Source(own.Sources))
		}
	}
}

func TestSQLServer2026(t *testing.T) {
	p := select2026(t, Selection{Extensions: []string{"sql"}, Location: "westeurope"})
	got := patterns(p)
	assert.Contains(t, got, "graph.microsoft.com")
	assert.Contains(t, got, "<azure-keyvault-name>.vault.azure.net")
	assert.Equal(t, []string{"https://graph.microsoft.com"}, urls(endpoint(t, p, "graph.microsoft.com")))
	kv := endpoint(t, p, "<azure-keyvault-name>.vault.azure.net")
	assert.Empty(t, kv.Targets)
	vault, ok := valueFor("<azure-keyvault-name>")
	require.True(t, ok)
	assert.Contains(t, kv.NotTested, NotTested{Reason: "needs " + vault.Form, Needs: FieldSet, Value: "vault"})

	data := endpoint(t, p, "*.<region>.arcdataservices.com")
	assert.Equal(t, []string{"https://dataprocessingservice.westeurope.arcdataservices.com",
		"https://telemetry.westeurope.arcdataservices.com"}, urls(data))
	assert.Equal(t, "*.westeurope.arcdataservices.com", data.Pattern)
	assert.Equal(t, []string{"1.2", "1.3"}, data.Entry.TLS)
	assert.Equal(t, "ArcData", data.Entry.Bypass)

	p = select2026(t, Selection{Extensions: []string{"sql"}, Values: map[string]string{"vault": "ContosoVault"}})
	assert.Equal(t, []string{"https://contosovault.vault.azure.net"}, urls(endpoint(t, p, "<azure-keyvault-name>.vault.azure.net")))

	// Azure Government: its own SQL Server host pattern.
	p = select2026(t, Selection{Cloud: "AzureUSGovernment", Extensions: []string{"sql"}, Location: "usgovvirginia"})
	gov := endpoint(t, p, "*.<region>.arcdataservices.azure.us")
	assert.Equal(t, "*.usgovvirginia.arcdataservices.azure.us", gov.Pattern)
	assert.Equal(t, WhenScenario, gov.Entry.When)
	assert.Equal(t, []string{"sql"}, gov.Entry.Scenarios)
	assert.NotContains(t, patterns(select2026(t, Selection{Cloud: "AzureUSGovernment"})), "*.<region>.arcdataservices.azure.us")
}

func TestESU2026(t *testing.T) {
	p := select2026(t, Selection{ESU: true, Extensions: []string{"sql", "esu"}, Location: "westeurope"})
	aka := endpoint(t, p, "aka.ms")
	assert.Equal(t, "2025-01-13", aka.Entry.Until.Raw)
	assert.NotEmpty(t, aka.Entry.Legacy)
	assert.False(t, aka.Required)
	san := endpoint(t, p, "san-af-<region>-prod.azurewebsites.net")
	assert.Equal(t, "2024-03-18", san.Entry.Until.Raw)
	assert.NotEmpty(t, san.Entry.Legacy)
	assert.False(t, san.Required)
	data := endpoint(t, p, "*.<region>.arcdataservices.com")
	assert.Equal(t, "2024-03-18", data.Entry.Since.Raw)
	assert.Equal(t, "ArcData", data.Entry.Bypass)
	assert.True(t, data.Required)
	assert.Len(t, data.Targets, 2)
	lm := endpoint(t, p, "*.login.microsoft.com")
	assert.Equal(t, WhenAlways, lm.Entry.When)
	assert.True(t, lm.Required)
	lw := endpoint(t, p, "login.windows.net")
	assert.Empty(t, lw.Entry.Disputed, "the ESU page still lists it as Always")
	assert.True(t, lw.Entry.Until.IsZero())
	assert.True(t, lw.Required)
	pki := endpoint(t, p, "www.microsoft.com/pkiops/certs")
	assert.True(t, pki.Entry.Until.IsZero(), "no agent version is documented: a Note, not Until")
	assert.True(t, slices.ContainsFunc(pki.Entry.Notes, func(n string) bool { return strings.Contains(n, "15 days") }))
	assert.True(t, pki.Required)
	assert.True(t, slices.ContainsFunc(p.Notices, func(n Notice) bool { return strings.Contains(n.Text, "Windows Server 2016") }))

	// Azure Government's SQL Server ESU package.
	p = select2026(t, Selection{Cloud: "usgov", ESU: true, Extensions: []string{"sql"}})
	blob := endpoint(t, p, "*.blob.core.usgovcloudapi.net")
	assert.Equal(t, "esu", blob.Entry.List)
	assert.True(t, has2026Source(blob.Entry.Sources))
}

func TestNotices2026(t *testing.T) {
	// 21Vianet: the 21Vianet site's ESU table stays as it is, with a notice that ESU is not available.
	for _, sel := range []Selection{{Cloud: "china", ESU: true}, {Cloud: "china", Extensions: []string{"esu"}}} {
		p := select2026(t, sel)
		i := slices.IndexFunc(p.Notices, func(n Notice) bool {
			return strings.Contains(n.Text, "ESU") && strings.Contains(n.Text, "not available in Azure operated by 21Vianet")
		})
		require.GreaterOrEqual(t, i, 0, "%+v: %+v", sel, p.Notices)
		n := p.Notices[i]
		assert.Contains(t, n.Text, "2012")
		assert.Contains(t, n.Text, "2016")
		assert.Contains(t, sourceDocs(n.Sources), "network-requirements-21vianet")
		assert.True(t, has2026Source(n.Sources))
	}
	p := select2026(t, Selection{Cloud: "china", ESU: true})
	assert.Equal(t, sorted(esuVianet...), patterns(p))

	// Windows Admin Center is not available in Azure Government or 21Vianet.
	for _, cloud := range []string{"AzureUSGovernment", "AzureChinaCloud"} {
		wac := func(n Notice) bool { return strings.Contains(n.Text, "Windows Admin Center") }
		assert.True(t, slices.ContainsFunc(select2026(t, Selection{Cloud: cloud, Extensions: []string{"wac"}}).Notices, wac), cloud)
		assert.False(t, slices.ContainsFunc(select2026(t, Selection{Cloud: cloud}).Notices, wac), cloud)
	}
	assert.False(t, slices.ContainsFunc(select2026(t, Selection{Extensions: []string{"wac"}}).Notices,
		func(n Notice) bool { return strings.Contains(n.Text, "Windows Admin Center") }), "WAC is available in Azure Cloud")
	// The agent's cipher suites apply to every list of every cloud.
	for _, cloud := range []string{"AzureCloud", "AzureUSGovernment", "AzureChinaCloud"} {
		assert.True(t, slices.ContainsFunc(select2026(t, Selection{Cloud: cloud}).Notices,
			func(n Notice) bool { return strings.Contains(n.Text, "TLS_AES_256_GCM_SHA384") }), cloud)
	}
}

func TestAzureMonitorAgent(t *testing.T) {
	p := select2026(t, Selection{Extensions: []string{"ama"}, Location: "westeurope",
		Values: map[string]string{"workspace-id": workspaceGUID, "dce": "my-dce"}})
	ods := endpoint(t, p, "<workspace-id>.ods.opinsights.azure.com")
	assert.Equal(t, []string{"https://" + workspaceGUID + ".ods.opinsights.azure.com"}, urls(ods))
	assert.Empty(t, ods.NotTested)
	assert.Equal(t, []string{"https://my-dce.westeurope.ingest.monitor.azure.com"}, urls(endpoint(t, p, "<dce>.<region>.ingest.monitor.azure.com")))
	assert.Equal(t, []string{"https://westeurope.handler.control.monitor.azure.com"}, urls(endpoint(t, p, "<region>.handler.control.monitor.azure.com")))
	assert.Equal(t, []string{"https://global.handler.control.monitor.azure.com"}, urls(endpoint(t, p, "global.handler.control.monitor.azure.com")))
	assert.Equal(t, []string{"https://westeurope.monitoring.azure.com"}, urls(endpoint(t, p, "<region>.monitoring.azure.com")))
	assert.Equal(t, []string{"https://global.prod.microsoftmetrics.com"}, urls(endpoint(t, p, "global.prod.microsoftmetrics.com")))

	for _, ep := range p.Endpoints {
		if ep.Entry.List != ListExtensions {
			continue
		}
		assert.Equal(t, []string{"ama"}, ep.Entry.Scenarios, ep.Entry.Endpoint)
		assert.True(t, ep.Entry.InspectionUnsupported, "HTTPS inspection must be disabled: %s", ep.Entry.Endpoint)
		assert.True(t, ep.Entry.ProxyBasicAuth, "AMA supports Basic proxies: %s", ep.Entry.Endpoint)
		assert.True(t, has2026Source(ep.Entry.Sources), ep.Entry.Endpoint)
		logAnalytics := strings.Contains(ep.Entry.Endpoint, "opinsights.azure.com") || strings.Contains(ep.Entry.Endpoint, "monitoring.azure.com")
		assert.Equal(t, logAnalytics, ep.Entry.GatewayDirect, ep.Entry.Endpoint)
	}

	// Without the workspace ID the ODS host is not tested, and says which value to set.
	p = select2026(t, Selection{Extensions: []string{"ama"}, Location: "westeurope"})
	ods = endpoint(t, p, "<workspace-id>.ods.opinsights.azure.com")
	assert.Empty(t, ods.Targets)
	require.Len(t, ods.NotTested, 1)
	assert.Equal(t, FieldSet, ods.NotTested[0].Needs)
	assert.Equal(t, "workspace-id", ods.NotTested[0].Value)

	// Gateway mode: the Log Analytics hosts are not carried by the gateway.
	p = select2026(t, Selection{GatewayURL: "https://x.gw.arc.azure.com", Extensions: []string{"ama"}, Location: "westeurope"})
	assert.Equal(t, ModeGateway, p.Mode)
	assert.True(t, endpoint(t, p, "<workspace-id>.ods.opinsights.azure.com").NotCarried)
	assert.True(t, endpoint(t, p, "<region>.monitoring.azure.com").NotCarried)
	assert.False(t, endpoint(t, p, "global.handler.control.monitor.azure.com").NotCarried)
	assert.False(t, endpoint(t, p, "management.azure.com").NotCarried)

	// The AMA and ArcData proxy.bypass categories.
	p = select2026(t, Selection{Extensions: []string{"ama", "sql"}, ProxyBypass: []string{"AMA", "ArcData"}})
	assert.True(t, endpoint(t, p, "global.handler.control.monitor.azure.com").BypassProxy)
	assert.True(t, endpoint(t, p, "<workspace-id>.ods.opinsights.azure.com").BypassProxy)
	assert.True(t, endpoint(t, p, "*.<region>.arcdataservices.com").BypassProxy)
	assert.False(t, endpoint(t, p, "management.azure.com").BypassProxy)
}

func TestOtherExtensions(t *testing.T) {
	p := select2026(t, Selection{Extensions: []string{"mde", "update", "keyvault", "hrw"}, Values: map[string]string{"vault": "kv1"}})
	mde := endpoint(t, p, "*.endpoint.security.microsoft.com")
	assert.True(t, mde.Entry.InspectionUnsupported)
	assert.False(t, mde.Entry.ProxyBasicAuth, "Defender does not support proxy authentication")
	assert.True(t, mde.Entry.GatewayDirect)
	assert.NotEmpty(t, mde.Entry.NotTested)
	wu := endpoint(t, p, "*.update.microsoft.com")
	assert.Equal(t, []Port{{"http", 80}, {"https", 443}}, wu.Entry.Ports)
	assert.True(t, wu.Entry.GatewayDirect)
	kv := endpoint(t, p, "<vault>.vault.azure.net")
	assert.Equal(t, []string{"https://kv1.vault.azure.net"}, urls(kv))
	assert.True(t, kv.Entry.GatewayDirect)
	hrw := endpoint(t, p, "*.azure-automation.net")
	assert.True(t, hrw.Entry.GatewayDirect)
	assert.NotEmpty(t, hrw.Entry.NotTested)

	gov := select2026(t, Selection{Cloud: "usgov", Extensions: []string{"all"}})
	assert.True(t, endpoint(t, gov, "*.endpoint.security.microsoft.us").Entry.InspectionUnsupported)
	// Government: AMA, Defender and Hybrid Runbook Worker; 21Vianet: AMA.
	for _, cl := range mustLoad(t).Clouds {
		var ext []string
		for _, e := range cl.Entries {
			if e.List == ListExtensions {
				ext = append(ext, e.Endpoint)
			}
		}
		switch cl.Name {
		case "AzureCloud":
			assert.Equal(t, sorted(azureCloudExtensions...), sorted(ext...))
		case "AzureUSGovernment":
			assert.Equal(t, sorted(governmentExtensions...), sorted(ext...))
		default:
			assert.Equal(t, sorted(amaVianet...), sorted(ext...), cl.Name)
		}
	}
}

func TestGatewayList2026(t *testing.T) {
	p := select2026(t, Selection{GatewayURL: "https://x.gw.arc.azure.com", Location: "westeurope"})
	assert.Equal(t, sorted(gatewayList...), patterns(p))
	for _, ep := range p.Endpoints {
		assert.Contains(t, sourceDocs(ep.Entry.Sources), "arc-gateway@2f260e9e", ep.Entry.Endpoint)
		assert.False(t, ep.NotCarried, ep.Entry.Endpoint)
	}
	gw := endpoint(t, p, "[Your URL Prefix].gw.arc.azure.com")
	assert.Contains(t, gw.Entry.Description, "az arcgateway list")
	assert.Contains(t, gw.Entry.Description, "<prefix>.gw.arc.azure.com")
	assert.Equal(t, []string{"https://x.gw.arc.azure.com"}, urls(gw))
	assert.True(t, gw.Entry.InspectionUnsupported, "TLS inspection on the gateway path is not supported")
	assert.NotEmpty(t, p.Notices)
}

func TestAgentVersionBounds2026(t *testing.T) {
	p := select2026(t, Selection{Location: "westeurope", Extensions: []string{"all"}})
	dc := endpoint(t, p, "dc.services.visualstudio.com")
	assert.Equal(t, WhenOptional, dc.Entry.When, "kept optional")
	assert.Equal(t, "agent 1.24", dc.Entry.Until.Raw)
	assert.False(t, dc.Required)
	lw := endpoint(t, p, "login.windows.net")
	assert.Equal(t, "agent 1.34", lw.Entry.Until.Raw)
	gc := endpoint(t, p, "*.guestconfiguration.azure.com")
	assert.Equal(t, []string{"https://agentserviceapi.guestconfiguration.azure.com", "https://westeurope-gas.guestconfiguration.azure.com"}, urls(gc))
	assert.True(t, slices.ContainsFunc(gc.Entry.Notes, func(n string) bool { return strings.Contains(n, "<abbr>-gas") }))
	assert.True(t, slices.ContainsFunc(gc.Entry.Notes, func(n string) bool { return strings.Contains(n, "1.57") }))
	dls := endpoint(t, p, "dls.microsoft.com")
	assert.Contains(t, strings.ToLower(dls.Entry.Description), "license validation")
	assert.True(t, has2026Source(dls.Entry.Sources))
}

func TestEveryExtensionEntryIsAScenario(t *testing.T) {
	for _, cl := range mustLoad(t).Clouds {
		for _, e := range cl.Entries {
			if e.List == ListExtensions {
				assert.Equal(t, WhenScenario, e.When, "%s %s", cl.Name, e.Endpoint)
				assert.NotEmpty(t, e.Scenarios, "%s %s", cl.Name, e.Endpoint)
			}
		}
	}
}

// TestEvery2026FactHasADatedSource: an entry, tag or notice that records a 2026-era fact (a dispute, a
// date bound, the gateway, inspection or proxy-authentication facts, the AMA and ArcData bypass
// categories, an extension) cites a dated 2026 source; and the rows the 2026 pages confirm cite them.
func TestEvery2026FactHasADatedSource(t *testing.T) {
	for _, cl := range mustLoad(t).Clouds {
		for _, e := range cl.Entries {
			fact := e.Disputed != "" || e.GatewayDirect || e.InspectionUnsupported || e.ProxyBasicAuth ||
				e.List == ListExtensions || e.Bypass == "AMA" || e.Bypass == "ArcData" ||
				!e.Since.Date.IsZero() || !e.Until.Date.IsZero()
			if fact {
				assert.True(t, has2026Source(e.Sources), "%s %s %s: %v", cl.Name, e.List, e.Endpoint, sourceDocs(e.Sources))
			}
		}
		for _, tag := range cl.ServiceTags {
			if !tag.Since.IsZero() || !tag.Until.IsZero() {
				assert.True(t, has2026Source(tag.Sources), "%s tag %s", cl.Name, tag.Name)
			}
		}
		for _, n := range cl.Notices {
			require.NotEmpty(t, n.Sources, n.Text)
			assert.True(t, has2026Source(n.Sources), "%s notice %q", cl.Name, n.Text)
		}
	}
	c := mustLoad(t)
	confirmed := map[string]map[string][]string{
		"AzureCloud": {
			"network-requirements@b703da5a": {"download.microsoft.com", "packages.microsoft.com", "login.microsoftonline.com",
				"*.login.microsoft.com", "pas.windows.net", "management.azure.com", "*.his.arc.azure.com",
				"*.guestconfiguration.azure.com", "guestnotificationservice.azure.com", "*.guestnotificationservice.azure.com",
				"azgn*.servicebus.windows.net", "*.servicebus.windows.net", "*.waconazure.com", "dc.services.visualstudio.com",
				"*.<region>.arcdataservices.com", "www.microsoft.com/pkiops/certs", "dls.microsoft.com",
				"<azure-keyvault-name>.vault.azure.net", "graph.microsoft.com", "*.blob.core.windows.net"},
		},
		"AzureUSGovernment": {
			"network-requirements@b703da5a": {"download.microsoft.com", "packages.microsoft.com", "login.microsoftonline.us",
				"pasff.usgovcloudapi.net", "management.usgovcloudapi.net", "*.his.arc.azure.us", "*.guestconfiguration.azure.us",
				"*.blob.core.usgovcloudapi.net", "dc.applicationinsights.us", "www.microsoft.com/pkiops/certs",
				"*.<region>.arcdataservices.azure.us"},
		},
	}
	for cloud, byDoc := range confirmed {
		for doc, eps := range byDoc {
			for _, ep := range eps {
				i := slices.IndexFunc(c.Cloud(cloud).Entries, func(e Entry) bool { return e.List == "standard" && e.Endpoint == ep })
				require.GreaterOrEqual(t, i, 0, "%s %s", cloud, ep)
				assert.Contains(t, sourceDocs(c.Cloud(cloud).Entries[i].Sources), doc, "%s %s", cloud, ep)
			}
		}
	}
	// The public ESU table of 2026.
	for _, ep := range []string{"download.microsoft.com", "login.windows.net", "login.microsoftonline.com", "*.login.microsoft.com",
		"management.azure.com", "*.his.arc.azure.com", "*.guestconfiguration.azure.com", "www.microsoft.com/pkiops/certs",
		"*.<region>.arcdataservices.com"} {
		i := slices.IndexFunc(c.Cloud("AzureCloud").Entries, func(e Entry) bool { return e.List == "esu" && e.Endpoint == ep })
		require.GreaterOrEqual(t, i, 0, ep)
		assert.Contains(t, sourceDocs(c.Cloud("AzureCloud").Entries[i].Sources), "esu-network-requirements@85eb4cb5", ep)
	}
}
