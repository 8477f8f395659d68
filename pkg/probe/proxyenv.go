package probe

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// BypassKind says what made a target bypass the proxy.
type BypassKind string

// The kinds of bypass.
const (
	BypassByTarget  BypassKind = "target"   // the target's own setting (Target.NoProxy: the agent's proxy.bypass)
	BypassByNoProxy BypassKind = "no-proxy" // an entry of a NO_PROXY list
)

// Bypass says why a target went direct although a proxy is configured.
type Bypass struct {
	By BypassKind
	// Entry is the NO_PROXY entry that matched, and List where that list came from (with BypassByNoProxy).
	Entry, List string
}

// ProxyConfig says which proxy each target goes through.
type ProxyConfig struct {
	// HTTPS is the proxy for https targets; HTTP for plain-http targets. nil means direct.
	HTTPS, HTTP *Proxy
	// NoProxy lists the hosts that bypass the proxy.
	NoProxy *NoProxy
}

// Route returns the proxy for a target, or nil and why it goes direct (nil when no proxy is set).
func (c *ProxyConfig) Route(t Target) (*Proxy, *Bypass) {
	if c == nil {
		return nil, nil
	}
	px := c.HTTPS
	if t.Scheme == "http" {
		px = c.HTTP
	}
	switch {
	case px == nil:
		return nil, nil
	case t.NoProxy:
		return nil, &Bypass{By: BypassByTarget}
	}
	if entry, ok := c.NoProxy.Match(t.Host, t.Port); ok {
		return nil, &Bypass{By: BypassByNoProxy, Entry: entry, List: c.NoProxy.Source}
	}
	return px, nil
}

// NoProxy is a NO_PROXY list with curl's rules: "*" matches everything; a name matches itself and its
// subdomains (with or without a leading dot); an IP or CIDR matches addresses; ":port" limits an entry.
type NoProxy struct {
	// Source is where the list came from: a flag, "NO_PROXY" or "no_proxy".
	Source  string
	entries []noProxyEntry
}

type noProxyEntry struct {
	raw    string
	domain string
	prefix netip.Prefix
	port   int
	all    bool
}

// ParseNoProxy parses a comma- or space-separated NO_PROXY list.
func ParseNoProxy(list, source string) (*NoProxy, error) {
	n := &NoProxy{Source: source}
	for _, raw := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' }) {
		e := noProxyEntry{raw: raw}
		s := strings.ToLower(raw)
		if s == "*" {
			e.all = true
			n.entries = append(n.entries, e)
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			e.prefix = p.Masked()
			n.entries = append(n.entries, e)
			continue
		}
		host := s
		if h, port, ok := strings.Cut(s, "]:"); ok && strings.HasPrefix(s, "[") { // [::1]:443
			host = h + "]"
			if e.port, _ = strconv.Atoi(port); e.port == 0 {
				return nil, fmt.Errorf("%s: bad port in %q", source, raw)
			}
		} else if i := strings.LastIndex(s, ":"); i > 0 && strings.Count(s, ":") == 1 {
			host = s[:i]
			if e.port, _ = strconv.Atoi(s[i+1:]); e.port == 0 {
				return nil, fmt.Errorf("%s: bad port in %q", source, raw)
			}
		}
		host = strings.Trim(host, "[]")
		if a, err := netip.ParseAddr(host); err == nil {
			e.prefix = netip.PrefixFrom(a, a.BitLen())
		} else {
			e.domain = strings.TrimPrefix(strings.TrimPrefix(host, "*"), ".")
			if e.domain == "" {
				return nil, fmt.Errorf("%s: empty entry in %q", source, raw)
			}
		}
		n.entries = append(n.entries, e)
	}
	return n, nil
}

// String writes the list back, comma-separated.
func (n *NoProxy) String() string {
	var out []string
	for _, e := range n.entries {
		out = append(out, e.raw)
	}
	return strings.Join(out, ",")
}

// Match reports whether host:port bypasses the proxy, and the entry that says so.
func (n *NoProxy) Match(host string, port int) (string, bool) {
	if n == nil {
		return "", false
	}
	h := strings.ToLower(strings.Trim(host, "[]"))
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
		case h == e.domain || strings.HasSuffix(h, "."+e.domain):
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

// ProxyFromEnvironment reads the proxy settings other tools use: for https targets HTTPS_PROXY (or
// https_proxy), then ALL_PROXY (all_proxy); for http targets HTTP_PROXY (http_proxy), then ALL_PROXY;
// NO_PROXY (no_proxy) lists the bypassed hosts unless noProxy is set (from noProxySource), which replaces it.
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
		{&c.HTTPS, []string{"HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"}},
		{&c.HTTP, []string{"HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"}},
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
	if noProxy != nil {
		list, source = *noProxy, noProxySource
	}
	if list != "" {
		np, err := ParseNoProxy(list, source)
		if err != nil {
			return nil, err
		}
		c.NoProxy = np
	}
	if c.HTTPS == nil && c.HTTP == nil {
		return nil, nil
	}
	return c, nil
}
