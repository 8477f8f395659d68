package agent

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/arccheck/arccheck/internal/lazyre"
	"github.com/arccheck/arccheck/internal/safetext"
)

// MaxValue bounds each value taken from the agent's answers (a version, a region, a URL), in bytes
// once escaped: the real ones are well under 300 (a Private Link Scope's resource ID). A longer value
// is not used, and is a Problem: cut, a URL or a region would be another one.
const MaxValue = 512

// setting makes a value the agent reported safe to keep and show later: control characters, bidi
// controls and invalid UTF-8 escaped (safetext), and refused when longer than MaxValue.
func setting(name, v string) (string, error) {
	v = safetext.Escape(strings.TrimSpace(v))
	if len(v) > MaxValue {
		return "", fmt.Errorf("its %s is %d bytes long, more than the %d read: not used", name, len(v), MaxValue)
	}
	return v, nil
}

// trimAnswer drops the spaces around an answer, and a UTF-8 byte order mark before it.
func trimAnswer(out []byte) []byte {
	return bytes.TrimSpace(bytes.TrimPrefix(bytes.TrimSpace(out), []byte("\ufeff")))
}

// showFields are the keys of azcmagent show -j that are read, and where they go.
func showFields(s *Settings) []struct {
	key string
	dst *string
} {
	return []struct {
		key string
		dst *string
	}{
		{"agentVersion", &s.Version}, {"status", &s.Status}, {"cloud", &s.Cloud}, {"location", &s.Location},
		{"gatewayUrl", &s.GatewayURL}, {"privateLinkScope", &s.PrivateLinkScope},
		{"httpsProxy", &s.HTTPSProxy}, {"upstreamProxy", &s.UpstreamProxy},
	}
}

// parseShow reads azcmagent show -j: a JSON object whose keys are read case-insensitively, the
// documented spelling first, then the others in byte order. Values that are not strings are skipped;
// a value longer than MaxValue is not used and makes an error, the others are still used.
func parseShow(s *Settings, out []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(trimAnswer(out), &raw); err != nil || raw == nil {
		return fmt.Errorf("not a JSON object (%s)", describe(out))
	}
	keys := slices.Sorted(maps.Keys(raw))
	var first error
	for _, f := range showFields(s) {
		v, err := setting(f.key, stringAt(raw, keys, f.key))
		if err != nil && first == nil {
			first = err
		}
		*f.dst = v
	}
	return first
}

// stringAt is the string value of key, spelt as documented or in any case; "" when there is none.
func stringAt(raw map[string]json.RawMessage, keys []string, key string) string {
	var v string
	if json.Unmarshal(raw[key], &v) == nil {
		return v
	}
	for _, k := range keys {
		if strings.EqualFold(k, key) && json.Unmarshal(raw[k], &v) == nil {
			return v
		}
	}
	return ""
}

// parseProxyURL reads azcmagent config get proxy.url: the value alone, or nothing when it is not set.
func parseProxyURL(s *Settings, out []byte) error {
	v := strings.Trim(string(trimAnswer(out)), `"`)
	if strings.ContainsAny(v, "\n\r\t ") {
		return fmt.Errorf("not a single value (%s)", describe(out))
	}
	v, err := setting("proxy.url", v)
	s.ProxyURL = v
	return err
}

// bypassItem is a proxy bypass category (AAD, ARM, Arc, AMA, ArcData); maxBypass bounds how many
// are read, well above the five there are.
var bypassItem = lazyre.New(`^[A-Za-z]{1,32}$`)

const maxBypass = 16

// parseBypass reads azcmagent config get proxy.bypass: categories as "[AAD, ARM]", `["AAD","ARM"]`,
// "AAD,ARM" or one a line; "[]" or nothing when none.
func parseBypass(s *Settings, out []byte) error {
	v := string(trimAnswer(out))
	v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
	items := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
	if len(items) > maxBypass {
		return fmt.Errorf("more than %d proxy bypass categories (%s)", maxBypass, describe(out))
	}
	var bypass []string
	for _, item := range items {
		item = strings.Trim(item, `"'`)
		if !bypassItem().MatchString(item) {
			return fmt.Errorf("an item is not a proxy bypass category (%s)", describe(out))
		}
		bypass = append(bypass, item)
	}
	s.ProxyBypass = bypass
	return nil
}

// extensionScenarios recognises installed extensions by the names their publishers give them.
var extensionScenarios = []struct {
	pattern  func() *regexp.Regexp
	scenario string
}{
	{lazyre.New(`(?i)AzureMonitor(Windows|Linux)Agent|\bAMA\b`), "ama"},
	{lazyre.New(`(?i)\bMDE\.(Windows|Linux)\b|MDE\.|DefenderForServers|AzureDefender`), "mde"},
	{lazyre.New(`(?i)(Windows|Linux)Agent\.SqlServer|\bSqlServer\b`), "sql"},
	{lazyre.New(`(?i)AdminCenter`), "wac"},
	{lazyre.New(`(?i)KeyVaultFor(Windows|Linux)|\bKeyVault\b`), "keyvault"},
	{lazyre.New(`(?i)HybridWorker`), "hrw"},
	{lazyre.New(`(?i)(Windows|Linux)PatchExtension|UpdateManagement`), "update"},
}

// parseExtensions reads azcmagent extension list: any text or JSON in which installed extensions are
// named; each recognised name becomes its scenario (so nothing of the text itself is kept).
func parseExtensions(s *Settings, out []byte) error {
	for _, e := range extensionScenarios {
		if e.pattern().Match(out) && !slices.Contains(s.Extensions, e.scenario) {
			s.Extensions = append(s.Extensions, e.scenario)
		}
	}
	slices.Sort(s.Extensions)
	return nil
}

var winHTTPServer = lazyre.New(`(?i)Proxy Server\(s\)\s*:\s*(\S+)`)

// parseWinHTTP reads netsh winhttp show proxy: the proxy server, or "" for direct access.
func parseWinHTTP(s *Settings, out []byte) error {
	m := winHTTPServer().FindSubmatch(out)
	if m == nil {
		return nil
	}
	v, err := setting("WinHTTP proxy", string(m[1]))
	s.WinHTTPProxy = v
	return err
}

// describe says what an unreadable answer was like without quoting it: it may hold a proxy password.
func describe(out []byte) string {
	lines := bytes.Count(bytes.TrimSpace(out), []byte("\n")) + 1
	return fmt.Sprintf("%d bytes on %d %s; not shown, as it may hold a password", len(out), lines, plural(lines, "line", "lines"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// MaxQuote bounds what an error quotes of the agent's words (the last line it wrote on stderr), in
// bytes once escaped.
const MaxQuote = 200

// credentials are what may be a user and password: in a word with an '@', everything before its last
// '@' (a URL's scheme kept), as URL parsers take the user information to run to the last '@' and a
// password may hold '@', '/' or ':' (user:pass@host without a scheme too).
var credentials = lazyre.New(`([A-Za-z][A-Za-z0-9+.-]*://)?\S*@`)

// lastWords is the last line a command wrote on stderr, for an error: a password in a URL hidden,
// escaped, and cut to MaxQuote bytes (ending in "…" when cut). "" when it wrote nothing.
func lastWords(stderr []byte) string {
	lines := strings.Split(strings.TrimSpace(string(stderr)), "\n")
	line := strings.TrimSpace(lines[len(lines)-1])
	line = safetext.Line(credentials().ReplaceAllString(line, "${1}***@"))
	if len(line) <= MaxQuote {
		return line
	}
	cut := MaxQuote - len("…")
	for cut > 0 && !utf8.RuneStart(line[cut]) {
		cut--
	}
	return line[:cut] + "…"
}
