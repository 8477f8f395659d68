package endpoints

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Mode is how the agent connects to Azure.
type Mode string

// The connection modes.
const (
	ModeDirect      Mode = "direct"       // straight to the public endpoints, or through an enterprise proxy
	ModeGateway     Mode = "gateway"      // through an Azure Arc gateway
	ModePrivateLink Mode = "private-link" // through an Azure Arc Private Link Scope
)

// Modes lists the valid modes.
var Modes = []Mode{ModeDirect, ModeGateway, ModePrivateLink}

// ProfileLegacyPreview selects the 2019 preview endpoint set of seed 003.
const ProfileLegacyPreview = "legacy-preview"

// ErrBadSelection is wrapped by every error about invalid selection input (a user error).
var ErrBadSelection = errors.New("invalid selection")

// Selection says which endpoints apply. The zero value (plus a cloud) is the default agent list.
type Selection struct {
	// Cloud is a cloud name or alias; empty means AzureCloud.
	Cloud string
	// Location is the Azure region; empty leaves <region> endpoints untested.
	Location string
	// Mode is the connection mode; empty means direct (or gateway when GatewayURL is set).
	Mode Mode
	// ESU selects the ESU-only subset instead of the full table.
	ESU bool
	// Extensions names the scenarios to include: sql, wac, ssh, esu, hotpatch or all.
	Extensions []string
	// GatewayURL is the Arc gateway URL (https://<prefix>.gw.arc.azure.com), for gateway mode.
	GatewayURL string
	// Profile is "" or ProfileLegacyPreview.
	Profile string
	// ProxyBypass names the agent's proxy.bypass categories (AAD, ARM, Arc, case-insensitive) whose
	// endpoints go direct when a proxy is used. Not supported in gateway mode.
	ProxyBypass []string
}

// Target is one concrete URL to probe.
type Target struct {
	URL    string // scheme://host[:port][/path]
	Scheme string // "https" or "http"
	Host   string
	Port   int
	Path   string
}

// Discovery is part of a pattern whose concrete hosts only a live call can tell.
type Discovery struct {
	Token string // TokenHISShard or TokenNotificationHosts
	URL   string // the call that answers it, for this cloud and region ("" when none is known)
}

// Endpoint is one selected catalog entry, made as concrete as is possible offline.
type Endpoint struct {
	Entry     *Entry
	Pattern   string      // the documented endpoint with <region> expanded where a location is known
	Required  bool        // whether its failure fails the run
	Targets   []Target    // concrete URLs to probe
	Discover  []Discovery // hosts to find at run time
	NotTested []string    // reasons why (part of) the pattern cannot be probed
	// BypassProxy is set when the selection's proxy bypass covers this endpoint's category.
	BypassProxy bool
	// ExpectPrivate is set when, in private-link mode, the endpoint must resolve to a private address.
	ExpectPrivate bool
}

// Excluded is a catalog entry the selection leaves out on purpose, with the reason.
type Excluded struct {
	Entry  *Entry
	Reason string
}

// Plan is the result of a selection: what to check, and what is left out.
type Plan struct {
	Cloud       *Cloud
	Location    string
	Mode        Mode
	List        string   // the documented table used
	Scenarios   []string // the scenarios included
	GatewayURL  string   // normalised gateway URL, in gateway mode
	ProxyBypass []string // the proxy.bypass categories in force, canonically spelt
	Endpoints   []Endpoint
	Excluded    []Excluded
	ServiceTags []ServiceTag
}

func badSelection(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadSelection, fmt.Sprintf(format, args...))
}

// Select applies a selection to the catalog. Invalid input gives an error wrapping ErrBadSelection
// that names the flag, the value and the valid values.
func (c *Catalog) Select(sel Selection) (*Plan, error) {
	name := sel.Cloud
	if name == "" {
		name = "AzureCloud"
	}
	cloud := c.Cloud(name)
	if cloud == nil {
		return nil, badSelection("--cloud: unknown cloud %q (valid: %s)", sel.Cloud, strings.Join(c.CloudNames(), ", "))
	}
	p := &Plan{Cloud: cloud, Mode: sel.Mode, List: "standard"}
	if p.Mode == "" {
		p.Mode = ModeDirect
		if sel.GatewayURL != "" {
			p.Mode = ModeGateway
		}
	}
	if !slices.Contains(Modes, p.Mode) {
		return nil, badSelection("--mode: unknown mode %q (valid: direct, gateway, private-link)", sel.Mode)
	}
	scenarios, err := parseExtensions(sel.Extensions)
	if err != nil {
		return nil, err
	}
	p.Scenarios = scenarios

	switch {
	case sel.Profile == ProfileLegacyPreview:
		if sel.ESU || p.Mode != ModeDirect {
			return nil, badSelection("--profile legacy-preview: the 2019 preview had no ESU subset, gateway or private link")
		}
		if cloud.Name != "AzureCloud" {
			return nil, badSelection("--profile legacy-preview: the 2019 preview existed only in AzureCloud")
		}
		p.List = ProfileLegacyPreview
	case sel.Profile != "":
		return nil, badSelection("--profile: unknown profile %q (valid: legacy-preview)", sel.Profile)
	case p.Mode == ModeGateway:
		if sel.ESU {
			return nil, badSelection("--esu: the ESU-only subset is for direct or private-link connections, not --mode gateway")
		}
		p.List = "gateway"
	case sel.ESU:
		p.List = "esu"
	}
	if sel.GatewayURL != "" && p.Mode != ModeGateway {
		return nil, badSelection("--gateway-url: only used with --mode gateway (got --mode %s)", p.Mode)
	}
	if p.Mode == ModeGateway {
		if !cloud.hasList("gateway") {
			return nil, badSelection("--mode gateway: the Arc gateway is available in AzureCloud only, not %s", cloud.Name)
		}
		if sel.GatewayURL != "" {
			if p.GatewayURL, err = normaliseGatewayURL(sel.GatewayURL); err != nil {
				return nil, err
			}
		}
	}
	for _, c := range sel.ProxyBypass {
		i := slices.IndexFunc(BypassCategories, func(v string) bool { return strings.EqualFold(v, c) })
		if i < 0 {
			return nil, badSelection("--proxy-bypass: unknown category %q (valid: %s)", c, strings.Join(BypassCategories, ", "))
		}
		p.ProxyBypass = append(p.ProxyBypass, BypassCategories[i])
	}
	if len(p.ProxyBypass) > 0 && p.Mode == ModeGateway {
		return nil, badSelection("--proxy-bypass: the Arc gateway does not support proxy bypass")
	}
	if sel.Location != "" {
		regions := cloud.Regions
		if p.List == ProfileLegacyPreview {
			regions = cloud.PreviewRegions
		}
		if p.Location, err = matchRegion(sel.Location, regions, cloud.Name); err != nil {
			return nil, err
		}
	}

	for i := range cloud.Entries {
		e := &cloud.Entries[i]
		if e.List != p.List {
			continue
		}
		if e.When == WhenScenario && !overlaps(e.Scenarios, scenarios) {
			continue
		}
		if p.Mode == ModePrivateLink && e.PrivateLink == PrivateLinkNotUsed {
			p.Excluded = append(p.Excluded, Excluded{Entry: e, Reason: "not used when private link is configured"})
			continue
		}
		p.Endpoints = append(p.Endpoints, p.expand(e))
	}
	for _, t := range cloud.ServiceTags {
		if slices.Contains(t.Lists, p.List) {
			p.ServiceTags = append(p.ServiceTags, t)
		}
	}
	return p, nil
}

func (cl *Cloud) hasList(list string) bool {
	return slices.ContainsFunc(cl.Entries, func(e Entry) bool { return e.List == list })
}

func overlaps(a, b []string) bool {
	return slices.ContainsFunc(a, func(s string) bool { return slices.Contains(b, s) })
}

// parseExtensions validates -e values (comma-separated or repeated, case-insensitive).
func parseExtensions(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, x := range splitList(v) {
			x = strings.ToLower(x)
			switch {
			case x == "all":
				out = append(out, Scenarios...)
			case slices.Contains(Scenarios, x):
				out = append(out, x)
			default:
				return nil, badSelection("--extensions: unknown extension %q (valid: %s, all)", x, strings.Join(Scenarios, ", "))
			}
		}
	}
	sort.Strings(out)
	return slices.Compact(out), nil
}

func normaliseGatewayURL(raw string) (string, error) {
	s := raw
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return "", badSelection("--gateway-url: %q is not a gateway URL (want https://<prefix>.gw.arc.azure.com)", raw)
	}
	return "https://" + u.Host, nil
}

// expand makes an entry as concrete as is possible offline.
func (p *Plan) expand(e *Entry) Endpoint {
	ep := Endpoint{Entry: e, Pattern: e.Endpoint, Required: e.When != WhenOptional && e.Legacy == "",
		BypassProxy:   e.Bypass != "" && slices.Contains(p.ProxyBypass, e.Bypass),
		ExpectPrivate: p.Mode == ModePrivateLink && e.PrivateLink == PrivateLinkPrivate}
	// Fill <region> only where the hosts really derive from the region name: the gateway list's
	// <region>.his.arc.azure.com is the identity shard (weu for westeurope), found by discovery.
	if p.Location != "" && (len(e.Targets) == 0 || slices.ContainsFunc(e.Targets, func(t string) bool {
		return strings.Contains(t, "<region>")
	})) {
		ep.Pattern = strings.ReplaceAll(ep.Pattern, "<region>", p.Location)
	}
	if p.GatewayURL != "" {
		ep.Pattern = strings.ReplaceAll(ep.Pattern, "[Your URL Prefix].gw.arc.azure.com", hostOf(p.GatewayURL))
	}
	if e.NotTested != "" {
		ep.NotTested = append(ep.NotTested, e.NotTested)
	}
	templates := e.Targets
	if len(templates) == 0 && !e.IsPattern() {
		for _, port := range e.Ports {
			templates = append(templates, port.Scheme+"://"+e.Endpoint)
		}
	}
	if len(templates) == 0 && strings.Contains(e.Endpoint, "<region>") && !strings.Contains(e.Endpoint, "*") {
		// A region-only placeholder: concrete once the location is known.
		for _, port := range e.Ports {
			templates = append(templates, port.Scheme+"://"+e.Endpoint)
		}
	}
	for _, tpl := range templates {
		switch {
		case strings.Contains(tpl, "<region>") && p.Location == "":
			ep.NotTested = appendOnce(ep.NotTested, "needs -l/--location to name the regional host")
		case strings.Contains(tpl, TokenGateway) && p.GatewayURL == "":
			ep.NotTested = appendOnce(ep.NotTested, "needs --gateway-url to name your gateway")
		case strings.Contains(tpl, TokenHISShard):
			ep.Discover = append(ep.Discover, Discovery{Token: TokenHISShard, URL: p.discoveryURL(p.Cloud.HISDiscovery)})
		case strings.Contains(tpl, TokenNotificationHosts):
			ep.Discover = append(ep.Discover, Discovery{Token: TokenNotificationHosts, URL: p.discoveryURL(p.Cloud.NotificationAllowlist)})
		default:
			s := strings.ReplaceAll(tpl, "<region>", p.Location)
			s = strings.ReplaceAll(s, TokenGateway, hostOf(p.GatewayURL))
			if t, err := ParseTarget(s); err == nil {
				ep.Targets = append(ep.Targets, t)
			}
		}
	}
	return ep
}

// discoveryURL fills a discovery URL template for the plan's region ("" when it cannot be known).
func (p *Plan) discoveryURL(tpl string) string {
	if tpl == "" || p.Location == "" {
		return ""
	}
	return strings.ReplaceAll(tpl, "<region>", url.QueryEscape(p.Location))
}

func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return u.Host
}

// ParseTarget turns a concrete http:// or https:// URL into a Target with an explicit port.
func ParseTarget(raw string) (Target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Target{}, err
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return Target{}, fmt.Errorf("%q: want an http:// or https:// URL", raw)
	}
	host := u.Hostname()
	if host == "" || strings.ContainsAny(host, "*<>{}[] ") {
		return Target{}, fmt.Errorf("%q: want a concrete host name", raw)
	}
	t := Target{Scheme: u.Scheme, Host: strings.ToLower(host), Path: u.EscapedPath()}
	if t.Path == "/" {
		t.Path = ""
	}
	if u.RawQuery != "" {
		t.Path = cmp.Or(t.Path, "/") + "?" + u.RawQuery
	}
	if ps := u.Port(); ps != "" {
		if t.Port, err = strconv.Atoi(ps); err != nil || t.Port < 1 || t.Port > 65535 {
			return Target{}, fmt.Errorf("%q: bad port", raw)
		}
	} else if u.Scheme == "https" {
		t.Port = 443
	} else {
		t.Port = 80
	}
	t.URL = t.String()
	return t, nil
}

// String writes the target as a URL, leaving out the scheme's default port.
func (t Target) String() string {
	host := t.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if !(t.Scheme == "https" && t.Port == 443) && !(t.Scheme == "http" && t.Port == 80) {
		host = net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
	}
	return t.Scheme + "://" + host + t.Path
}
