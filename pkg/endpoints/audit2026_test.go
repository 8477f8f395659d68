package endpoints

import (
	"bytes"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The decisions on every row of the catalog audit of 2026-08 (reference catalog-audit-2026-08.md), one
// test per row or per group of rows sharing a cause. Each names the page and commit it rests on, and
// checks that the entry cites it.

// cites reports whether one of the sources is a page read at the commit (e.g. "@5c2ac4f3"): its
// Revision is the page's source at that commit.
func cites(sources []Source, commit string) bool {
	return slices.ContainsFunc(sources, func(s Source) bool {
		return strings.Contains(s.Page.Revision, "/"+strings.TrimPrefix(commit, "@"))
	})
}

// entryIn returns the entry of a cloud's list.
func entryIn(t *testing.T, cloud, list, ep string) *Entry {
	t.Helper()
	cl := mustLoad(t).Cloud(cloud)
	i := slices.IndexFunc(cl.Entries, func(e Entry) bool { return e.List == list && e.Endpoint == ep })
	require.GreaterOrEqual(t, i, 0, "%s %s %s", cloud, list, ep)
	return &cl.Entries[i]
}

// Audit "All clouds", cipher notice: troubleshoot-networking.md @aebc6214 and agent-release-notes.md
// @64ee9782 (1.64 reverted the enforcement).
func TestAuditCipherNoticeNamesVersionsAndEditions(t *testing.T) {
	for _, cl := range mustLoad(t).Clouds {
		i := slices.IndexFunc(cl.Notices, func(n Notice) bool { return strings.Contains(n.Text, "cipher suites") })
		require.GreaterOrEqual(t, i, 0, cl.Name)
		n := cl.Notices[i]
		for _, want := range []string{"1.56 to 1.63", "Windows", "not on Windows Server 2012 or 2012 R2", "1.64 reverted"} {
			assert.Contains(t, n.Text, want, cl.Name)
		}
		assert.True(t, cites(n.Sources, "@aebc6214"), cl.Name)
		assert.True(t, cites(n.Sources, "@64ee9782"), cl.Name)
	}
}

// Audit "All clouds", aka.ms: removed from every table on 2025-01-13 (includes/network-requirements.md
// and esu-network-requirements.md, commit 5c2ac4f3).
func TestAuditAkaMsUntil20250113(t *testing.T) {
	for _, c := range []struct{ cloud, list string }{{"AzureCloud", "standard"}, {"AzureUSGovernment", "standard"},
		{"AzureChinaCloud", "standard"}, {"AzureUSGovernment", "esu"}, {"AzureCloud", "esu"}} {
		e := entryIn(t, c.cloud, c.list, "aka.ms")
		assert.Equal(t, "2025-01-13", e.Until.Raw, "%+v", c)
		assert.NotEmpty(t, e.Legacy, "%+v", c)
		assert.True(t, cites(e.Sources, "@5c2ac4f3"), "%+v", c)
	}
	// 21Vianet's ESU list is seed 001's, kept on purpose (see TestAuditVianetESUKeptOnPurpose).
	assert.True(t, entryIn(t, "AzureChinaCloud", "esu", "aka.ms").Until.IsZero())
}

// Audit "All clouds", guest configuration host names: the machine configuration network page lists
// agentserviceapi and <region>-gas per cloud (azure-docs 03-network-requirements.md).
func TestAuditGuestConfigurationHostsPerCloud(t *testing.T) {
	for _, c := range []struct{ cloud, region, suffix string }{{"AzureUSGovernment", "usgovvirginia", "us"}, {"AzureChinaCloud", "chinaeast2", "cn"}} {
		for _, esu := range []bool{false, true} {
			p := select2026(t, Selection{Cloud: c.cloud, ESU: esu, Location: c.region})
			gc := endpoint(t, p, "*.guestconfiguration.azure."+c.suffix)
			assert.Equal(t, []string{"https://agentserviceapi.guestconfiguration.azure." + c.suffix,
				"https://" + c.region + "-gas.guestconfiguration.azure." + c.suffix}, urls(gc))
			assert.NotContains(t, gc.Entry.NotTested, "not documented")
			assert.True(t, slices.ContainsFunc(gc.Entry.Sources, func(s Source) bool {
				return strings.Contains(s.Page.Revision, "machine-configuration/overview/03-network-requirements.md")
			}))
		}
	}
}

// Audit "All clouds", azcmagent check --include-all (azcmagent-check.md @57d1a707; 1.52 release notes):
// the extended scenarios select dls.microsoft.com (licence validation).
func TestAuditIncludeAll(t *testing.T) {
	assert.NotContains(t, patterns(select2026(t, Selection{})), "dls.microsoft.com")
	p := select2026(t, Selection{IncludeAll: true})
	assert.Contains(t, patterns(p), "dls.microsoft.com")
	assert.Equal(t, ExtendedScenarios, p.Scenarios)
	for _, sc := range []string{"payg", "benefits", "hotpatch"} {
		assert.Contains(t, patterns(select2026(t, Selection{Extensions: []string{sc}})), "dls.microsoft.com", sc)
	}
	p = select2026(t, Selection{IncludeAll: true, Extensions: []string{"sql"}})
	assert.Equal(t, []string{"benefits", "hotpatch", "payg", "sql"}, p.Scenarios)
	assert.True(t, cites(entryIn(t, "AzureCloud", "standard", "dls.microsoft.com").Sources, "@a0e94e03"))
}

// Audit "Azure Cloud", *.login.microsoft.com: not in the AAD row of the proxy-bypass table
// (manage-agent-proxy-settings.md @7c1c176d).
func TestAuditLoginMicrosoftComNotBypassedByAAD(t *testing.T) {
	for _, list := range []string{"standard", "esu"} {
		e := entryIn(t, "AzureCloud", list, "*.login.microsoft.com")
		assert.Empty(t, e.Bypass, list)
		assert.True(t, cites(e.Sources, "@7c1c176d"), list)
	}
	p := select2026(t, Selection{ProxyBypass: []string{"AAD"}})
	assert.False(t, endpoint(t, p, "*.login.microsoft.com").BypassProxy)
	assert.True(t, endpoint(t, p, "login.microsoftonline.com").BypassProxy)
}

// Audit "Azure Cloud", SQL Entra authentication rows: "Public" (includes/network-requirements.md @a0e94e03).
func TestAuditSQLEntraRowsArePublic(t *testing.T) {
	for _, ep := range []string{"<azure-keyvault-name>.vault.azure.net", "graph.microsoft.com"} {
		e := entryIn(t, "AzureCloud", "standard", ep)
		assert.Equal(t, PrivateLinkPublic, e.PrivateLink, ep)
		assert.True(t, cites(e.Sources, "@a0e94e03"), ep)
	}
}

// Audit "Azure Cloud", oaasguestconfig*: the machine configuration page lists the storage accounts and
// says packages come over the private link with Arc Private Link; its Arc section names only
// *.guestconfiguration.azure.com, hence disputed.
func TestAuditMachineConfigurationStorage(t *testing.T) {
	e := entryIn(t, "AzureCloud", "standard", "oaasguestconfig*.blob.core.windows.net")
	assert.Equal(t, PrivateLinkNotUsed, e.PrivateLink)
	assert.NotEmpty(t, e.Disputed)
	assert.Empty(t, e.Targets)
	assert.NotContains(t, e.NotTested, "not published")
	assert.Contains(t, e.NotTested, "oaasguestconfigwcuss1")
	assert.False(t, endpoint(t, select2026(t, Selection{}), "oaasguestconfig*.blob.core.windows.net").Required)
}

// Audit "Azure Cloud", login.windows.net on the ESU list: the ESU table still says "Always"
// (esu-network-requirements.md @50d8efda).
func TestAuditLoginWindowsNetRequiredForESU(t *testing.T) {
	e := entryIn(t, "AzureCloud", "esu", "login.windows.net")
	assert.Empty(t, e.Disputed)
	assert.Empty(t, e.Legacy)
	assert.True(t, cites(e.Sources, "@50d8efda"))
	assert.True(t, endpoint(t, select2026(t, Selection{ESU: true}), "login.windows.net").Required)
	assert.NotEmpty(t, entryIn(t, "AzureCloud", "standard", "login.windows.net").Legacy, "the full table dropped it")
}

// Audit "Azure Cloud", SQL Entra-auth Key Vault in gateway mode: the gateway does not carry Key Vault
// (arc-gateway.md @65bb0d82), but the pages are ambiguous (arc-gateway-endpoints.md @635e9559).
func TestAuditGatewaySQLKeyVaultAllowedDirectly(t *testing.T) {
	p := select2026(t, Selection{Mode: ModeGateway, Extensions: []string{"sql"}})
	kv := endpoint(t, p, "<azure-keyvault-name>.vault.azure.net")
	assert.True(t, kv.NotCarried)
	assert.NotEmpty(t, kv.Entry.Disputed)
	assert.False(t, kv.Required)
	assert.True(t, cites(kv.Entry.Sources, "@65bb0d82"))
	assert.True(t, cites(kv.Entry.Sources, "@635e9559"))
	assert.NotContains(t, patterns(select2026(t, Selection{Mode: ModeGateway})), "<azure-keyvault-name>.vault.azure.net")
}

// Audit "Azure Cloud", *.oms.opinsights.azure.com: not on the AMA network page (@20975434); the gateway
// page names it for Arc-enabled data services only. Removed.
func TestAuditOMSIsNotAnAMAEndpoint(t *testing.T) {
	for _, cl := range mustLoad(t).Clouds {
		for _, e := range cl.Entries {
			assert.NotContains(t, e.Endpoint, ".oms.opinsights.", cl.Name)
		}
	}
}

// Audit "Azure Cloud", ingest and custom-metrics hosts: in the AMA row of the proxy-bypass table
// (@7c1c176d); <region>.monitoring.azure.com only for custom metrics, without a proxy (AMA page @20975434).
func TestAuditAMABypassRows(t *testing.T) {
	for _, ep := range []string{"<dce>.<region>.ingest.monitor.azure.com", "<region>.monitoring.azure.com"} {
		e := entryIn(t, "AzureCloud", ListExtensions, ep)
		assert.Equal(t, "AMA", e.Bypass, ep)
		assert.True(t, cites(e.Sources, "@7c1c176d"), ep)
	}
	mon := entryIn(t, "AzureCloud", ListExtensions, "<region>.monitoring.azure.com")
	assert.True(t, slices.ContainsFunc(mon.Notes, func(n string) bool {
		return strings.Contains(n, "custom metrics") && strings.Contains(n, "without any proxy")
	}))
}

// Audit "Azure Cloud" and "Azure Government", service tags of the extensions (AMA page @20975434,
// defender-docs configure-device-connectivity.md @02ec0bbd, automation-network-configuration.md @0b5e4fe1):
// listed only with their scenario.
func TestAuditExtensionServiceTags(t *testing.T) {
	tags := func(p *Plan) []string {
		var out []string
		for _, tag := range p.ServiceTags {
			out = append(out, tag.Name)
		}
		return out
	}
	for _, cloud := range []string{"AzureCloud", "AzureUSGovernment"} {
		assert.NotContains(t, tags(select2026(t, Selection{Cloud: cloud})), "AzureMonitor", cloud)
		got := tags(select2026(t, Selection{Cloud: cloud, Extensions: []string{"ama", "mde", "hrw"}}))
		for _, want := range []string{"AzureMonitor", "MicrosoftDefenderForEndpoint", "OneDsCollector", "GuestAndHybridManagement"} {
			assert.Contains(t, got, want, cloud)
		}
		assert.NotContains(t, tags(select2026(t, Selection{Cloud: cloud, Extensions: []string{"ama"}})), "OneDsCollector", cloud)
	}
	assert.Contains(t, tags(select2026(t, Selection{Cloud: "china", Extensions: []string{"ama"}})), "AzureMonitor")
	assert.Empty(t, slices.DeleteFunc(tags(select2026(t, Selection{Profile: ProfileLegacyPreview, Extensions: []string{"all"}})),
		func(n string) bool { return n == "AzureActiveDirectory" || n == "AzureTrafficManager" }))
}

// Audit "Azure Cloud", Windows Update hosts (azure-docs update-manager/prerequisites.md @faf75a9f).
func TestAuditWindowsUpdateHosts(t *testing.T) {
	got := patterns(select2026(t, Selection{Extensions: []string{"update"}}))
	for _, want := range []string{"*.update.microsoft.com", "*.windowsupdate.com", "*.delivery.mp.microsoft.com", "*.download.windowsupdate.com"} {
		assert.Contains(t, got, want)
		e := entryIn(t, "AzureCloud", ListExtensions, want)
		assert.True(t, e.GatewayDirect, want)
	}
}

// Audit "Azure Government", arcdataservices: Public, TLS 1.2/1.3 only (includes/network-requirements.md
// @a0e94e03, Government tab).
func TestAuditGovernmentSQLHost(t *testing.T) {
	e := entryIn(t, "AzureUSGovernment", "standard", "*.<region>.arcdataservices.azure.us")
	assert.Equal(t, PrivateLinkPublic, e.PrivateLink)
	assert.Equal(t, []string{"1.2", "1.3"}, e.TLS)
	assert.True(t, cites(e.Sources, "@a0e94e03"))
}

// Audit "Azure Government", guestnotificationservice.azure.us: no servers page ever listed it (only the
// Kubernetes page, @24f6d374). Removed, so list --changes no longer calls it disputed.
func TestAuditGovernmentHasNoNotificationServiceRow(t *testing.T) {
	for _, e := range mustLoad(t).Cloud("AzureUSGovernment").Entries {
		assert.NotContains(t, e.Endpoint, "guestnotificationservice", e.List)
	}
	for _, c := range select2026(t, Selection{Cloud: "usgov"}).Changes() {
		if c.Endpoint != nil {
			assert.NotContains(t, c.Endpoint.Entry.Endpoint, "guestnotificationservice")
		}
	}
}

// Audit "Azure Government" and "21Vianet", AzureFrontDoor.Frontend: the page's tag list (added @401a4bd7)
// is not tied to a cloud; listed, saying it is unclear.
func TestAuditFrontDoorTagUnclearOutsideAzureCloud(t *testing.T) {
	for _, cloud := range []string{"AzureUSGovernment", "AzureChinaCloud"} {
		for _, esu := range []bool{false, true} {
			fd := tagsNamed(select2026(t, Selection{Cloud: cloud, ESU: esu}), "AzureFrontDoor.Frontend")
			require.Len(t, fd, 1, cloud)
			assert.Contains(t, fd[0].Condition, "unclear")
			assert.True(t, cites(fd[0].Sources, "@401a4bd7"))
		}
	}
}

// Audit "Azure Government", ESU SQL package storage: "Not required if you use Azure Private Link"
// (esu-network-requirements.md @50d8efda).
func TestAuditGovernmentESUBlobNotUsedWithPrivateLink(t *testing.T) {
	e := entryIn(t, "AzureUSGovernment", "esu", "*.blob.core.usgovcloudapi.net")
	assert.Equal(t, PrivateLinkNotUsed, e.PrivateLink)
	assert.True(t, cites(e.Sources, "@50d8efda"))
	p := select2026(t, Selection{Cloud: "usgov", ESU: true, Extensions: []string{"sql"}, Mode: ModePrivateLink})
	assert.NotContains(t, patterns(p), "*.blob.core.usgovcloudapi.net")
}

// Audit "Azure Government" and "21Vianet", AMA hosts with the cloud's suffix (AMA page @20975434), and
// Hybrid Runbook Worker in Government (automation-network-configuration.md @0b5e4fe1).
func TestAuditAMAPerCloudSuffix(t *testing.T) {
	gov := select2026(t, Selection{Cloud: "usgov", Extensions: []string{"ama", "hrw"}, Location: "usgovvirginia",
		Values: map[string]string{"workspace-id": workspaceGUID}})
	assert.Equal(t, []string{"https://usgovvirginia.handler.control.monitor.azure.us"}, urls(endpoint(t, gov, "<region>.handler.control.monitor.azure.us")))
	assert.Equal(t, []string{"https://" + workspaceGUID + ".ods.opinsights.azure.us"}, urls(endpoint(t, gov, "<workspace-id>.ods.opinsights.azure.us")))
	assert.Contains(t, patterns(gov), "*.azure-automation.us")
	cn := select2026(t, Selection{Cloud: "china", Extensions: []string{"ama"}, Location: "chinaeast2"})
	assert.Equal(t, []string{"https://global.handler.control.monitor.azure.cn"}, urls(endpoint(t, cn, "global.handler.control.monitor.azure.cn")))
	for _, p := range []*Plan{gov, cn} {
		for _, ep := range p.Endpoints {
			if ep.Entry.List == ListExtensions && slices.Contains(ep.Entry.Scenarios, "ama") {
				assert.True(t, cites(ep.Entry.Sources, "@20975434"), ep.Entry.Endpoint)
				assert.True(t, ep.Entry.InspectionUnsupported, ep.Entry.Endpoint)
				assert.NotContains(t, ep.Entry.Endpoint, "monitoring.azure", "custom metrics are not available there")
			}
		}
	}
}

// Audit "21Vianet", dc.applicationinsights.azure.cn: "Not used in agent versions 1.24+" (@a0e94e03).
func TestAuditVianetTelemetryUntilAgent124(t *testing.T) {
	e := entryIn(t, "AzureChinaCloud", "standard", "dc.applicationinsights.azure.cn")
	assert.Equal(t, "agent 1.24", e.Until.Raw)
	assert.True(t, cites(e.Sources, "@a0e94e03"))
}

// Audit "21Vianet", ESU rows: kept on purpose; esu-network-requirements.md @50d8efda says ESU through Arc
// is not available in 21Vianet, and the notice says so.
func TestAuditVianetESUKeptOnPurpose(t *testing.T) {
	p := select2026(t, Selection{Cloud: "china", ESU: true})
	assert.Equal(t, sorted(esuVianet...), patterns(p))
	assert.True(t, slices.ContainsFunc(p.Notices, func(n Notice) bool {
		return strings.Contains(n.Text, "not available in Azure operated by 21Vianet")
	}))
}

// Audit "list --changes", ESU view: the rows of the first ESU tables (2023-10, @21ce6aae; Government
// 2023-11, @2f1ac028) are not "added"; *.blob.core.windows.net (2024-06-04 to 2026-02-13, @de2fa041 and
// @85eb4cb5) is there.
func TestAuditChangesESUView(t *testing.T) {
	kinds := func(p *Plan) map[string]ChangeKind {
		out := map[string]ChangeKind{}
		for _, c := range p.Changes() {
			if c.Endpoint != nil {
				out[c.Endpoint.Entry.Endpoint] = c.Kind
			}
		}
		return out
	}
	got := kinds(select2026(t, Selection{ESU: true, Extensions: []string{"sql"}}))
	assert.Equal(t, map[string]ChangeKind{
		"aka.ms":                                 ChangeRemoved,
		"san-af-<region>-prod.azurewebsites.net": ChangeRemoved,
		"*.blob.core.windows.net":                ChangeDisputed,
		"*.login.microsoft.com":                  ChangeAdded,
		"*.<region>.arcdataservices.com":         ChangeAdded,
	}, got)
	blob := entryIn(t, "AzureCloud", "esu", "*.blob.core.windows.net")
	assert.Equal(t, "2024-06-04", blob.Since.Raw)
	assert.Equal(t, "2026-02-13", blob.Until.Raw)
	assert.True(t, cites(blob.Sources, "@de2fa041") && cites(blob.Sources, "@85eb4cb5"))

	gov := kinds(select2026(t, Selection{Cloud: "usgov", ESU: true, Extensions: []string{"sql"}}))
	assert.Equal(t, map[string]ChangeKind{"aka.ms": ChangeRemoved, "*.blob.core.usgovcloudapi.net": ChangeAdded}, gov)
	// Government's full table: aka.ms removed, the SQL Server host added, nothing disputed.
	std := kinds(select2026(t, Selection{Cloud: "usgov", Extensions: []string{"sql"}}))
	assert.Equal(t, ChangeRemoved, std["aka.ms"])
	assert.Equal(t, ChangeAdded, std["*.<region>.arcdataservices.azure.us"])
	assert.NotContains(t, slices.Collect(maps.Values(std)), ChangeDisputed)
}

// ParseFile reads what Export writes with the same checksum, and refuses what Parse refuses.
func TestExportRoundTripsThroughParseFile(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, Export(&b))
	emb := mustLoad(t)
	assert.Equal(t, EmbeddedName, emb.Name)
	assert.Len(t, emb.SHA256, 64)
	path := writeFile(t, "my.txt", b.String())
	got, err := ParseFile(path)
	require.NoError(t, err)
	assert.Equal(t, path, got.Name)
	assert.Equal(t, emb.SHA256, got.SHA256)
	assert.Equal(t, emb.CloudNames(), got.CloudNames())
	for i, cl := range emb.Clouds {
		assert.Equal(t, len(cl.Entries), len(got.Clouds[i].Entries), cl.Name)
		assert.Equal(t, cl.Regions, got.Clouds[i].Regions, cl.Name)
		assert.Equal(t, cl.PreviewRegions, got.Clouds[i].PreviewRegions, cl.Name)
		assert.Equal(t, len(cl.ServiceTags), len(got.Clouds[i].ServiceTags), cl.Name)
	}
	p, err := got.Select(Selection{Cloud: "usgov"})
	require.NoError(t, err)
	assert.Same(t, got, p.Catalog)
	assert.Contains(t, p.Endpoints[0].Entry.Pos, "my.txt:")
}

func TestParseFileRejectsBadFiles(t *testing.T) {
	head := "Cloud: AzureCloud\n\n"
	entry := "Endpoint: a.example\nList: standard\nDescription: d\nWhen: always\nPrivateLink: public\nPorts: https/443\nSource: network-requirements@9f3f69f6 | t\n\n"
	regions := "Cloud: AzureCloud\nRegions: westeurope\n\n" + goodPage
	cases := []struct{ name, text, want string }{
		{"empty", "", "bad.txt: no cloud"},
		{"entry before cloud", entry + head + regions, "bad.txt:1: the first stanza must name the Cloud"},
		{"unknown key", head + "Endpoint: a.example\nColour: red\n\n" + regions, `bad.txt:4: unknown entry key "Colour"`},
		{"bad port", head + strings.Replace(entry, "https/443", "ftp/21", 1) + regions, `bad.txt:3: entry "a.example": bad port "ftp/21"`},
		{"no regions", head + entry + goodPage, "bad.txt: no regions for cloud AzureCloud"},
		{"no sources table", head + entry + "Cloud: AzureCloud\nRegions: westeurope\n",
			`bad.txt:9: entry "a.example": unknown Source page "network-requirements@9f3f69f6"`},
		{"cloud twice", head + entry + head + regions, "bad.txt:11: cloud AzureCloud is defined twice"},
		{"not key value", head + "just words\n", `bad.txt:3: expected "Key: value"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFile(writeFile(t, "bad.txt", tc.text))
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrInvalidCatalog), err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, err := ParseFile(writeFile(t, "ok.txt", head+entry+regions))
	require.NoError(t, err)
	big := writeFile(t, "big.txt", strings.Repeat("#\n", maxFileSize/2)+"#")
	_, err = ParseFile(big)
	assert.True(t, errors.Is(err, errCatalogTooLarge), err)
	assert.True(t, errors.Is(err, ErrInvalidCatalog), err)
	assert.ErrorContains(t, err, big+": catalog file too large: more than 4194304 bytes")
	require.NoError(t, os.Truncate(big, maxFileSize))
	_, err = ParseFile(big)
	assert.ErrorContains(t, err, big+": no cloud", "a file of exactly the limit is read")
}

// writeFile writes text to a file name in a test's directory and returns its path.
func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}
