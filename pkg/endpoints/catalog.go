// Package endpoints knows WHAT arccheck checks: the catalog of endpoints the Azure Connected Machine
// agent needs, loaded from the embedded data files, and the selection of the endpoints that apply to a
// cloud, region, connection mode and set of scenarios. It contains no network code.
package endpoints

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/arccheck/arccheck/data"
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

// seedDocuments are the reference documents a Source may cite by file name.
var seedDocuments = []string{
	"000_81824ce7d8eb1b9c.txt",
	"001_6c84d4827c88e6ac.txt",
	"002_13d341821de41fb0.txt",
	"003_5560c87bf92d8b2f.txt",
	"004_c19d5f8e161f455a.txt",
}

// currentDoc matches a dated current-documentation source such as "network requirements, 2025-09".
var currentDoc = regexp.MustCompile(`^[a-z][a-z0-9 ]*, 20[0-9]{2}-[01][0-9]$`)

// Source says where an entry comes from: a document and the table or section in it.
type Source struct {
	Document string // a seed file name, or a dated current-documentation fact
	Table    string // the table or section in it
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
}

// ErrInvalidCatalog is wrapped by every error about malformed catalog data.
var ErrInvalidCatalog = errors.New("invalid catalog")

// Load returns the catalog embedded in the binary, parsed and validated once (callers share it and
// must not change it).
func Load() (*Catalog, error) { return loadEmbedded() }

var loadEmbedded = sync.OnceValues(func() (*Catalog, error) {
	c, err := Parse(data.FS)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := exportFS(&b, data.FS); err != nil {
		return nil, err
	}
	c.Name, c.SHA256 = EmbeddedName, checksum(b.Bytes())
	return c, nil
})

// Parse reads and validates every *.txt catalog file of fsys. Errors name the file, line and entry.
func Parse(fsys fs.FS) (*Catalog, error) {
	names, err := fs.Glob(fsys, "*.txt")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var clouds []cloudStanzas
	var regions []stanza
	for _, name := range names {
		f, err := fsys.Open(name)
		if err != nil {
			return nil, err
		}
		stanzas, err := parseStanzas(name, f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidCatalog, err)
		}
		if name == "regions.txt" {
			regions = stanzas
			continue
		}
		clouds = append(clouds, cloudStanzas{file: name, stanzas: stanzas})
	}
	return assemble("regions.txt", clouds, regions)
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

// addRegions reads the regions stanzas; file names where they should be, for a cloud that has none.
func (c *Catalog) addRegions(file string, stanzas []stanza) error {
	for _, s := range stanzas {
		if err := checkKeys(s, regionKeys, "regions"); err != nil {
			return err
		}
		cl := c.Cloud(s.first("Cloud"))
		if cl == nil {
			return fmt.Errorf("%s:%d: unknown cloud %q", s.file, s.line, s.first("Cloud"))
		}
		cl.Regions = splitList(s.first("Regions"))
		cl.PreviewRegions = splitList(s.first("PreviewRegions"))
	}
	for _, cl := range c.Clouds {
		if len(cl.Regions) == 0 {
			return fmt.Errorf("%s: no regions for cloud %s (want a stanza with Cloud: %s and Regions)", file, cl.Name, cl.Name)
		}
	}
	return nil
}

var cloudKeys = []string{"Cloud", "Display", "Aliases", "Issuers", "HISDiscovery", "NotificationAllowlist"}
var regionKeys = []string{"Cloud", "Regions", "PreviewRegions"}
var tagKeys = []string{"ServiceTag", "Lists", "Scenarios", "Condition", "Source", "Since", "Until"}
var noticeKeys = []string{"Notice", "Lists", "Scenarios", "Source"}
var entryKeys = []string{"Endpoint", "List", "Description", "When", "Scenarios", "PrivateLink", "Ports",
	"Target", "NotTested", "Bypass", "TLS", "Legacy", "Note", "Source", "Since", "Until", "Disputed", "Gateway",
	"Inspection", "ProxyAuth", "Expect"}

func parseCloudFile(name string, stanzas []stanza) (*Cloud, error) {
	if len(stanzas) == 0 || stanzas[0].first("Cloud") == "" {
		return nil, fmt.Errorf("%s: the first stanza must name the Cloud", name)
	}
	head := stanzas[0]
	if err := checkKeys(head, cloudKeys, "cloud"); err != nil {
		return nil, err
	}
	cl := &Cloud{
		Name:                  head.first("Cloud"),
		Display:               head.first("Display"),
		Issuers:               splitList(head.first("Issuers")),
		HISDiscovery:          head.first("HISDiscovery"),
		NotificationAllowlist: head.first("NotificationAllowlist"),
	}
	for _, a := range splitList(head.first("Aliases")) {
		cl.Aliases = append(cl.Aliases, strings.ToLower(a))
	}
	for _, u := range []string{cl.HISDiscovery, cl.NotificationAllowlist} {
		if u != "" {
			if _, err := parseTemplateURL(u); err != nil {
				return nil, fmt.Errorf("%s:%d: cloud %s: %v", name, head.line, cl.Name, err)
			}
		}
	}
	seen := map[string]string{}
	for _, s := range stanzas[1:] {
		switch {
		case s.first("ServiceTag") != "":
			tag, err := parseServiceTag(s)
			if err != nil {
				return nil, err
			}
			cl.ServiceTags = append(cl.ServiceTags, tag)
		case s.first("Notice") != "":
			n, err := parseNotice(s)
			if err != nil {
				return nil, err
			}
			cl.Notices = append(cl.Notices, n)
		case s.first("Endpoint") != "":
			e, err := parseEntry(s)
			if err != nil {
				return nil, err
			}
			key := e.List + " " + e.Endpoint
			if prev, dup := seen[key]; dup {
				return nil, fmt.Errorf("%s: entry %q: list %s already has it at %s", e.Pos, e.Endpoint, e.List, prev)
			}
			seen[key] = e.Pos
			cl.Entries = append(cl.Entries, e)
		default:
			return nil, fmt.Errorf("%s:%d: stanza is neither an Endpoint, a ServiceTag nor a Notice", s.file, s.line)
		}
	}
	return cl, nil
}

func checkKeys(s stanza, allowed []string, what string) error {
	for _, f := range s.fields {
		if !slices.Contains(allowed, f.key) {
			return fmt.Errorf("%s:%d: unknown %s key %q (valid: %s)", s.file, f.line, what, f.key, strings.Join(allowed, ", "))
		}
	}
	return nil
}

func parseServiceTag(s stanza) (ServiceTag, error) {
	t := ServiceTag{Name: s.first("ServiceTag"), Condition: s.first("Condition"), Lists: splitList(s.first("Lists")),
		Scenarios: splitList(s.first("Scenarios"))}
	bad := func(msg string) error {
		return fmt.Errorf("%s:%d: service tag %q: %s", s.file, s.line, t.Name, msg)
	}
	if err := checkKeys(s, tagKeys, "service tag"); err != nil {
		return t, err
	}
	if len(t.Lists) == 0 {
		return t, bad("Lists is missing")
	}
	if err := allOf("list", t.Lists, Lists); err != nil {
		return t, bad(err.Error())
	}
	if err := allOf("scenario", t.Scenarios, Scenarios); err != nil {
		return t, bad(err.Error())
	}
	var err error
	if t.Sources, err = parseSources(s.all("Source")); err != nil {
		return t, bad(err.Error())
	}
	if t.Since, t.Until, err = parseBounds(s); err != nil {
		return t, bad(err.Error())
	}
	return t, nil
}

func parseNotice(s stanza) (Notice, error) {
	n := Notice{Text: s.first("Notice"), Lists: splitList(s.first("Lists")), Scenarios: splitList(s.first("Scenarios"))}
	bad := func(msg string) error { return fmt.Errorf("%s:%d: notice: %s", s.file, s.line, msg) }
	if err := checkKeys(s, noticeKeys, "notice"); err != nil {
		return n, err
	}
	if len(n.Lists)+len(n.Scenarios) == 0 {
		return n, bad("needs Lists or Scenarios to say when it applies")
	}
	if err := allOf("list", n.Lists, Lists); err != nil {
		return n, bad(err.Error())
	}
	if err := allOf("scenario", n.Scenarios, Scenarios); err != nil {
		return n, bad(err.Error())
	}
	var err error
	if n.Sources, err = parseSources(s.all("Source")); err != nil {
		return n, bad(err.Error())
	}
	return n, nil
}

func parseEntry(s stanza) (Entry, error) {
	e := Entry{
		Endpoint:    s.first("Endpoint"),
		List:        s.first("List"),
		Description: s.first("Description"),
		When:        When(s.first("When")),
		Scenarios:   splitList(s.first("Scenarios")),
		PrivateLink: PrivateLink(s.first("PrivateLink")),
		Targets:     s.all("Target"),
		NotTested:   s.first("NotTested"),
		Bypass:      s.first("Bypass"),
		TLS:         splitList(s.first("TLS")),
		Legacy:      s.first("Legacy"),
		Notes:       s.all("Note"),
		Pos:         fmt.Sprintf("%s:%d", s.file, s.line),
	}
	if err := checkKeys(s, entryKeys, "entry"); err != nil {
		return e, fmt.Errorf("%w (entry %q)", err, e.Endpoint)
	}
	for _, step := range entrySteps {
		if err := step(&e, s); err != nil {
			return e, fmt.Errorf("%s: entry %q: %w", e.Pos, e.Endpoint, err)
		}
	}
	return e, nil
}

// entrySteps validate an entry (and parse its Ports and Sources), in order; the first error is reported.
var entrySteps = []func(*Entry, stanza) error{
	checkRequiredKeys,
	checkEndpointShape,
	func(e *Entry, _ stanza) error { return oneOf("List", e.List, Lists) },
	checkWhen,
	func(e *Entry, _ stanza) error { return allOf("scenario", e.Scenarios, Scenarios) },
	func(e *Entry, _ stanza) error { return oneOf("PrivateLink", e.PrivateLink, privateLinks) },
	parseEntryPorts,
	checkTargets,
	checkBypass,
	func(e *Entry, _ stanza) error { return allOf("TLS version", e.TLS, tlsVersions) },
	func(e *Entry, _ stanza) error { return checkPlaceholders(e.Endpoint) },
	checkTestable,
	parseEntrySources,
	parseEntry2026,
	parseExpect,
}

// parseExpect reads the Expect lines: `URL STATUS`, the URL a template as Target lines are.
func parseExpect(e *Entry, s stanza) error {
	for _, line := range s.all("Expect") {
		u, code, ok := strings.Cut(strings.TrimSpace(line), " ")
		status, err := strconv.Atoi(strings.TrimSpace(code))
		if !ok || err != nil || status < 100 || status > 599 {
			return fmt.Errorf("an Expect line %q: want a URL and an HTTP status (https://host/path 200)", line)
		}
		if _, err := parseTemplateURL(u); err != nil {
			return fmt.Errorf("an Expect line %q: %w", line, err)
		}
		e.Expect = append(e.Expect, Expectation{URL: u, Status: status})
	}
	return nil
}

// parseEntry2026 reads the keys current documentation needs: Since, Until, Disputed, Gateway, Inspection
// and ProxyAuth.
func parseEntry2026(e *Entry, s stanza) error {
	var err error
	if e.Since, e.Until, err = parseBounds(s); err != nil {
		return err
	}
	e.Disputed = s.first("Disputed")
	flags := []struct {
		key, want string
		dst       *bool
	}{
		{"Gateway", "direct", &e.GatewayDirect},
		{"Inspection", "unsupported", &e.InspectionUnsupported},
		{"ProxyAuth", "basic", &e.ProxyBasicAuth},
	}
	for _, f := range flags {
		switch v := s.first(f.key); v {
		case "":
		case f.want:
			*f.dst = true
		default:
			return fmt.Errorf("unknown %s %q (valid: %s)", f.key, v, f.want)
		}
	}
	return nil
}

var whens = []When{WhenInstall, WhenAlways, WhenConnect, WhenScenario, WhenOptional}
var privateLinks = []PrivateLink{PrivateLinkPublic, PrivateLinkPrivate, PrivateLinkNotUsed, PrivateLinkPublicUnlessARMPL,
	PrivateLinkUnspecified}
var tlsVersions = []string{"1.0", "1.1", "1.2", "1.3"}

// oneOf checks v is one of valid; what names it in the error.
func oneOf[T ~string](what string, v T, valid []T) error {
	if slices.Contains(valid, v) {
		return nil
	}
	return fmt.Errorf("unknown %s %q (valid: %s)", what, v, strings.Join(names(valid), ", "))
}

// allOf checks every value is one of valid.
func allOf(what string, values, valid []string) error {
	for _, v := range values {
		if err := oneOf(what, v, valid); err != nil {
			return err
		}
	}
	return nil
}

func checkRequiredKeys(_ *Entry, s stanza) error {
	for _, k := range []string{"List", "Description", "When", "PrivateLink", "Ports", "Source"} {
		if s.first(k) == "" {
			return fmt.Errorf("%s is missing", k)
		}
	}
	return nil
}

func checkEndpointShape(e *Entry, _ stanza) error {
	if (strings.ContainsAny(e.Endpoint, " \t,") || strings.Contains(e.Endpoint, "://")) &&
		!strings.HasPrefix(e.Endpoint, "[Your URL Prefix]") {
		return errors.New("Endpoint must be one host or pattern, as documented, without scheme")
	}
	return nil
}

func checkWhen(e *Entry, _ stanza) error {
	if err := oneOf("When", e.When, whens); err != nil {
		return err
	}
	switch {
	case e.When == WhenScenario && len(e.Scenarios) == 0:
		return errors.New("When: scenario needs Scenarios")
	case e.When != WhenScenario && len(e.Scenarios) > 0:
		//lint:ignore ST1005 the message starts with the catalog key it is about
		return errors.New("Scenarios is only valid with When: scenario")
	}
	return nil
}

func parseEntryPorts(e *Entry, s stanza) error {
	for _, p := range splitList(s.first("Ports")) {
		port, err := parsePort(p)
		if err != nil {
			return err
		}
		e.Ports = append(e.Ports, port)
	}
	return nil
}

func checkTargets(e *Entry, _ stanza) error {
	for _, t := range e.Targets {
		if _, err := parseTemplateURL(t); err != nil {
			return fmt.Errorf("Target %q: %w", t, err)
		}
	}
	return nil
}

func checkBypass(e *Entry, _ stanza) error {
	if e.Bypass == "" {
		return nil
	}
	return oneOf("Bypass", e.Bypass, BypassCategories)
}

func checkTestable(e *Entry, _ stanza) error {
	if strings.ContainsAny(e.Endpoint, "*[") && len(e.Targets) == 0 && e.NotTested == "" {
		return errors.New("a wildcard or placeholder pattern needs Target lines or a NotTested reason")
	}
	return nil
}

func parseEntrySources(e *Entry, s stanza) error {
	var err error
	e.Sources, err = parseSources(s.all("Source"))
	return err
}

func parsePort(p string) (Port, error) {
	scheme, num, ok := strings.Cut(p, "/")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 1 || n > 65535 || (scheme != "https" && scheme != "http") {
		return Port{}, fmt.Errorf("bad port %q (want https/443 or http/80 style)", p)
	}
	return Port{Scheme: scheme, Number: n}, nil
}

// checkPlaceholders allows the documented placeholders only: <region> and [Your URL Prefix].
func checkPlaceholders(endpoint string) error {
	valid := append([]string{"<region>", "[Your URL Prefix]"}, valuePlaceholders()...)
	rest := endpoint
	for _, ph := range valid {
		rest = strings.ReplaceAll(rest, ph, "")
	}
	if strings.ContainsAny(rest, "<>[]{}") {
		return fmt.Errorf("unknown placeholder in %q (valid: %s)", endpoint, strings.Join(valid, ", "))
	}
	return nil
}

// parseTemplateURL checks a URL template: http or https, a host, tokens only where they belong.
func parseTemplateURL(t string) (*url.URL, error) {
	concrete := strings.NewReplacer("<region>", "region", TokenHISShard, "shard", TokenNotificationHosts, "hosts",
		TokenGateway, "gateway").Replace(t)
	for _, ph := range valuePlaceholders() {
		concrete = strings.ReplaceAll(concrete, ph, "value")
	}
	if strings.ContainsAny(concrete, "<>{}*[]") {
		return nil, fmt.Errorf("unknown token (valid: <region>, {his-shard}, {notification-hosts}, {gateway}, %s)",
			strings.Join(valuePlaceholders(), ", "))
	}
	u, err := url.Parse(concrete)
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("want an http:// or https:// URL with a host")
	}
	return u, nil
}

func parseSources(values []string) ([]Source, error) {
	if len(values) == 0 {
		return nil, errors.New("Source is missing")
	}
	var out []Source
	for _, v := range values {
		doc, table, ok := strings.Cut(v, "|")
		doc, table = strings.TrimSpace(doc), strings.TrimSpace(table)
		if !ok || doc == "" || table == "" {
			return nil, fmt.Errorf("bad Source %q (want \"document | table\")", v)
		}
		if !slices.Contains(seedDocuments, doc) && !currentDoc.MatchString(doc) {
			return nil, fmt.Errorf("bad Source document %q (want a seed file name such as %s, or a dated fact such as \"network requirements, 2025-09\")",
				doc, seedDocuments[2])
		}
		out = append(out, Source{Document: doc, Table: table})
	}
	return out, nil
}
