package report

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
)

// The words users read for the facts of pkg/probe, pkg/endpoints and pkg/check live here.

// boolWord is azcmagent's spelling of a boolean.
func boolWord(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// PrivateColumn is azcmagent's PRIVATE column: "true", "false", or "unknown" when no address is known.
func PrivateColumn(r *probe.Result) string {
	private, known := r.Private()
	if !known {
		return "unknown"
	}
	return boolWord(private)
}

// TLSColumn is azcmagent's TLS column: the negotiated version, "not used" for plain HTTP, or "unknown".
func TLSColumn(r *probe.Result) string {
	switch {
	case r.Target.Scheme == "http":
		return "not used"
	case r.TLS != nil && r.TLS.Version != 0:
		return tlsVersionName(r.TLS.Version)
	}
	return "unknown"
}

// ProxyColumn is azcmagent's PROXY column: the proxy used (never with credentials), or "not used".
func ProxyColumn(r *probe.Result) string {
	if r.Proxy != nil {
		return r.Proxy.Proxy.String()
	}
	return "not used"
}

// tlsVersionName writes a TLS version as azcmagent does: "TLS 1.2".
func tlsVersionName(v uint16) string {
	switch v {
	case 0x0301:
		return "TLS 1.0"
	case 0x0302:
		return "TLS 1.1"
	case 0x0303:
		return "TLS 1.2"
	case 0x0304:
		return "TLS 1.3"
	case 0:
		return ""
	}
	return fmt.Sprintf("unknown (0x%04x)", v)
}

// dnsSourceWord says where a DNS answer came from: "system", "server IP:PORT", "override", "literal", "proxy".
func dnsSourceWord(s probe.DNSSource) string {
	if s.Kind == probe.SourceServer {
		return "server " + s.Server.String()
	}
	return string(s.Kind)
}

// bypassWord says why a proxy was bypassed: "proxy bypass" (the agent's proxy.bypass), or the NO_PROXY entry.
func bypassWord(b *probe.Bypass) string {
	switch {
	case b == nil:
		return ""
	case b.By == probe.BypassByTarget:
		return "proxy bypass"
	case b.By == probe.BypassByLoopback:
		return "loopback (never proxied)"
	}
	return b.List + " entry " + strconv.Quote(b.Entry)
}

// curlRouteWord says how curl would route an endpoint, where it differs from Go's NO_PROXY rules.
func curlRouteWord(c *probe.CurlRoute) string {
	switch {
	case c == nil:
		return ""
	case c.Proxy != "":
		return "through " + c.Proxy
	case c.Bypass && c.Entry != "":
		return "direct (NO_PROXY entry " + strconv.Quote(c.Entry) + ")"
	case c.Bypass:
		return "direct"
	}
	return "through the proxy"
}

// tokenName says in words what a discovery token stands for.
func tokenName(token string) string {
	switch token {
	case endpoints.TokenHISShard:
		return "the regional hybrid identity shard"
	case endpoints.TokenNotificationHosts:
		return "the notification-service Service Bus hosts"
	}
	return token
}

// fieldWords are the words for one part of a selection (cmd/arccheck holds the flags that set each).
type fieldWords struct {
	// name is the part's name in a sentence: "ignoring the agent's location".
	name string
	// fromAgent is how the line above the table names the part when the installed agent set it.
	fromAgent string
	// give is what a user gives to set it, as hints name it (hints name the flag a user would change);
	// names is what it names, for a part that fills placeholders.
	give, names string
}

// selectionWords is the one table of the words for the parts of a selection.
var selectionWords = map[endpoints.Field]fieldWords{
	endpoints.FieldCloud:       {name: "cloud", fromAgent: "cloud"},
	endpoints.FieldLocation:    {name: "location", fromAgent: "region", give: "-l/--location", names: "the regional host"},
	endpoints.FieldMode:        {name: "mode", fromAgent: "private-link mode"},
	endpoints.FieldESU:         {name: "ESU subset"},
	endpoints.FieldExtensions:  {name: "extensions", fromAgent: "installed extensions"},
	endpoints.FieldGatewayURL:  {name: "gateway URL", fromAgent: "gateway mode", give: "--gateway-url", names: "your gateway"},
	endpoints.FieldProfile:     {name: "profile"},
	endpoints.FieldProxyBypass: {name: "proxy bypass", fromAgent: "proxy bypass"},
	endpoints.FieldSet:         {name: "value", give: "--set"},
}

// selectionRefusal says why a value of the selection was refused, without the flags that set it: `unknown
// AzureCloud region "x"`, or, for a value that another part of the selection would make valid,
// `"usgovvirginia" is a region of Azure Government (AzureUSGovernment), not of AzureCloud`.
func selectionRefusal(e *endpoints.SelectionError) string {
	switch {
	case e.Instead != "":
		return strconv.Quote(e.Value) + " " + e.Reason
	case e.Value != "":
		return e.Reason + " " + strconv.Quote(e.Value)
	}
	return e.Reason
}

// GiveWords says what a user gives to set a part of the selection: "-l/--location", "--gateway-url",
// or, for a value only the user knows (FieldSet), "--set NAME=VALUE".
func GiveWords(f endpoints.Field, value string) string {
	if f == endpoints.FieldSet {
		return selectionWords[f].give + " " + value + "=VALUE"
	}
	return selectionWords[f].give
}

// notTestedReason says why a pattern was not tested.
func notTestedReason(n check.NotTested) string {
	switch w := selectionWords[n.Needs]; {
	case n.Discovery != nil && n.Discovery.Failure != nil:
		f := discoveryFailure(*n.Discovery)
		return fmt.Sprintf("%s: the discovery call %s failed (%s: %s); allow the pattern", tokenName(n.Token), n.Discovery.URL, f.Class, f.Message)
	case n.Token != "":
		return tokenName(n.Token) + ": found by a discovery call that needs " + GiveWords(endpoints.FieldLocation, "")
	case n.Outside != "":
		return fmt.Sprintf("discovery answered %s, which is not under %s; not probed", n.Outside, n.Pattern)
	case n.Needs == endpoints.FieldSet:
		return fmt.Sprintf("needs %s (%s)", GiveWords(n.Needs, n.Value), strings.TrimPrefix(n.Reason, "needs "))
	case w.names != "":
		return "needs " + w.give + " to name " + w.names
	}
	return n.Reason
}

// endpointReasons says in words why (part of) a listed pattern cannot be probed.
func endpointReasons(ep endpoints.Endpoint) []string {
	out := []string{}
	for _, n := range ep.NotTested {
		out = append(out, notTestedReason(check.NotTested{Pattern: ep.Pattern, Reason: n.Reason, Needs: n.Needs, Value: n.Value}))
	}
	return out
}

func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "<1ms"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

// familyWord names an address's family.
func familyWord(a netip.Addr) string {
	if a.Unmap().Is4() {
		return "IPv4"
	}
	return "IPv6"
}
