package endpoints

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// parseEntry reads an Endpoint stanza, checks it with entrySteps and reads its sources, which name
// pages of pt.
func parseEntry(s stanza, pt pageTable) (Entry, error) {
	e := Entry{
		Endpoint:    s.first("Endpoint"),
		List:        s.first("List"),
		Description: s.first("Description"),
		When:        When(s.first("When")),
		Scenarios:   splitList(s.first("Scenarios")),
		PrivateLink: PrivateLink(s.first("PrivateLink")),
		Targets:     s.all("Target"),
		NotTested:   s.first("NotTested"),
		Bypass:      s.first("Bypass"),
		TLS:         splitList(s.first("TLS")),
		Legacy:      s.first("Legacy"),
		Notes:       s.all("Note"),
		Pos:         fmt.Sprintf("%s:%d", s.file, s.line),
	}
	if err := checkKeys(s, entryKeys, "entry"); err != nil {
		return e, fmt.Errorf("%w (entry %q)", err, e.Endpoint)
	}
	for _, step := range entrySteps {
		if err := step(&e, s); err != nil {
			return e, fmt.Errorf("%s: entry %q: %w", e.Pos, e.Endpoint, err)
		}
	}
	var err error
	if e.Sources, err = pt.sources(s); err != nil {
		return e, fmt.Errorf("%s: entry %q: %w", at(s, err), e.Endpoint, err)
	}
	return e, nil
}

// entrySteps validate an entry (and parse its Ports), in order; the first error is reported.
var entrySteps = []func(*Entry, stanza) error{
	checkRequiredKeys,
	checkEndpointShape,
	func(e *Entry, _ stanza) error { return oneOf("List", e.List, Lists) },
	checkWhen,
	func(e *Entry, _ stanza) error { return allOf("scenario", e.Scenarios, Scenarios) },
	func(e *Entry, _ stanza) error { return oneOf("PrivateLink", e.PrivateLink, privateLinks) },
	parseEntryPorts,
	checkTargets,
	checkBypass,
	func(e *Entry, _ stanza) error { return allOf("TLS version", e.TLS, tlsVersions) },
	func(e *Entry, _ stanza) error { return checkPlaceholders(e.Endpoint) },
	checkTestable,
	parseEntry2026,
	parseExpect,
}

// parseExpect reads the Expect lines: `URL STATUS`, the URL a template as Target lines are.
func parseExpect(e *Entry, s stanza) error {
	for _, line := range s.all("Expect") {
		u, code, ok := strings.Cut(strings.TrimSpace(line), " ")
		status, err := strconv.Atoi(strings.TrimSpace(code))
		if !ok || err != nil || status < 100 || status > 599 {
			return fmt.Errorf("an Expect line %q: want a URL and an HTTP status (https://host/path 200)", line)
		}
		if _, err := parseTemplateURL(u); err != nil {
			return fmt.Errorf("an Expect line %q: %w", line, err)
		}
		e.Expect = append(e.Expect, Expectation{URL: u, Status: status})
	}
	return nil
}

// parseEntry2026 reads the keys current documentation needs: Since, Until, Disputed, Gateway, Inspection
// and ProxyAuth.
func parseEntry2026(e *Entry, s stanza) error {
	var err error
	if e.Since, e.Until, err = parseBounds(s); err != nil {
		return err
	}
	e.Disputed = s.first("Disputed")
	flags := []struct {
		key, want string
		dst       *bool
	}{
		{"Gateway", "direct", &e.GatewayDirect},
		{"Inspection", "unsupported", &e.InspectionUnsupported},
		{"ProxyAuth", "basic", &e.ProxyBasicAuth},
	}
	for _, f := range flags {
		switch v := s.first(f.key); v {
		case "":
		case f.want:
			*f.dst = true
		default:
			return fmt.Errorf("unknown %s %q (valid: %s)", f.key, v, f.want)
		}
	}
	return nil
}

var whens = []When{WhenInstall, WhenAlways, WhenConnect, WhenScenario, WhenOptional}
var privateLinks = []PrivateLink{PrivateLinkPublic, PrivateLinkPrivate, PrivateLinkNotUsed, PrivateLinkPublicUnlessARMPL,
	PrivateLinkUnspecified}
var tlsVersions = []string{"1.0", "1.1", "1.2", "1.3"}

func checkRequiredKeys(_ *Entry, s stanza) error {
	for _, k := range []string{"List", "Description", "When", "PrivateLink", "Ports", "Source"} {
		if s.first(k) == "" {
			return fmt.Errorf("%s is missing", k)
		}
	}
	return nil
}

func checkEndpointShape(e *Entry, _ stanza) error {
	if (strings.ContainsAny(e.Endpoint, " \t,") || strings.Contains(e.Endpoint, "://")) &&
		!strings.HasPrefix(e.Endpoint, "[Your URL Prefix]") {
		return errors.New("Endpoint must be one host or pattern, as documented, without scheme")
	}
	return nil
}

func checkWhen(e *Entry, _ stanza) error {
	if err := oneOf("When", e.When, whens); err != nil {
		return err
	}
	switch {
	case e.When == WhenScenario && len(e.Scenarios) == 0:
		return errors.New("When: scenario needs Scenarios")
	case e.When != WhenScenario && len(e.Scenarios) > 0:
		//lint:ignore ST1005 the message starts with the catalog key it is about
		return errors.New("Scenarios is only valid with When: scenario")
	}
	return nil
}

func parseEntryPorts(e *Entry, s stanza) error {
	for _, p := range splitList(s.first("Ports")) {
		port, err := parsePort(p)
		if err != nil {
			return err
		}
		e.Ports = append(e.Ports, port)
	}
	return nil
}

func checkTargets(e *Entry, _ stanza) error {
	for _, t := range e.Targets {
		if _, err := parseTemplateURL(t); err != nil {
			return fmt.Errorf("Target %q: %w", t, err)
		}
	}
	return nil
}

func checkBypass(e *Entry, _ stanza) error {
	if e.Bypass == "" {
		return nil
	}
	return oneOf("Bypass", e.Bypass, BypassCategories)
}

func checkTestable(e *Entry, _ stanza) error {
	if strings.ContainsAny(e.Endpoint, "*[") && len(e.Targets) == 0 && e.NotTested == "" {
		return errors.New("a wildcard or placeholder pattern needs Target lines or a NotTested reason")
	}
	return nil
}

func parsePort(p string) (Port, error) {
	scheme, num, ok := strings.Cut(p, "/")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 1 || n > 65535 || (scheme != "https" && scheme != "http") {
		return Port{}, fmt.Errorf("bad port %q (want https/443 or http/80 style)", p)
	}
	return Port{Scheme: scheme, Number: n}, nil
}

// checkPlaceholders allows the documented placeholders only: <region> and [Your URL Prefix].
func checkPlaceholders(endpoint string) error {
	valid := append([]string{"<region>", "[Your URL Prefix]"}, valuePlaceholders()...)
	rest := endpoint
	for _, ph := range valid {
		rest = strings.ReplaceAll(rest, ph, "")
	}
	if strings.ContainsAny(rest, "<>[]{}") {
		return fmt.Errorf("unknown placeholder in %q (valid: %s)", endpoint, strings.Join(valid, ", "))
	}
	return nil
}

// templateTokens replaces a template's tokens with words that make a URL, built once.
var templateTokens = sync.OnceValue(func() *strings.Replacer {
	return strings.NewReplacer("<region>", "region", TokenHISShard, "shard", TokenNotificationHosts, "hosts",
		TokenGateway, "gateway")
})

// parseTemplateURL checks a URL template: http or https, a host, tokens only where they belong.
func parseTemplateURL(t string) (*url.URL, error) {
	concrete := templateTokens().Replace(t)
	for _, ph := range valuePlaceholders() {
		concrete = strings.ReplaceAll(concrete, ph, "value")
	}
	if strings.ContainsAny(concrete, "<>{}*[]") {
		return nil, fmt.Errorf("unknown token (valid: <region>, {his-shard}, {notification-hosts}, {gateway}, %s)",
			strings.Join(valuePlaceholders(), ", "))
	}
	u, err := url.Parse(concrete)
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("want an http:// or https:// URL with a host")
	}
	return u, nil
}
