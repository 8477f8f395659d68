// Package exports writes the exports of `arccheck list` that firewall and proxy teams paste: an
// allowlist, CSV, a squid dstdomain ACL and an Azure Firewall application rule collection. All four are
// built from the same rules (one host or wildcard on one port), are sorted, and never print a
// placeholder nor a name that is not a valid host name or wildcard: an endpoint the selection could not
// name, or named with a value no rule can hold (a gateway prefix "=1+2"), is left out and returned as
// Unfilled for the caller to report on stderr. Every comment and description is escaped (safetext):
// never a line break in it.
package exports

import (
	"cmp"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/endpoints"
)

// exportRule is one host or wildcard on one port: a line of the allowlist, a row of the CSV.
type exportRule struct {
	host string         // a host name or wildcard, lower case; never a placeholder nor a path
	port endpoints.Port // the scheme and port
	from []ruleSource   // the plan's endpoints it comes from, in plan order
}

// ruleSource is an endpoint a rule comes from.
type ruleSource struct {
	ep *endpoints.Endpoint
	// tested is set when the host is one of the endpoint's concrete targets rather than its pattern.
	tested bool
}

// ruleHost is a host an endpoint needs on one port.
type ruleHost struct {
	name   string
	port   endpoints.Port
	tested bool
}

// exportRules turns a plan into sorted, de-duplicated rules, and lists the endpoints it cannot name.
func exportRules(p *endpoints.Plan) ([]*exportRule, Unfilled) {
	byKey := map[string]*exportRule{}
	var rules []*exportRule
	var unfilled Unfilled
	for i := range p.Endpoints {
		ep := &p.Endpoints[i]
		hosts, invalid := ruleHosts(ep)
		switch {
		case len(invalid) > 0:
			unfilled = unfilled.add(UnfilledEndpoint{Pattern: ep.Pattern, Required: ep.Required, Invalid: invalid})
		case len(hosts) == 0:
			unfilled = unfilled.add(unfilledEndpoint(p, ep))
		}
		for _, h := range hosts {
			key := h.name + " " + h.port.String()
			r := byKey[key]
			if r == nil {
				r = &exportRule{host: h.name, port: h.port}
				byKey[key] = r
				rules = append(rules, r)
			}
			r.from = append(r.from, ruleSource{ep: ep, tested: h.tested})
		}
	}
	slices.SortFunc(rules, func(a, b *exportRule) int {
		return cmp.Or(cmp.Compare(a.host, b.host), cmp.Compare(a.port.Number, b.port.Number),
			cmp.Compare(a.port.Scheme, b.port.Scheme))
	})
	slices.SortFunc(unfilled, func(a, b UnfilledEndpoint) int { return cmp.Compare(a.Pattern, b.Pattern) })
	return rules, unfilled
}

// endpointHosts are the hosts an endpoint needs: its pattern (without a URL path: the rule is the host)
// on each documented port when the pattern holds no placeholder, and every concrete target the pattern
// does not cover. None when the pattern holds a placeholder and no target names it.
func endpointHosts(ep *endpoints.Endpoint) []ruleHost {
	var out []ruleHost
	host, _, _ := strings.Cut(strings.ToLower(ep.Pattern), "/")
	if !hasPlaceholder(host) {
		for _, port := range ep.Entry.Ports {
			out = append(out, ruleHost{name: host, port: port})
		}
	}
	for _, t := range ep.Targets {
		port := endpoints.Port{Scheme: t.Scheme, Number: t.Port}
		if !slices.ContainsFunc(out, func(h ruleHost) bool { return h.port == port && hostMatches(h.name, t.Host) }) {
			out = append(out, ruleHost{name: strings.ToLower(t.Host), port: port, tested: true})
		}
	}
	return out
}

// ruleHosts are the hosts an endpoint needs (endpointHosts) that a rule can hold, and the names it was
// given that no rule can: not a valid host name or wildcard.
func ruleHosts(ep *endpoints.Endpoint) (hosts []ruleHost, invalid []string) {
	for _, h := range endpointHosts(ep) {
		if validRuleHost(h.name) {
			hosts = append(hosts, h)
			continue
		}
		invalid = appendNew(invalid, h.name)
	}
	return hosts, invalid
}

// validRuleHost reports whether a firewall or proxy rule can name host: at least two labels of at most 63
// letters, digits, hyphens (not at either end) or * wildcards, at most 253 characters, and no wildcard
// in the last label.
func validRuleHost(host string) bool {
	labels := strings.Split(host, ".")
	if len(host) > 253 || len(labels) < 2 || strings.Contains(labels[len(labels)-1], "*") {
		return false
	}
	return !slices.ContainsFunc(labels, func(l string) bool { return !validLabel(l) })
}

// validLabel reports whether l is a DNS label (lower case, as rules are written) or a wildcard in one.
func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	return strings.Trim(l, "abcdefghijklmnopqrstuvwxyz0123456789-*") == ""
}

// hasPlaceholder reports whether a pattern still holds a placeholder such as <region> or [Your URL Prefix].
func hasPlaceholder(s string) bool { return strings.ContainsAny(s, "<>[]{} ") }

// hostMatches reports whether a host name matches a rule's host, where * stands for any characters.
func hostMatches(rule, host string) bool {
	ok, err := path.Match(rule, host)
	return err == nil && ok
}

// lastWildcard is the index of the last label holding a *, or -1.
func lastWildcard(labels []string) int {
	last := -1
	for i, l := range labels {
		if strings.Contains(l, "*") {
			last = i
		}
	}
	return last
}

// appendNew appends the values list does not hold yet.
func appendNew(list []string, values ...string) []string {
	for _, v := range values {
		if v != "" && !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

// exportSelection names a plan's selection in one line for the exports' comments and descriptions.
func exportSelection(p *endpoints.Plan) string {
	parts := []string{p.Cloud.Name, string(p.Mode), "list " + p.List}
	if p.Location != "" {
		parts = append(parts, "region "+p.Location)
	}
	if p.GatewayURL != "" {
		parts = append(parts, "gateway "+strings.TrimPrefix(p.GatewayURL, "https://"))
	}
	if len(p.Scenarios) > 0 {
		parts = append(parts, "scenarios "+strings.Join(p.Scenarios, " "))
	}
	return safetext.Escape(strings.Join(parts, ", ")) // a comment line of a rule file: never a line break
}

// prosePlaceholder matches a placeholder or token within documentation prose.
var prosePlaceholder = regexp.MustCompile(`<([^<>]+)>|\[([^\[\]]+)\]|\{([^{}]+)\}`)

// exportProse writes documentation prose for an export, each placeholder as its name in capitals
// (<region> → REGION, [Your URL Prefix] → YOUR-URL-PREFIX), so that no cell holds one to paste.
func exportProse(s string) string {
	return prosePlaceholder.ReplaceAllStringFunc(s, func(m string) string {
		return strings.ToUpper(strings.ReplaceAll(m[1:len(m)-1], " ", "-"))
	})
}

// serviceTagNotes are the plan's service tags, each with its condition, without duplicates.
func serviceTagNotes(p *endpoints.Plan) []string {
	var out []string
	for _, t := range p.ServiceTags {
		s := t.Name
		if t.Condition != "" {
			s += " (" + exportProse(t.Condition) + ")"
		}
		out = appendNew(out, s)
	}
	return out
}
