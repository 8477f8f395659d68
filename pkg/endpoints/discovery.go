package endpoints

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/arccheck/arccheck/internal/lazyre"
)

var hostname = lazyre.New(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// ParseHISDiscovery reads the answer of the hybrid identity discovery call: the regional URL as a JSON
// string or as plain text (e.g. "https://weu.his.arc.azure.com"). It returns the host name.
func ParseHISDiscovery(body []byte) (string, error) {
	s := strings.TrimSpace(string(body))
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal([]byte(s), &s); err != nil {
			return "", fmt.Errorf("answer is not a JSON string: %v", err)
		}
		s = strings.TrimSpace(s)
	}
	u, err := url.Parse(withDefaultScheme(s))
	if err != nil || !hostname().MatchString(strings.ToLower(u.Hostname())) || !probeable(strings.ToLower(u.Hostname())) {
		return "", fmt.Errorf("answer %.80q is not a URL or host name", body)
	}
	return strings.ToLower(u.Hostname()), nil
}

// ParseNotificationAllowlist reads the answer of the notification-service allowlist call: a JSON array
// of host names (or URLs). Duplicates are dropped; the order is kept.
func ParseNotificationAllowlist(body []byte) ([]string, error) {
	var items []string
	if err := json.Unmarshal(body, &items); err != nil {
		return nil, fmt.Errorf("answer is not a JSON array of host names: %.80q", body)
	}
	var out []string
	for _, it := range items {
		h := strings.ToLower(strings.TrimSpace(it))
		if strings.Contains(h, "://") {
			if u, err := url.Parse(h); err == nil {
				h = u.Hostname()
			}
		}
		if !hostname().MatchString(h) || !probeable(h) {
			return nil, fmt.Errorf("answer holds %.80q, which is not a host name", it)
		}
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("answer is an empty list")
	}
	return out, nil
}

// InDomainOf reports whether a discovered host belongs where the documented pattern says: under the
// pattern's parent domain (*.his.arc.azure.com, <region>.his.arc.azure.com and azgn*.servicebus.windows.net
// accept any host one label below his.arc.azure.com or servicebus.windows.net). This keeps a wrong answer
// from sending probes anywhere else.
func InDomainOf(host, pattern string) bool {
	_, parent, ok := strings.Cut(pattern, ".")
	if !ok || strings.ContainsAny(parent, "*<>[]{}") {
		return false
	}
	label, rest, ok := strings.Cut(host, ".")
	return ok && label != "" && rest == parent
}

// probeable reports whether a discovered host makes a target as it is (IDNA rules: "00--0" is no label).
func probeable(h string) bool {
	t, err := ParseTarget("https://" + h)
	return err == nil && t.Host == h
}
