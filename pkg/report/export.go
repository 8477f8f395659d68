package report

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/endpoints"
)

// The exports of `arccheck list` that firewall and proxy teams paste: an allowlist, CSV, a squid
// dstdomain ACL and an Azure Firewall application rule collection. All four are built from the same
// rules (one host or wildcard on one port), are sorted, and never print a placeholder nor a name that
// is not a valid host name or wildcard: an endpoint the selection could not name, or named with a value
// no rule can hold (a gateway prefix "=1+2"), is left out and returned as Unfilled for the caller to
// report on stderr. Every comment and description is escaped (safetext): never a line break in it.

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

// hasPlaceholder reports whether a pattern still holds a placeholder such as <region> or [Your URL Prefix].
func hasPlaceholder(s string) bool { return strings.ContainsAny(s, "<>[]{} ") }

// hostMatches reports whether a host name matches a rule's host, where * stands for any characters.
func hostMatches(rule, host string) bool {
	ok, err := path.Match(rule, host)
	return err == nil && ok
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

// ListAllowlist writes one rule a line, "host port protocol" (management.azure.com 443 https,
// *.his.arc.azure.com 443 https), sorted and without duplicates, then the service tags as comment lines
// (# service tag: AzureArcInfrastructure). A URL path is dropped to its host. It returns the endpoints
// it left out because they still hold a placeholder.
func ListAllowlist(out io.Writer, p *endpoints.Plan) (Unfilled, error) {
	rules, unfilled := exportRules(p)
	w := &errWriter{w: out}
	for _, r := range rules {
		fmt.Fprintf(w, "%s %d %s\n", r.host, r.port.Number, r.port.Scheme)
	}
	for _, tag := range serviceTagNotes(p) {
		fmt.Fprintf(w, "# service tag: %s\n", safetext.Escape(tag))
	}
	return unfilled, w.err
}

// csvHeader names the columns of ListCSV.
var csvHeader = []string{"host_or_wildcard", "port", "protocol", "required", "when", "scenarios", "description",
	"notes", "sources", "catalog", "kind"}

// The values of the CSV's kind column.
const (
	csvKindEndpoint   = "endpoint"
	csvKindServiceTag = "service-tag"
)

// csvList joins the values of a multi-valued CSV cell.
func csvList(values []string) string { return strings.Join(values, "; ") }

// ListCSV writes the rules of ListAllowlist as CSV: a header row, one row per rule (host_or_wildcard,
// port, protocol, required, when, scenarios, description, notes, sources, catalog, kind "endpoint"),
// then one row per service tag (its name as host_or_wildcard, port and protocol empty, kind
// "service-tag"). A cell with several values separates them with "; ". Every cell is escaped and a
// cell a spreadsheet would take for a formula (=, +, -, @) gets a leading apostrophe (safetext.CSVCell).
// It returns the endpoints it left out because they still hold a placeholder.
func ListCSV(out io.Writer, p *endpoints.Plan) (Unfilled, error) {
	rules, unfilled := exportRules(p)
	rows := [][]string{csvHeader}
	for _, r := range rules {
		rows = append(rows, csvRuleRow(r))
	}
	for _, t := range p.ServiceTags {
		rows = append(rows, csvServiceTagRow(t))
	}
	return unfilled, csv.NewWriter(out).WriteAll(csvCells(rows))
}

// csvRuleRow is a rule's CSV row; a rule several endpoints share says what each of them says.
func csvRuleRow(r *exportRule) []string {
	var when, scenarios, descriptions, notes, sources, catalog []string
	required := false
	for _, s := range r.from {
		e := s.ep.Entry
		required = required || s.ep.Required
		when = appendNew(when, string(e.When))
		scenarios = appendNew(scenarios, e.Scenarios...)
		descriptions = appendNew(descriptions, exportProse(e.Description))
		notes = appendNew(notes, ruleNotes(s)...)
		for _, src := range e.Sources {
			sources = appendNew(sources, exportProse(src.Document+" | "+src.Table))
		}
		catalog = appendNew(catalog, e.Pos)
	}
	return []string{r.host, strconv.Itoa(r.port.Number), r.port.Scheme, strconv.FormatBool(required), csvList(when),
		csvList(scenarios), csvList(descriptions), csvList(notes), csvList(sources), csvList(catalog), csvKindEndpoint}
}

// ruleNotes qualify a rule's endpoint: legacy, disputed, since and until when, not carried by the
// gateway, and how its host was named.
func ruleNotes(s ruleSource) []string {
	e := s.ep.Entry
	var out []string
	if e.Legacy != "" {
		out = append(out, "legacy: "+exportProse(e.Legacy))
	}
	if e.Disputed != "" {
		out = append(out, "disputed: "+exportProse(e.Disputed))
	}
	if !e.Since.IsZero() {
		out = append(out, "since "+e.Since.Raw)
	}
	if !e.Until.IsZero() {
		out = append(out, "until "+e.Until.Raw)
	}
	if s.ep.NotCarried {
		out = append(out, "not via the gateway: allow it directly")
	}
	switch {
	case s.tested:
		out = append(out, "a concrete host arccheck tests for this endpoint")
	case strings.Contains(s.ep.Pattern, "/"):
		out = append(out, "the documented URL path is dropped: the rule is the host")
	}
	return out
}

// csvServiceTagRow is a service tag's CSV row.
func csvServiceTagRow(t endpoints.ServiceTag) []string {
	var notes, sources []string
	if !t.Since.IsZero() {
		notes = append(notes, "since "+t.Since.Raw)
	}
	if !t.Until.IsZero() {
		notes = append(notes, "until "+t.Until.Raw)
	}
	for _, src := range t.Sources {
		sources = appendNew(sources, exportProse(src.Document+" | "+src.Table))
	}
	return []string{t.Name, "", "", "", "", "", exportProse(t.Condition), csvList(notes), csvList(sources), "",
		csvKindServiceTag}
}

// squidEntry is one line of a squid dstdomain ACL.
type squidEntry struct {
	domain string   // without a leading dot
	sub    bool     // written ".domain": the domain and every name under it
	notes  []string // comment lines written above it
}

func (e *squidEntry) String() string {
	if e.sub {
		return "." + e.domain
	}
	return e.domain
}

// covers reports whether e matches every name o matches, and is not o.
func (e *squidEntry) covers(o *squidEntry) bool {
	return e != o && e.sub && (o.domain == e.domain || strings.HasSuffix(o.domain, "."+e.domain))
}

// ListSquid writes the rules' hosts as a squid dstdomain ACL file, one entry a line, for
// `acl azure_arc dstdomain "/etc/squid/azure-arc.acl"`. A wildcard *.example.com is written
// .example.com (squid's "the domain and every name under it"); a wildcard within a name, such as
// azgn*.servicebus.windows.net, becomes the nearest entry that covers it (.servicebus.windows.net) with a
// comment saying so; an entry another one covers is left out, because squid refuses overlapping
// entries. Ports are not part of a dstdomain ACL; service tags are not written. It returns the
// endpoints it left out because they still hold a placeholder.
func ListSquid(out io.Writer, p *endpoints.Plan) (Unfilled, error) {
	rules, unfilled := exportRules(p)
	var ports []string
	for _, r := range rules {
		ports = appendNew(ports, r.port.String())
	}
	slices.Sort(ports)
	w := &errWriter{w: out}
	fmt.Fprintf(w, "# Azure Arc endpoints (%s) as a squid dstdomain ACL:\n", exportSelection(p))
	fmt.Fprintln(w, `#   acl azure_arc dstdomain "/etc/squid/azure-arc.acl"`)
	fmt.Fprintln(w, "# .name matches the name and every name under it.")
	fmt.Fprintf(w, "# A dstdomain ACL has no ports: these endpoints use %s.\n", strings.Join(ports, ", "))
	for _, e := range squidEntries(rules) {
		for _, n := range e.notes {
			fmt.Fprintf(w, "# %s\n", n)
		}
		fmt.Fprintln(w, e)
	}
	return unfilled, w.err
}

// squidEntries turns the rules' hosts into squid entries, sorted, none covering another.
func squidEntries(rules []*exportRule) []*squidEntry {
	var all []*squidEntry
	for _, r := range rules {
		e := squidEntryFor(r.host)
		i := slices.IndexFunc(all, func(have *squidEntry) bool { return have.domain == e.domain })
		if i < 0 {
			all = append(all, e)
			continue
		}
		all[i].sub = all[i].sub || e.sub
		all[i].notes = appendNew(all[i].notes, e.notes...)
	}
	var kept []*squidEntry
	for _, e := range all {
		// The broadest entry covering e is not itself covered: it takes e's comments.
		var by *squidEntry
		for _, c := range all {
			if c.covers(e) && (by == nil || len(c.domain) < len(by.domain)) {
				by = c
			}
		}
		if by == nil {
			kept = append(kept, e)
			continue
		}
		by.notes = appendNew(by.notes, e.notes...)
	}
	slices.SortFunc(kept, func(a, b *squidEntry) int { return cmp.Compare(a.domain, b.domain) })
	return kept
}

// squidEntryFor writes a host or wildcard as squid does: *.example.com as .example.com, and a wildcard
// within a name as the names under the labels after it.
func squidEntryFor(host string) *squidEntry {
	labels := strings.Split(host, ".")
	last := lastWildcard(labels)
	if last < 0 {
		return &squidEntry{domain: host}
	}
	e := &squidEntry{domain: strings.Join(labels[last+1:], "."), sub: true}
	if last > 0 || labels[0] != "*" {
		e.notes = []string{fmt.Sprintf("%s: squid has no wildcard within a name; .%s is the nearest entry that covers it",
			host, e.domain)}
	}
	return e
}

// The ARM shape of an Azure Firewall (classic rules) application rule collection, as in
// Microsoft.Network/azureFirewalls properties.applicationRuleCollections.
type (
	azureFirewallCollection struct {
		Name       string                  `json:"name"`
		Properties azureFirewallProperties `json:"properties"`
	}
	azureFirewallProperties struct {
		Priority int                 `json:"priority"`
		Action   azureFirewallAction `json:"action"`
		Rules    []azureFirewallRule `json:"rules"`
	}
	azureFirewallAction struct {
		Type string `json:"type"`
	}
	azureFirewallRule struct {
		Name            string                  `json:"name"`
		Description     string                  `json:"description"`
		Protocols       []azureFirewallProtocol `json:"protocols"`
		TargetFqdns     []string                `json:"targetFqdns"`
		SourceAddresses []string                `json:"sourceAddresses"`
	}
	azureFirewallProtocol struct {
		ProtocolType string `json:"protocolType"`
		Port         int    `json:"port"`
	}
)

// azureFirewallPriority is the collection's priority (100 to 65000, lower first); users fit it to theirs.
const azureFirewallPriority = 1000

// ListAzureFirewall writes the rules as an Azure Firewall application rule collection, the ARM JSON of
// one element of a Microsoft.Network/azureFirewalls resource's applicationRuleCollections: an Allow
// collection with one rule per protocol and port, from every source ("*"). A wildcard stays as Azure
// Firewall takes it, * at the start of the name (*.his.arc.azure.com); one within a name, such as
// azgn*.servicebus.windows.net, becomes the nearest accepted form (*.servicebus.windows.net), and the
// rule's description says so. Application rules cannot name service tags: each rule's description lists
// them for the network rules or NSGs that can. It returns the endpoints it left out because they still
// hold a placeholder.
func ListAzureFirewall(out io.Writer, p *endpoints.Plan) (Unfilled, error) {
	rules, unfilled := exportRules(p)
	c := azureFirewallCollection{Name: "azure-arc-" + p.List, Properties: azureFirewallProperties{
		Priority: azureFirewallPriority, Action: azureFirewallAction{Type: "Allow"}, Rules: azureFirewallRules(p, rules)}}
	return unfilled, writeJSON(out, c)
}

// azureFirewallRules groups the rules by protocol and port, in port order.
func azureFirewallRules(p *endpoints.Plan, rules []*exportRule) []azureFirewallRule {
	var ports []endpoints.Port
	fqdns := map[endpoints.Port][]string{}
	notes := map[endpoints.Port][]string{}
	for _, r := range rules {
		if !slices.Contains(ports, r.port) {
			ports = append(ports, r.port)
		}
		fqdn, note := azureFirewallFQDN(r.host)
		fqdns[r.port] = appendNew(fqdns[r.port], fqdn)
		notes[r.port] = appendNew(notes[r.port], note)
	}
	slices.SortFunc(ports, func(a, b endpoints.Port) int {
		return cmp.Or(cmp.Compare(a.Number, b.Number), cmp.Compare(a.Scheme, b.Scheme))
	})
	var tags []string
	for _, t := range p.ServiceTags {
		tags = appendNew(tags, t.Name)
	}
	out := []azureFirewallRule{}
	for _, port := range ports {
		protocol := strings.ToUpper(port.Scheme[:1]) + port.Scheme[1:] // Http, Https
		description := fmt.Sprintf("Azure Arc endpoints (%s) on %s port %d.", exportSelection(p),
			strings.ToUpper(port.Scheme), port.Number)
		for _, n := range notes[port] {
			description += " " + n
		}
		if len(tags) > 0 {
			description += " Service tags, for network rules or NSGs: " + strings.Join(tags, ", ") + "."
		}
		slices.Sort(fqdns[port])
		out = append(out, azureFirewallRule{Name: port.Scheme + "-" + strconv.Itoa(port.Number), Description: description,
			Protocols:   []azureFirewallProtocol{{ProtocolType: protocol, Port: port.Number}},
			TargetFqdns: fqdns[port], SourceAddresses: []string{"*"}})
	}
	return out
}

// azureFirewallFQDN writes a host or wildcard as Azure Firewall takes it, with * at the start only; a
// wildcard elsewhere becomes *. and the labels after it, with a note saying so.
func azureFirewallFQDN(host string) (fqdn, note string) {
	if !strings.Contains(strings.TrimPrefix(host, "*"), "*") {
		return host, ""
	}
	labels := strings.Split(host, ".")
	fqdn = "*." + strings.Join(labels[lastWildcard(labels)+1:], ".")
	return fqdn, fmt.Sprintf("%s is allowed as %s: Azure Firewall takes * only at the start of a name.", host, fqdn)
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
