package probe

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/arccheck/arccheck/internal/hostport"
)

// BypassKind says what made a target bypass the proxy.
type BypassKind string

// The kinds of bypass.
const (
	BypassByTarget  BypassKind = "target"   // the target's own setting (Target.NoProxy: the agent's proxy.bypass)
	BypassByNoProxy BypassKind = "no-proxy" // an entry of a NO_PROXY list
	// BypassByLoopback: "localhost" and loopback addresses never go through a proxy in Go's rules, which
	// the Arc agent (a Go program) follows, whatever NO_PROXY says.
	BypassByLoopback BypassKind = "loopback"
)

// ClassNoProxyCurlDiffers (warning): curl would route this target the other way (through the proxy, or
// around it) under the same NO_PROXY; arccheck follows Go's rules, as the Arc agent does.
const ClassNoProxyCurlDiffers Class = "no_proxy_curl_differs"

// Bypass says why a target went direct although a proxy is configured.
type Bypass struct {
	By BypassKind
	// Entry is the NO_PROXY entry that matched, and List where that list came from (with BypassByNoProxy).
	Entry, List string
}

// CurlRoute is how curl would route a target under the same NO_PROXY, where it differs from Go's rules
// (which arccheck follows, as the Arc agent does).
type CurlRoute struct {
	// Bypass is set when curl would go direct (Go uses the proxy); else curl would use the proxy.
	Bypass bool
	// Entry is the NO_PROXY entry curl would match ("" when curl matches none).
	Entry string
	// Proxy is the proxy curl would use where Go goes direct (ALL_PROXY); "" means the same proxy.
	Proxy string
}

// ProxyConfig says which proxy each target goes through.
type ProxyConfig struct {
	// HTTPS is the proxy for https targets; HTTP for plain-http targets. nil means direct.
	HTTPS, HTTP *Proxy
	// NoProxy lists the hosts that bypass the proxy.
	NoProxy *NoProxy
	// CurlAll is ALL_PROXY (or all_proxy), which curl uses where HTTPS_PROXY or HTTP_PROXY is unset and Go,
	// like the Arc agent, ignores; nil when unset.
	CurlAll *Proxy
}

// Route returns the proxy for a target, or nil and why it goes direct (nil when no proxy is set), by
// Go's rules (golang.org/x/net/http/httpproxy), which the Arc agent follows; curl is how curl would
// route it, when that differs (nil otherwise).
func (c *ProxyConfig) Route(t Target) (px *Proxy, bypass *Bypass, curl *CurlRoute) {
	if c == nil {
		return nil, nil, nil
	}
	px = c.HTTPS
	if t.Scheme == "http" {
		px = c.HTTP
	}
	switch {
	case px == nil && c.CurlAll != nil && !t.NoProxy:
		if _, bypass := c.NoProxy.matchCurl(t.Host, t.Port); !bypass {
			return nil, nil, &CurlRoute{Proxy: c.CurlAll.String() + " (" + c.CurlAll.Source + ")"}
		}
		return nil, nil, nil
	case px == nil:
		return nil, nil, nil
	case t.NoProxy:
		return nil, &Bypass{By: BypassByTarget}, nil
	}
	curlEntry, curlBypass := c.NoProxy.matchCurl(t.Host, t.Port)
	goEntry, goBypass := c.NoProxy.Match(t.Host, t.Port)
	if isLoopbackHost(t.Host) {
		goEntry, goBypass = "", true
		bypass = &Bypass{By: BypassByLoopback}
	} else if goBypass {
		bypass = &Bypass{By: BypassByNoProxy, Entry: goEntry, List: c.NoProxy.Source}
	}
	if curlBypass != goBypass {
		curl = &CurlRoute{Bypass: curlBypass, Entry: curlEntry}
	}
	if goBypass {
		return nil, bypass, curl
	}
	return px, nil, curl
}

// isLoopbackHost reports whether host is "localhost" or a loopback address, which Go never proxies.
func isLoopbackHost(host string) bool {
	h := hostport.Unbracketed(host)
	if strings.EqualFold(h, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.Unmap().IsLoopback()
}

// NoProxy is a NO_PROXY list. Match applies Go's rules (golang.org/x/net/http/httpproxy), which the Arc
// agent follows: "*" matches everything; "example.com" matches itself and its subdomains, ".example.com"
// and "*.example.com" only its subdomains; a name never matches an IP address; an IP or CIDR matches
// addresses; ":port" limits an entry. matchCurl applies curl's, where a leading dot or "*." also matches
// the name itself.
type NoProxy struct {
	// Source is where the list came from: a flag, "NO_PROXY" or "no_proxy".
	Source string
	// Skipped are the entries of an environment variable that are no host, domain, IP or CIDR (Java's
	// "10.*", Windows' "<local>"): they match nothing, as in curl and Go, and are left out.
	Skipped []string
	entries []noProxyEntry
}

type noProxyEntry struct {
	raw    string
	domain string
	// subdomainsOnly: the entry had a leading "." or "*." (Go then matches only subdomains).
	subdomainsOnly bool
	prefix         netip.Prefix
	port           int
	all            bool
}

// ParseNoProxy parses a comma- or space-separated NO_PROXY list. An entry is "*", a host name (with an
// optional leading "." or "*."), an IP address or a CIDR prefix, and a name or address may end in ":port".
// Anything else (an entry with '/' that is not a CIDR prefix, characters a host name cannot have) is an
// error that names the entry.
func ParseNoProxy(list, source string) (*NoProxy, error) {
	return parseNoProxyList(list, source, false)
}

// parseNoProxyList parses a list; lenient (for a variable the environment set for other tools too)
// records the entries it cannot read in Skipped instead of failing.
func parseNoProxyList(list, source string, lenient bool) (*NoProxy, error) {
	n := &NoProxy{Source: source}
	for _, raw := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' }) {
		e, err := parseNoProxyEntry(raw)
		switch {
		case err != nil && lenient:
			n.Skipped = append(n.Skipped, raw)
		case err != nil:
			return nil, fmt.Errorf("%s: %q %s", source, raw, err)
		default:
			n.entries = append(n.entries, e)
		}
	}
	if !lenient && len(n.entries) == 0 {
		return nil, fmt.Errorf("%s: no host, domain, IP or CIDR in %q", source, list)
	}
	return n, nil
}

func parseNoProxyEntry(raw string) (noProxyEntry, error) {
	e := noProxyEntry{raw: raw}
	s := strings.ToLower(raw)
	if s == "*" {
		e.all = true
		return e, nil
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(strings.Replace(strings.Replace(s, "[", "", 1), "]", "", 1))
		if err != nil {
			return e, errors.New("is not a CIDR prefix (e.g. 10.0.0.0/8 or fd00::/8)")
		}
		e.prefix = p.Masked()
		return e, nil
	}
	host := s
	if h, port, ok := strings.Cut(s, "]:"); ok && strings.HasPrefix(s, "[") { // [::1]:443
		host = h + "]"
		if e.port, ok = parsePort(port); !ok {
			return e, errors.New("has a bad port")
		}
	} else if i := strings.LastIndex(s, ":"); i > 0 && strings.Count(s, ":") == 1 {
		host = s[:i]
		if e.port, ok = parsePort(s[i+1:]); !ok {
			return e, errors.New("has a bad port")
		}
	}
	if a, err := netip.ParseAddr(hostport.Unbracketed(host)); err == nil {
		e.prefix = netip.PrefixFrom(a, a.BitLen())
		return e, nil
	}
	domain := strings.TrimPrefix(strings.TrimPrefix(host, "*"), ".")
	e.subdomainsOnly = domain != host
	if domain == "" {
		return e, errors.New("is empty")
	}
	var err error
	if e.domain, err = asciiHost(domain); err != nil {
		return e, errors.New("is not a host name, IP address or CIDR prefix")
	}
	return e, nil
}

// String writes the list back, comma-separated.
func (n *NoProxy) String() string {
	var out []string
	for _, e := range n.entries {
		out = append(out, e.raw)
	}
	return strings.Join(out, ",")
}

// Match reports whether host:port bypasses the proxy by Go's rules, and the entry that says so.
func (n *NoProxy) Match(host string, port int) (string, bool) {
	return n.match(host, port, false)
}

// matchCurl is Match by curl's rules.
func (n *NoProxy) matchCurl(host string, port int) (string, bool) {
	return n.match(host, port, true)
}

func (n *NoProxy) match(host string, port int, curl bool) (string, bool) {
	if n == nil {
		return "", false
	}
	h := strings.ToLower(hostport.Unbracketed(host))
	addr, ipErr := netip.ParseAddr(h)
	isIP := ipErr == nil
	for _, e := range n.entries {
		if e.port != 0 && e.port != port {
			continue
		}
		switch {
		case e.all:
			return e.raw, true
		case e.prefix.IsValid():
			if isIP && e.prefix.Contains(addr.Unmap()) {
				return e.raw, true
			}
		case isIP && !curl:
			// Go matches names only against names.
		case h == e.domain && (curl || !e.subdomainsOnly), strings.HasSuffix(h, "."+e.domain):
			return e.raw, true
		}
	}
	return "", false
}

// ProxyChoice is what the user said about proxies, besides the environment.
type ProxyChoice struct {
	// URL is a proxy URL for every target; "" leaves the choice to the environment.
	URL string
	// URLSource names where URL came from (a flag's name); it becomes Proxy.Source and prefixes errors.
	URLSource string
	// NoProxy, when not nil, is the only bypass list (replacing NO_PROXY); NoProxySource names its origin.
	NoProxy       *string
	NoProxySource string
}

// ChooseProxy applies arccheck's precedence: an explicit URL wins, for every target, with c.NoProxy (if
// set) as its only bypass list; otherwise the environment decides (ProxyFromEnvironment), c.NoProxy
// replacing NO_PROXY. nil means direct.
func ChooseProxy(c ProxyChoice, getenv func(string) string) (*ProxyConfig, error) {
	if c.URL == "" {
		return ProxyFromEnvironment(getenv, c.NoProxy, c.NoProxySource)
	}
	px, err := ParseProxy(c.URL, c.URLSource)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.URLSource, err)
	}
	cfg := &ProxyConfig{HTTPS: px, HTTP: px}
	if c.NoProxy != nil {
		if cfg.NoProxy, err = ParseNoProxy(*c.NoProxy, c.NoProxySource); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// ProxyFromEnvironment reads the proxy settings as Go's net/http (and so the Arc agent) reads them: for
// https targets HTTPS_PROXY (or https_proxy), for http targets HTTP_PROXY (http_proxy); NO_PROXY
// (no_proxy) lists the bypassed hosts unless noProxy is set (from noProxySource), which replaces it.
// ALL_PROXY, which curl uses and Go ignores, is kept in CurlAll only, to say where curl would differ.
func ProxyFromEnvironment(getenv func(string) string, noProxy *string, noProxySource string) (*ProxyConfig, error) {
	first := func(names ...string) (string, string) {
		for _, n := range names {
			if v := strings.TrimSpace(getenv(n)); v != "" {
				return v, n
			}
		}
		return "", ""
	}
	c := &ProxyConfig{}
	for _, pick := range []struct {
		dst   **Proxy
		names []string
	}{
		{&c.HTTPS, []string{"HTTPS_PROXY", "https_proxy"}},
		{&c.HTTP, []string{"HTTP_PROXY", "http_proxy"}},
		{&c.CurlAll, []string{"ALL_PROXY", "all_proxy"}},
	} {
		if v, name := first(pick.names...); v != "" {
			p, err := ParseProxy(v, name)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			*pick.dst = p
		}
	}
	list, source := first("NO_PROXY", "no_proxy")
	fromEnv := noProxy == nil
	if !fromEnv {
		list, source = *noProxy, noProxySource
	}
	if list != "" {
		np, err := parseNoProxyList(list, source, fromEnv)
		if err != nil {
			return nil, err
		}
		c.NoProxy = np
	}
	if c.HTTPS == nil && c.HTTP == nil && c.CurlAll == nil {
		return nil, nil
	}
	return c, nil
}
