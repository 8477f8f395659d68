package endpoints

import (
	"cmp"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/arccheck/arccheck/internal/safetext"
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

// gatewayURLForm is the form of an Arc gateway URL.
const gatewayURLForm = "https://<prefix>" + gatewaySuffix

// gatewaySuffix ends the host name of every Arc gateway.
const gatewaySuffix = ".gw.arc.azure.com"

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
	// Extensions names the scenarios to include: any of Scenarios, or all.
	Extensions []string
	// IncludeAll adds the ExtendedScenarios, as `azcmagent check --include-all` does.
	IncludeAll bool
	// GatewayURL is the Arc gateway URL (https://<prefix>.gw.arc.azure.com), for gateway mode.
	GatewayURL string
	// Profile is "" or ProfileLegacyPreview.
	Profile string
	// ProxyBypass names the agent's proxy.bypass categories (AAD, ARM, Arc, AMA, ArcData,
	// case-insensitive) whose endpoints go direct when a proxy is used. Not supported in gateway mode.
	ProxyBypass []string
	// Values are the names only the user knows (see Values), by name: "workspace-id" → a GUID.
	Values map[string]string
	// Now is the date entries' Since and Until are judged against; zero means today.
	Now time.Time
}

// Excluded is a catalog entry the selection leaves out on purpose, with the reason.
type Excluded struct {
	Entry  *Entry
	Reason string
}

// Plan is the result of a selection: what to check, and what is left out.
type Plan struct {
	// Catalog is the catalog selected from: its Name and SHA256 say which one a run used.
	Catalog     *Catalog
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
	// Notices are the documented facts about this selection as a whole (e.g. a scenario not available
	// in this cloud).
	Notices []Notice
	// Values are the values given, by name, as the endpoints use them (lower case).
	Values map[string]string
	values map[string]string // the same, by placeholder
	now    time.Time
}

// Select applies a selection to the catalog. Every error is a *SelectionError (wrapping
// ErrBadSelection) naming the part of the selection, the value and the valid values.
func (c *Catalog) Select(sel Selection) (*Plan, error) {
	cloud, err := c.resolveCloud(sel.Cloud)
	if err != nil {
		return nil, err
	}
	p := &Plan{Catalog: c, Cloud: cloud, now: sel.Now}
	if p.now.IsZero() {
		p.now = time.Now()
	}
	if p.Mode, err = resolveMode(sel); err != nil {
		return nil, err
	}
	if p.Scenarios, err = parseExtensions(sel.Extensions); err != nil {
		return nil, err
	}
	if sel.IncludeAll {
		p.Scenarios = slices.Compact(slices.Sorted(slices.Values(append(p.Scenarios, ExtendedScenarios...))))
	}
	if p.List, err = chooseList(sel, p.Mode, cloud); err != nil {
		return nil, err
	}
	if p.GatewayURL, err = resolveGatewayURL(sel.GatewayURL, p.Mode); err != nil {
		return nil, err
	}
	if p.ProxyBypass, err = canonicalBypass(sel.ProxyBypass, p.Mode); err != nil {
		return nil, err
	}
	if p.Location, err = c.resolveLocation(sel.Location, cloud, p.List); err != nil {
		return nil, err
	}
	if p.values, err = resolveValues(sel.Values, p.Scenarios); err != nil {
		return nil, err
	}
	p.Values = map[string]string{}
	for name, v := range sel.Values {
		p.Values[strings.ToLower(name)] = strings.ToLower(v)
	}
	p.pick()
	return p, nil
}

// resolveCloud finds the named cloud; empty means AzureCloud.
func (c *Catalog) resolveCloud(name string) (*Cloud, error) {
	if cl := c.Cloud(cmp.Or(name, "AzureCloud")); cl != nil {
		return cl, nil
	}
	return nil, &SelectionError{Field: FieldCloud, Value: name, Reason: "unknown cloud", Valid: c.CloudNames()}
}

// resolveMode returns the connection mode: as given (in any case), else gateway when a gateway URL is given, else direct.
func resolveMode(sel Selection) (Mode, error) {
	switch {
	case sel.Mode == "" && sel.GatewayURL != "":
		return ModeGateway, nil
	case sel.Mode == "":
		return ModeDirect, nil
	}
	if i := slices.IndexFunc(Modes, func(m Mode) bool { return strings.EqualFold(string(m), string(sel.Mode)) }); i >= 0 {
		return Modes[i], nil
	}
	return "", &SelectionError{Field: FieldMode, Value: string(sel.Mode), Reason: "unknown mode", Valid: names(Modes)}
}

// parseExtensions validates the extension scenarios (comma-separated or repeated, case-insensitive).
func parseExtensions(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, given := range splitList(v) {
			x := strings.ToLower(given)
			switch {
			case x == "all":
				out = append(out, Scenarios...)
			case slices.Contains(Scenarios, x):
				out = append(out, x)
			default:
				return nil, &SelectionError{Field: FieldExtensions, Value: given, Reason: "unknown extension",
					Valid: append(slices.Clone(Scenarios), "all")}
			}
		}
	}
	sort.Strings(out)
	return slices.Compact(out), nil
}

// chooseList returns the documented table the profile, mode and ESU choice select.
func chooseList(sel Selection, mode Mode, cloud *Cloud) (string, error) {
	switch {
	case strings.EqualFold(sel.Profile, ProfileLegacyPreview):
		return legacyPreviewTable(sel, mode, cloud)
	case sel.Profile != "":
		return "", &SelectionError{Field: FieldProfile, Value: sel.Profile, Reason: "unknown profile",
			Valid: []string{ProfileLegacyPreview}}
	case mode == ModeGateway:
		return gatewayTable(sel, cloud)
	case sel.ESU:
		return "esu", nil
	}
	return "standard", nil
}

// legacyPreviewTable checks that the selection fits the 2019 preview.
func legacyPreviewTable(sel Selection, mode Mode, cloud *Cloud) (string, error) {
	conflict := func(reason string, with Field, withValue string) error {
		return &SelectionError{Field: FieldProfile, Value: sel.Profile, Reason: reason, With: with, WithValue: withValue}
	}
	const noSuch = "the 2019 preview had no ESU subset, gateway or private link"
	switch {
	case sel.ESU:
		return "", conflict(noSuch, FieldESU, "")
	case mode != ModeDirect:
		return "", conflict(noSuch, FieldMode, string(mode))
	case cloud.Name != "AzureCloud":
		return "", conflict("the 2019 preview existed only in AzureCloud", FieldCloud, cloud.Name)
	}
	return ProfileLegacyPreview, nil
}

// gatewayTable checks that the selection fits the Arc gateway.
func gatewayTable(sel Selection, cloud *Cloud) (string, error) {
	if sel.ESU {
		return "", &SelectionError{Field: FieldESU, With: FieldMode, WithValue: string(ModeGateway),
			Reason: "the ESU-only subset is for direct or private-link connections, not the Arc gateway"}
	}
	if !cloud.hasList("gateway") {
		return "", &SelectionError{Field: FieldMode, Value: string(ModeGateway), With: FieldCloud, WithValue: cloud.Name,
			Reason: "the Arc gateway is available in AzureCloud only"}
	}
	return "gateway", nil
}

// resolveGatewayURL checks a gateway URL is given in gateway mode only, and normalises it.
func resolveGatewayURL(raw string, mode Mode) (string, error) {
	if raw == "" {
		return "", nil
	}
	if mode != ModeGateway {
		return "", &SelectionError{Field: FieldGatewayURL, Reason: "only used in gateway mode", With: FieldMode,
			WithValue: string(mode)}
	}
	return normaliseGatewayURL(raw)
}

// normaliseGatewayURL turns a gateway host or URL into https://host[:port].
func normaliseGatewayURL(raw string) (string, error) {
	if mayHoldUserInfo(raw) {
		return "", &SelectionError{Field: FieldGatewayURL, Reason: "user information (user:password@) is not allowed in a gateway URL; remove it (the value is not shown: it may hold a password)",
			Valid: []string{gatewayURLForm}}
	}
	u, err := url.Parse(withDefaultScheme(raw))
	if err != nil || u.Scheme != "https" || !isGatewayHost(u.Hostname()) || (u.Port() != "" && u.Port() != "443") ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", &SelectionError{Field: FieldGatewayURL, Value: safetext.Escape(raw), Reason: "not a gateway URL",
			Valid: []string{gatewayURLForm}}
	}
	return "https://" + strings.ToLower(u.Hostname()), nil
}

// isGatewayHost reports whether host is an Arc gateway's: one DNS label (letters, digits and hyphens,
// 1 to 63 characters, no hyphen at either end) before .gw.arc.azure.com. The prefix goes into firewall
// and proxy rules and spreadsheets, so nothing else passes, wherever the URL comes from (--gateway-url,
// the agent's gatewayUrl, a catalog).
func isGatewayHost(host string) bool {
	prefix, ok := strings.CutSuffix(strings.ToLower(host), gatewaySuffix)
	return ok && IsDNSLabel(prefix)
}

// IsDNSLabel reports whether s is one DNS label in the host-name syntax (RFC 1123): 1 to 63 letters,
// digits and hyphens, starting and ending with a letter or digit.
func IsDNSLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; !('a' <= c && c <= 'z') && !('0' <= s[i] && s[i] <= '9') && s[i] != '-' {
			return false
		}
	}
	return true
}

// canonicalBypass spells the proxy.bypass categories as the agent does; the gateway takes none.
func canonicalBypass(given []string, mode Mode) ([]string, error) {
	var out []string
	for _, c := range given {
		i := slices.IndexFunc(BypassCategories, func(v string) bool { return strings.EqualFold(v, c) })
		if i < 0 {
			return nil, &SelectionError{Field: FieldProxyBypass, Value: c, Reason: "unknown category",
				Valid: slices.Clone(BypassCategories)}
		}
		out = append(out, BypassCategories[i])
	}
	if len(out) > 0 && mode == ModeGateway {
		return nil, &SelectionError{Field: FieldProxyBypass, Reason: "the Arc gateway does not support proxy bypass",
			With: FieldMode, WithValue: string(mode)}
	}
	return out, nil
}

// resolveLocation matches a location against the regions of the cloud (or of the 2019 preview). A
// region of another cloud of the catalog is refused naming that cloud and how to choose it.
func (c *Catalog) resolveLocation(raw string, cloud *Cloud, list string) (string, error) {
	if raw == "" {
		return "", nil
	}
	if list == ProfileLegacyPreview {
		return matchRegion(raw, cloud.PreviewRegions, cloud.Name+" 2019 preview")
	}
	loc, err := matchRegion(raw, cloud.Regions, cloud.Name)
	if err == nil {
		return loc, nil
	}
	for _, other := range c.Clouds {
		if other != cloud && slices.Contains(other.Regions, NormaliseRegion(raw)) {
			give := other.Name // or its first alias, the short name: usgov, china
			if len(other.Aliases) > 0 {
				give = other.Aliases[0]
			}
			return "", &SelectionError{Field: FieldLocation, Value: raw,
				Reason:  "is a region of " + other.Display + " (" + other.Name + "), not of " + cloud.Name,
				Instead: FieldCloud, InsteadValue: give}
		}
	}
	return "", err
}

// pick adds the cloud's entries and service tags of the plan's list, in catalog order.
func (p *Plan) pick() {
	for i := range p.Cloud.Entries {
		e := &p.Cloud.Entries[i]
		switch {
		case e.List != p.List && !(e.List == ListExtensions && p.List != ProfileLegacyPreview):
		case e.When == WhenScenario && !overlaps(e.Scenarios, p.Scenarios):
		case p.Mode == ModePrivateLink && e.PrivateLink == PrivateLinkNotUsed:
			p.Excluded = append(p.Excluded, Excluded{Entry: e, Reason: "not used when private link is configured"})
		default:
			p.Endpoints = append(p.Endpoints, p.expand(e))
		}
	}
	for _, t := range p.Cloud.ServiceTags {
		if p.tagApplies(&t) && !t.Until.Passed(p.now) {
			p.ServiceTags = append(p.ServiceTags, t)
		}
	}
	for _, n := range p.Cloud.Notices {
		if slices.Contains(n.Lists, p.List) || overlaps(n.Scenarios, p.Scenarios) {
			p.Notices = append(p.Notices, n)
		}
	}
}

// tagApplies reports whether a service tag belongs to the plan's list (an extension's tag joins any list
// but the 2019 preview's) and, when it names scenarios, whether one of them is selected.
func (p *Plan) tagApplies(t *ServiceTag) bool {
	inList := slices.Contains(t.Lists, p.List) || (slices.Contains(t.Lists, ListExtensions) && p.List != ProfileLegacyPreview)
	return inList && (len(t.Scenarios) == 0 || overlaps(t.Scenarios, p.Scenarios))
}

func (cl *Cloud) hasList(list string) bool {
	return slices.ContainsFunc(cl.Entries, func(e Entry) bool { return e.List == list })
}

func overlaps(a, b []string) bool {
	return slices.ContainsFunc(a, func(s string) bool { return slices.Contains(b, s) })
}
