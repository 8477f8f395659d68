package exports

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/report/internal/write"
)

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

// AzureFirewall writes the rules as an Azure Firewall application rule collection, the ARM JSON of
// one element of a Microsoft.Network/azureFirewalls resource's applicationRuleCollections: an Allow
// collection with one rule per protocol and port, from every source ("*"). A wildcard stays as Azure
// Firewall takes it, * at the start of the name (*.his.arc.azure.com); one within a name, such as
// azgn*.servicebus.windows.net, becomes the nearest accepted form (*.servicebus.windows.net), and the
// rule's description says so. Application rules cannot name service tags: each rule's description lists
// them for the network rules or NSGs that can. It returns the endpoints it left out because they still
// hold a placeholder.
func AzureFirewall(out io.Writer, p *endpoints.Plan) (Unfilled, error) {
	rules, unfilled := exportRules(p)
	c := azureFirewallCollection{Name: "azure-arc-" + p.List, Properties: azureFirewallProperties{
		Priority: azureFirewallPriority, Action: azureFirewallAction{Type: "Allow"}, Rules: azureFirewallRules(p, rules)}}
	return unfilled, write.JSON(out, c)
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
