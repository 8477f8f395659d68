package probe

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Overrides are resolve overrides (curl's --resolve): "host:port" → the addresses to connect to instead
// of asking DNS, tried in order like DNS answers. Either part of the key may be "*" (any host, any port).
// Host names are lower-case ASCII (Unicode names in their punycode form), as ParseOverride returns them.
type Overrides map[string][]netip.Addr

// Match returns the override for host:port, most specific first: host:port, host:*, *:port, *:*.
func (o Overrides) Match(host string, port int) (key string, addrs []netip.Addr, ok bool) {
	if len(o) == 0 {
		return "", nil, false
	}
	h := normalHost(host)
	p := strconv.Itoa(port)
	for _, key := range []string{h + ":" + p, h + ":*", "*:" + p, "*:*"} {
		if addrs, ok := o[key]; ok {
			return key, addrs, true
		}
	}
	return "", nil, false
}

const overrideSyntax = "want HOST:PORT:ADDRESS[,ADDRESS…], HOST and PORT may be *, e.g. management.azure.com:443:127.0.0.1"

// ParseOverride parses curl's --resolve syntax, HOST:PORT:ADDR[,ADDR…], into the key for Overrides
// ("host:port") and the addresses in order. HOST or PORT may be "*"; an IPv6 address may be in brackets
// or bare; a Unicode host name becomes its punycode form. curl's "+" (timed) and "-" (removal) prefixes
// are refused. Errors show the entry.
func ParseOverride(s string) (key string, addrs []netip.Addr, err error) {
	switch {
	case strings.HasPrefix(s, "+"):
		return "", nil, fmt.Errorf("%q: the + prefix (curl's entry with a timeout) is not supported; %s", s, overrideSyntax)
	case strings.HasPrefix(s, "-"):
		return "", nil, fmt.Errorf("%q: the - prefix (curl's removal of an entry) is not supported; %s", s, overrideSyntax)
	}
	host, rest, ok1 := strings.Cut(s, ":")
	port, list, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 || host == "" || list == "" {
		return "", nil, fmt.Errorf("%q: %s", s, overrideSyntax)
	}
	if host != "*" {
		if host, err = asciiHost(host); err != nil {
			return "", nil, fmt.Errorf("%q: %v", s, err)
		}
	}
	if n, ok := parsePort(port); ok {
		port = strconv.Itoa(n) // "0443" is port 443, the key Match looks for
	} else if port != "*" {
		return "", nil, fmt.Errorf("%q: bad port %q (want 1-65535 or *)", s, port)
	}
	for _, a := range strings.Split(list, ",") {
		addr, err := parseOverrideAddr(a)
		if err != nil {
			return "", nil, fmt.Errorf("%q: %q is not an IP address (an IPv6 address may be in brackets)", s, a)
		}
		addrs = append(addrs, addr)
	}
	return host + ":" + port, addrs, nil
}

func parseOverrideAddr(s string) (netip.Addr, error) {
	if inner, ok := strings.CutPrefix(s, "["); ok {
		if s, ok = strings.CutSuffix(inner, "]"); !ok {
			return netip.Addr{}, errors.New("unbalanced brackets")
		}
	}
	a, err := netip.ParseAddr(s)
	return a.Unmap(), err
}

// parsePort reads a port number, 1-65535, in decimal digits only.
func parsePort(s string) (int, bool) {
	if s == "" || len(s) > 5 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= 65535
}

// normalHost is the form of a host name keys are compared in: lower case, punycode for Unicode.
func normalHost(h string) string {
	if a, err := asciiHost(h); err == nil {
		return a
	}
	return strings.ToLower(h)
}

// asciiHost checks a host name and returns it in lower case, converting a Unicode name to punycode.
// Letters, digits, '-', '_' and '.' are allowed; a label does not start with '-'.
func asciiHost(h string) (string, error) {
	if !utf8.ValidString(h) {
		return "", fmt.Errorf("%q is not a host name (not valid UTF-8)", h)
	}
	if !isASCII(h) {
		a, err := idna.Lookup.ToASCII(h)
		if err != nil {
			return "", fmt.Errorf("%q is not a valid international host name: %v", h, err)
		}
		h = a
	}
	h = strings.ToLower(h)
	if !validHostName(h) {
		return "", fmt.Errorf("%q is not a host name (letters, digits, '-', '_' and '.' only)", h)
	}
	return h, nil
}

func validHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || label[0] == '-' || strings.TrimLeft(label, "abcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
