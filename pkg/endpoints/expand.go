package endpoints

import (
	"net/url"
	"slices"
	"strings"

	"github.com/arccheck/arccheck/internal/hostport"
)

// Discovery is part of a pattern whose concrete hosts only a live call can tell.
type Discovery struct {
	Token string // TokenHISShard or TokenNotificationHosts
	URL   string // the call that answers it, for this cloud and region ("" when none is known)
}

// NotTested says why (part of) a pattern cannot be probed.
type NotTested struct {
	Reason string // why, in words (the catalog's NotTested, or e.g. "needs the server's region to name the regional host")
	Needs  Field  // the selection part that would make it testable (FieldLocation, FieldGatewayURL, FieldSet), "" when none
	// Value is, with Needs FieldSet, the name of the Value to set (e.g. "workspace-id").
	Value string
}

// The reasons expand gives when a selection part is missing.
var (
	needsLocation   = NotTested{Reason: "needs the server's region to name the regional host", Needs: FieldLocation}
	needsGatewayURL = NotTested{Reason: "needs your gateway's URL to name your gateway", Needs: FieldGatewayURL}
)

// Endpoint is one selected catalog entry, made as concrete as is possible offline.
type Endpoint struct {
	Entry     *Entry
	Pattern   string      // the documented endpoint with <region> expanded where a location is known
	Required  bool        // whether its failure fails the run
	Targets   []Target    // concrete URLs to probe
	Discover  []Discovery // hosts to find at run time
	NotTested []NotTested // why (part of) the pattern cannot be probed, without duplicates
	// BypassProxy is set when the selection's proxy bypass covers this endpoint's category.
	BypassProxy bool
	// ExpectPrivate is set when, in private-link mode, the endpoint must resolve to a private address.
	ExpectPrivate bool
	// NotCarried is set, in gateway mode, for an endpoint the Arc gateway does not carry: allow it
	// directly, not via the gateway.
	NotCarried bool
	// Expect are the documented answers of its targets, made concrete.
	Expect []Expected
}

// Expected is a documented answer of a concrete target: a GET of Path (with its query) on Host and
// Port answers Status.
type Expected struct {
	Host   string
	Port   int
	Path   string
	Status int
}

// expand makes an entry as concrete as is possible offline.
func (p *Plan) expand(e *Entry) Endpoint {
	ep := Endpoint{Entry: e, Pattern: p.pattern(e), Required: p.required(e),
		BypassProxy:   e.Bypass != "" && slices.Contains(p.ProxyBypass, e.Bypass),
		ExpectPrivate: p.Mode == ModePrivateLink && e.PrivateLink == PrivateLinkPrivate,
		NotCarried:    p.Mode == ModeGateway && e.GatewayDirect}
	if e.NotTested != "" {
		ep.NotTested = append(ep.NotTested, NotTested{Reason: e.NotTested})
	}
	for _, tpl := range targetTemplates(e) {
		p.fill(&ep, tpl)
	}
	for _, x := range e.Expect {
		if strings.Contains(x.URL, "<region>") && p.Location == "" {
			continue // its target is not tested either
		}
		s := strings.ReplaceAll(p.fillValues(x.URL), "<region>", p.Location)
		if t, err := ParseTarget(s); err == nil {
			ep.Expect = append(ep.Expect, Expected{Host: t.Host, Port: t.Port, Path: t.Path, Status: x.Status})
		}
	}
	return ep
}

// required reports whether an entry's failure fails the run: not when it is optional, legacy, disputed
// or no longer documented (its Until date has passed).
func (p *Plan) required(e *Entry) bool {
	return e.When != WhenOptional && e.Legacy == "" && e.Disputed == "" && !e.Until.Passed(p.now)
}

// fillValues replaces the placeholders of the values the user gave.
func (p *Plan) fillValues(s string) string {
	for ph, v := range p.values {
		s = strings.ReplaceAll(s, ph, v)
	}
	return s
}

// missingValue returns the first value placeholder of s that the user did not give.
func (p *Plan) missingValue(s string) (Value, bool) {
	for _, ph := range valuePlaceholders() {
		if _, given := p.values[ph]; strings.Contains(s, ph) && !given {
			return valueFor(ph)
		}
	}
	return Value{}, false
}

// pattern is the documented endpoint with the selection's region, gateway and values filled in.
func (p *Plan) pattern(e *Entry) string {
	s := p.fillValues(e.Endpoint)
	// Fill <region> only where the hosts really derive from the region name: the gateway list's
	// <region>.his.arc.azure.com is the identity shard (weu for westeurope), found by discovery.
	if p.Location != "" && (len(e.Targets) == 0 || slices.ContainsFunc(e.Targets, func(t string) bool {
		return strings.Contains(t, "<region>")
	})) {
		s = strings.ReplaceAll(s, "<region>", p.Location)
	}
	if p.GatewayURL != "" {
		s = strings.ReplaceAll(s, "[Your URL Prefix].gw.arc.azure.com", hostOf(p.GatewayURL))
	}
	return s
}

// targetTemplates are the URL templates to probe for an entry: its Target lines, else the endpoint on
// each of its ports when it is a host name or has a region placeholder only.
func targetTemplates(e *Entry) []string {
	if len(e.Targets) > 0 {
		return e.Targets
	}
	placeholdersOnly := !strings.ContainsAny(e.Endpoint, "*[{")
	if e.IsPattern() && !placeholdersOnly {
		return nil
	}
	host, path := e.Endpoint, "" // an endpoint may have a path: www.microsoft.com/pkiops/certs
	if i := strings.IndexByte(host, '/'); i >= 0 {
		host, path = host[:i], host[i:]
	}
	var out []string
	for _, port := range e.Ports {
		out = append(out, hostport.URL(port.Scheme, host, port.Number, path))
	}
	return out
}

// fill makes one template a target, a discovery or a reason it cannot be tested.
func (p *Plan) fill(ep *Endpoint, tpl string) {
	if v, missing := p.missingValue(tpl); missing {
		ep.NotTested = appendOnce(ep.NotTested, NotTested{Reason: "needs " + v.Form, Needs: FieldSet, Value: v.Name})
		return
	}
	tpl = p.fillValues(tpl)
	switch {
	case strings.Contains(tpl, "<region>") && p.Location == "":
		ep.NotTested = appendOnce(ep.NotTested, needsLocation)
	case strings.Contains(tpl, TokenGateway) && p.GatewayURL == "":
		ep.NotTested = appendOnce(ep.NotTested, needsGatewayURL)
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

// discoveryURL fills a discovery URL template for the plan's region ("" when it cannot be known).
func (p *Plan) discoveryURL(tpl string) string {
	if tpl == "" || p.Location == "" {
		return ""
	}
	return strings.ReplaceAll(tpl, "<region>", url.QueryEscape(p.Location))
}

func appendOnce(list []NotTested, v NotTested) []NotTested {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}
