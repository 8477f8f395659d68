package endpoints

import (
	"cmp"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"github.com/arccheck/arccheck/internal/hostport"
)

// Target is one concrete URL to probe.
type Target struct {
	URL    string // scheme://host[:port][/path]
	Scheme string // "https" or "http"
	Host   string
	Port   int
	Path   string
}

// ParseTarget turns a concrete http:// or https:// URL into a Target with an explicit port. A bare host
// name or host:port means https. A URL with user information is refused: a reachability check does not
// use it, and no error shows it.
func ParseTarget(raw string) (Target, error) {
	if mayHoldUserInfo(raw) {
		// User information, however the URL is spelt ("https:/u:pw@host", "u:pw%40host" included): never shown.
		return Target{}, errors.New("user information (user:password@) is not used by a reachability check; remove it (the value is not shown: it may hold a password)")
	}
	s := withDefaultScheme(raw)
	u, err := url.Parse(s)
	if err != nil {
		return Target{}, fmt.Errorf("%q: not a valid URL: %w", raw, parseReason(err))
	}
	shown := shownURL(u)
	if u.User != nil {
		return Target{}, fmt.Errorf("%q: user information (user:password@) is not used by a reachability check; remove it", shown)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return Target{}, fmt.Errorf("%q: want an http:// or https:// URL", shown)
	}
	host := u.Hostname()
	if host == "" || strings.ContainsAny(host, "*<>{}[] ") || !utf8.ValidString(host) {
		return Target{}, fmt.Errorf("%q: want a concrete host name", shown)
	}
	if host, err = asciiHost(host); err != nil {
		return Target{}, fmt.Errorf("%q: %v", shown, err)
	}
	t := Target{Scheme: u.Scheme, Host: host, Path: u.EscapedPath()}
	if t.Path == "/" {
		t.Path = ""
	}
	if u.RawQuery != "" {
		t.Path = cmp.Or(t.Path, "/") + "?" + u.RawQuery
	}
	if t.Port, err = targetPort(u); err != nil {
		return Target{}, fmt.Errorf("%q: %w", shown, err)
	}
	t.URL = t.String()
	return t, nil
}

// mayHoldUserInfo reports whether a URL as given may hold user information: an '@' anywhere, or one
// percent-encoded (%40) before the path. Such a value is never shown in an error, whatever else is wrong.
func mayHoldUserInfo(raw string) bool {
	if strings.Contains(raw, "@") {
		return true
	}
	authority := raw
	if i := strings.Index(authority, ":"); i >= 0 && !strings.ContainsAny(authority[:i], "/?#%") {
		authority = authority[i+1:] // a scheme (or a host before its port: the rest is kept either way)
	}
	authority = strings.TrimLeft(authority, "/")
	if i := strings.IndexAny(authority, "/?#"); i >= 0 {
		authority = authority[:i]
	}
	return strings.Contains(strings.ToLower(authority), "%40")
}

// parseReason is what url.Parse found wrong, without the URL that its error repeats.
func parseReason(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err
	}
	return err
}

// targetPort is the URL's port, or its scheme's default port.
func targetPort(u *url.URL) (int, error) {
	ps := u.Port()
	if ps == "" {
		return hostport.DefaultPort(u.Scheme), nil
	}
	n, err := strconv.Atoi(ps)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("bad port %q", ps)
	}
	return n, nil
}

// String writes the target as a URL, leaving out the scheme's default port, an IPv6 zone written
// %25zone (RFC 6874) so that the URL parses back; probe.Target.URL writes the same URL.
func (t Target) String() string { return hostport.URL(t.Scheme, t.Host, t.Port, t.Path) }

// withDefaultScheme makes a bare host name or host:port an https:// URL.
func withDefaultScheme(s string) string {
	if strings.Contains(s, "://") {
		return s
	}
	return "https://" + s
}

// shownURL writes a parsed URL for an error message from its scheme, host, port and path only: never
// its user information (a password) nor its query.
func shownURL(u *url.URL) string {
	return u.Scheme + "://" + u.Host + u.EscapedPath()
}

// hostOf returns the host[:port] of a URL, or "" when it does not parse.
func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return u.Host
}

// hostNames converts host names as a resolver looks them up, and refuses empty labels and names too long for DNS.
var hostNames = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.VerifyDNSLength(true))

// asciiHost returns a host name as DNS knows it: lower case, and an internationalised name (bücher.example)
// in its punycode form (xn--bcher-kva.example), as the agent's resolver would look it up. IP addresses
// are kept as they are.
func asciiHost(host string) (string, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return a.String(), nil // canonical: lower-case hex, zeros compressed (RFC 5952); a zone as given
	}
	ascii, err := hostNames.ToASCII(host)
	if err != nil {
		return "", fmt.Errorf("%q is not a valid host name (%v)", host, err)
	}
	return strings.ToLower(ascii), nil
}
