package probe

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
)

// factsJSON is a finding as JSON: every fact it holds, its nested findings' too (nil: "null"). It is
// what a failed assertion shows of a finding.
func factsJSON(f *Finding) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil {
		return "unrenderable finding: " + err.Error()
	}
	return strings.TrimSpace(b.String())
}

// factText is every string a finding holds, its nested findings' too (the addresses and proxies'
// answers of Failed, All and Cut), one a line, then its JSON: for asserting that a string a peer, the
// system or a library said appears somewhere in the finding, or never does.
func factText(f *Finding) string {
	var all []string
	stringsOf(reflect.ValueOf(f), &all)
	return strings.Join(append(all, factsJSON(f)), "\n")
}
