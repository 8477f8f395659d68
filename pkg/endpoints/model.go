// Package endpoints knows WHAT arccheck checks: the catalog of endpoints the Azure Connected Machine
// agent needs, loaded from the embedded data files, and the selection of the endpoints that apply to a
// cloud, region, connection mode and set of scenarios. It contains no network code.
package endpoints

import (
	"slices"
	"strconv"
	"strings"
)

// When says when the agent needs an endpoint, in the documentation's terms.
type When string

// The values of When.
const (
	WhenInstall  When = "install"  // at installation time only
	WhenAlways   When = "always"   // always
	WhenConnect  When = "connect"  // when connecting or disconnecting a server only
	WhenScenario When = "scenario" // only for the scenarios named in Entry.Scenarios
	WhenOptional When = "optional" // optional (e.g. telemetry no longer used)
)

// PrivateLink says how an endpoint behaves when the agent uses an Azure Arc Private Link Scope.
type PrivateLink string

// The values of PrivateLink.
const (
	PrivateLinkPublic            PrivateLink = "public"                         // still reached over the internet
	PrivateLinkPrivate           PrivateLink = "private"                        // reached over the private endpoint
	PrivateLinkNotUsed           PrivateLink = "not-used"                       // not used when private link is configured
	PrivateLinkPublicUnlessARMPL PrivateLink = "public-unless-arm-private-link" // public unless an ARM private link exists
	PrivateLinkUnspecified       PrivateLink = "unspecified"                    // the source table has no such column
)

// Lists are the documented tables an entry can belong to.
var Lists = []string{"standard", "esu", "gateway", "legacy-preview", ListExtensions}

// ListExtensions holds the endpoints of extensions (Azure Monitor Agent, Defender, …) that are not rows
// of the agent's tables: they join whichever list is selected when their scenario is.
const ListExtensions = "extensions"

// Scenarios are the extension scenarios a Selection accepts in Extensions (besides "all").
var Scenarios = []string{"sql", "wac", "ssh", "esu", "hotpatch", "ama", "mde", "update", "keyvault", "hrw", "benefits", "payg"}

// ExtendedScenarios are the extended use cases `azcmagent check --include-all` adds to the onboarding
// checks: licence validation for hotpatching, Windows Server Azure Benefits and Windows Server
// pay-as-you-go (dls.microsoft.com). Selection.IncludeAll selects them.
var ExtendedScenarios = []string{"benefits", "hotpatch", "payg"}

// BypassCategories are the agent's proxy.bypass categories an entry can belong to.
var BypassCategories = []string{"AAD", "ARM", "Arc", "AMA", "ArcData"}

// Discovery tokens in Target templates: host names that only a live call can tell.
const (
	TokenHISShard          = "{his-shard}"
	TokenNotificationHosts = "{notification-hosts}"
	TokenGateway           = "{gateway}"
)

// Page is one Microsoft documentation page as it read at one version: a row of the catalog's sources
// table (data/sources.txt), which every Source names.
type Page struct {
	ID    string // the catalog's name for it, e.g. "network-requirements@b703da5a"; never shown to users
	Title string // the page's title at that version
	Short string // a shorter name for narrow columns; the Title when the catalog gives none
	URL   string // the page's public address (https://learn.microsoft.com/…)
	// Date is the version's date: its commit's date, or the month the page was read; zero when the
	// page publishes no history.
	Date Bound
	// Revision is the page's source at that version (a GitHub URL at a commit); "" when none is published.
	Revision string
	// Baseline is set for the older tables Plan.Changes compares the current ones with.
	Baseline bool
	Pos      string // file:line of its stanza
}

// Source says where an entry comes from: a page and the table or section in it.
type Source struct {
	Page  *Page  // never nil in a parsed catalog
	Table string // the table or section of the page
}

// Port is one scheme and TCP port an endpoint is used on.
type Port struct {
	Scheme string // "https" or "http"
	Number int
}

// String writes the port as scheme/number, e.g. "https/443".
func (p Port) String() string { return p.Scheme + "/" + strconv.Itoa(p.Number) }

// Entry is one row of one documented endpoint table.
type Entry struct {
	Endpoint    string      // exactly as the documentation writes it
	List        string      // the table: one of Lists
	Description string      // the documentation's description
	When        When        // when the agent needs it
	Scenarios   []string    // with WhenScenario: the scenarios that need it
	PrivateLink PrivateLink // behaviour with Private Link
	Ports       []Port      // schemes and ports it is used on
	Targets     []string    // concrete URL templates to probe
	NotTested   string      // why (part of) the pattern cannot be probed
	Bypass      string      // the agent's proxy.bypass category, if any
	TLS         []string    // TLS versions it accepts, where documented ("1.2", "1.3")
	Legacy      string      // why it is kept although current documentation dropped it
	Notes       []string    // facts that qualify it
	Sources     []Source    // where it comes from
	Pos         string      // file:line of its stanza
	// Since and Until say from and until when it applies: a documentation date or an agent version.
	// An entry whose Until date has passed is no longer required.
	Since, Until Bound
	// Disputed says why documents disagree about it; a disputed entry never fails a run on its own.
	Disputed string
	// GatewayDirect is set when the Arc gateway does not carry it: in gateway mode it must still be
	// allowed directly.
	GatewayDirect bool
	// InspectionUnsupported is set when TLS inspection breaks it: a re-signed chain is a failure.
	InspectionUnsupported bool
	// ProxyBasicAuth is set when the software that uses it can authenticate to a proxy with Basic
	// credentials (the Arc agent cannot; Azure Monitor Agent can).
	ProxyBasicAuth bool
	// Expect are documented answers: a GET of a URL (template) answers a status.
	Expect []Expectation
}

// Expectation is a documented answer: a GET of URL (a template, as Target lines are) answers Status.
type Expectation struct {
	URL    string
	Status int
}

// IsPattern reports whether the documented endpoint has a wildcard or placeholder.
func (e *Entry) IsPattern() bool {
	return strings.ContainsAny(e.Endpoint, "*[<{")
}

// ServiceTag is an Azure service tag a firewall may allow instead of host names.
type ServiceTag struct {
	Name      string   // the tag's name
	Condition string   // when or how it applies, if the documentation qualifies it
	Lists     []string // the lists it applies to
	// Scenarios, when set, limit it to selections that include one of them (an extension's tag).
	Scenarios []string
	Sources   []Source // where it comes from
	// Since and Until say from and until when it applies; one whose Until date has passed is not listed.
	Since, Until Bound
}

// Notice is a documented fact about a whole selection, such as a scenario that is not available in a
// cloud. It applies when the selection uses one of its Lists or includes one of its Scenarios.
type Notice struct {
	Text      string
	Lists     []string
	Scenarios []string
	Sources   []Source
}

// Cloud is one Azure cloud with its endpoints, regions and service tags.
type Cloud struct {
	Name                  string   // AzureCloud, AzureUSGovernment, AzureChinaCloud
	Display               string   // the documentation's name
	Aliases               []string // other names Selection.Cloud accepts, lower case
	Issuers               []string // organisations expected to issue the endpoints' certificates
	HISDiscovery          string   // URL template answering the regional identity shard
	NotificationAllowlist string   // URL template answering the notification Service Bus hosts
	Regions               []string // region names Selection.Location accepts
	PreviewRegions        []string // region names of the 2019 preview (legacy-preview profile)
	ServiceTags           []ServiceTag
	Notices               []Notice
	Entries               []Entry
}

// Catalog is every cloud arccheck knows.
type Catalog struct {
	// Name says which catalog this is: "embedded", or the path of the file it was read from.
	Name string
	// SHA256 is the hex SHA-256 of the catalog as one file: of the file read, or, for the embedded
	// catalog, of what Export writes (so an exported copy has the same checksum until it is edited).
	SHA256 string
	Clouds []*Cloud
	// Pages are the sources table: every page a Source of the catalog may name, in file order.
	Pages []*Page
}

// Cloud returns the cloud with that canonical name or alias (case-insensitive), or nil.
func (c *Catalog) Cloud(name string) *Cloud {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, cl := range c.Clouds {
		if strings.ToLower(cl.Name) == n || slices.Contains(cl.Aliases, n) {
			return cl
		}
	}
	return nil
}

// CloudNames returns the canonical cloud names in catalog order.
func (c *Catalog) CloudNames() []string {
	var out []string
	for _, cl := range c.Clouds {
		out = append(out, cl.Name)
	}
	return out
}
