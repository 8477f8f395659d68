package probe

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// proxyDefaultPorts are the supported proxy schemes and their default ports.
var proxyDefaultPorts = map[string]int{"http": 80, "https": 443, "socks5": 1080, "socks5h": 1080}

const proxySyntax = "want scheme://[user:password@]host:port"

// ParseProxy parses a proxy URL, scheme://[user[:password]@]host[:port][/]; a bare host[:port] means
// http://, as curl and the agent read it. The user information runs to the last '@', so a password may
// hold any character ('?', '#', '/', '@', ':'); user and password are percent-decoded where that is
// valid. Nothing may follow the port but one '/'. Errors never show any part of the value but a valid
// scheme: it may hold a password.
func ParseProxy(raw, source string) (*Proxy, error) {
	s := strings.TrimSpace(raw)
	scheme, rest, ok := strings.Cut(s, "://")
	if before, after, found := strings.Cut(s, ":"); !ok && found && isScheme(before) && strings.HasPrefix(after, "/") {
		// "http:/user:pw@host": a scheme with its "//" misspelt, not a user named "http".
		return nil, fmt.Errorf("the scheme %q is not followed by \"://\" (want scheme://[user:password@]host:port; the value is not shown, as it may hold a password)", before)
	}
	if !ok || !isScheme(scheme) {
		scheme, rest = "http", s // no scheme; a "://" after a character a scheme cannot have is in a password
	}
	defaultPort, known := proxyDefaultPorts[strings.ToLower(scheme)]
	if !known {
		return nil, fmt.Errorf("unsupported scheme %q (valid: http, https, socks5, socks5h)", scheme)
	}
	p := &Proxy{Scheme: strings.ToLower(scheme), Source: source}
	hostPort := rest
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		user, password, _ := strings.Cut(rest[:i], ":")
		p.Username, p.Password = unescapeIfValid(user), NewSecret(unescapeIfValid(password))
		hostPort = rest[i+1:]
	}
	host, port, err := splitProxyHost(strings.TrimSuffix(hostPort, "/"), defaultPort)
	if err != nil {
		return nil, err
	}
	p.Host = net.JoinHostPort(host, strconv.Itoa(port))
	return p, nil
}

// isScheme reports whether s has the form of a URL scheme (RFC 3986, 3.1).
func isScheme(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isLetter(c) && !('0' <= c && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// unescapeIfValid percent-decodes s, or returns it unchanged when it is not validly encoded.
func unescapeIfValid(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// splitProxyHost checks the part of a proxy URL after the user information: host[:port], the host a
// name, an IPv4 address or an IPv6 address in brackets. Its errors do not show the value.
func splitProxyHost(hp string, defaultPort int) (string, int, error) {
	if strings.ContainsAny(hp, "/?#") {
		return "", 0, errors.New(proxySyntax + " with nothing after the port (no path, query or fragment); " +
			"the value is not shown as it may hold a password")
	}
	host, port, hasPort, err := cutHostPort(hp)
	if err != nil {
		return "", 0, fmt.Errorf("%w (%s)", err, proxySyntax)
	}
	if !hasPort {
		return host, defaultPort, nil
	}
	n, ok := parsePort(port)
	if !ok {
		return "", 0, errors.New("the port must be a number from 1 to 65535")
	}
	return host, n, nil
}

// cutHostPort splits host[:port] or [ipv6][:port] and checks the host.
func cutHostPort(hp string) (host, port string, hasPort bool, err error) {
	if inner, ok := strings.CutPrefix(hp, "["); ok {
		v6, after, ok := strings.Cut(inner, "]")
		if a, err := netip.ParseAddr(v6); !ok || err != nil || !a.Is6() {
			return "", "", false, errors.New("brackets that do not hold an IPv6 address")
		}
		if after == "" {
			return v6, "", false, nil
		}
		if port, ok = strings.CutPrefix(after, ":"); !ok {
			return "", "", false, errors.New("something other than a port after the IPv6 address")
		}
		return v6, port, true, nil
	}
	switch {
	case strings.ContainsAny(hp, "[]"):
		return "", "", false, errors.New("brackets that do not hold an IPv6 address")
	case strings.Count(hp, ":") > 1:
		return "", "", false, errors.New("an IPv6 host must be in brackets, e.g. http://[2001:db8::1]:3128")
	}
	host, port, hasPort = strings.Cut(hp, ":")
	if a, err := netip.ParseAddr(host); err == nil && a.Is4() {
		return host, port, hasPort, nil
	}
	if host, err = asciiHost(host); err != nil {
		return "", "", false, errors.New("no valid host name or address")
	}
	return host, port, hasPort, nil
}
