package endpoints

import (
	"bytes"
	"fmt"
	"strings"
)

// stanza is one blank-line separated block of "Key: value" lines in a catalog file.
type stanza struct {
	file   string
	line   int
	fields []field
}

type field struct {
	key, value string
	line       int
}

// parseStanzas reads the catalog text format: '#' starts a comment line, blank lines separate
// stanzas, every other line is "Key: value". Keys and values are copied out of text; every stanza's
// fields share one array, sized by a first pass over the lines, so that the embedded catalog is read in
// a few allocations at every start.
func parseStanzas(file string, text []byte) ([]stanza, error) {
	// At most a field per line, and one per ':' (a file of blank lines reserves nothing).
	fields := make([]field, 0, min(bytes.Count(text, []byte{'\n'})+1, bytes.Count(text, []byte{':'})))
	var out []stanza
	open := false // a stanza is open: the next field joins it
	for n := 1; len(text) > 0; n++ {
		var raw []byte
		raw, text, _ = bytes.Cut(text, []byte{'\n'})
		line := bytes.TrimSpace(raw)
		switch {
		case len(line) > 0 && line[0] == '#':
			continue
		case len(line) == 0:
			open = false
			continue
		}
		key, value, ok := bytes.Cut(line, []byte{':'})
		key = bytes.TrimSpace(key)
		if !ok || len(key) == 0 || bytes.ContainsAny(key, " \t") {
			return nil, fmt.Errorf("%s:%d: expected \"Key: value\", got %.80q", file, n, line)
		}
		if !open {
			out = append(out, stanza{file: file, line: n})
			open = true
		}
		fields = append(fields, field{key: internKey(key), value: string(bytes.TrimSpace(value)), line: n})
		cur := &out[len(out)-1]
		cur.fields = fields[len(fields)-len(cur.fields)-1 : len(fields) : len(fields)]
	}
	return out, nil
}

// knownKeys are the keys of every kind of stanza, so that a key read is one of these strings rather than
// a copy.
var knownKeys = func() map[string]string {
	m := map[string]string{}
	for _, keys := range [][]string{cloudKeys, regionKeys, tagKeys, noticeKeys, entryKeys, pageKeys} {
		for _, k := range keys {
			m[k] = k
		}
	}
	return m
}()

// internKey is key as a string: a known key's shared string, or a copy.
func internKey(key []byte) string {
	if k, ok := knownKeys[string(key)]; ok {
		return k
	}
	return string(key)
}

// first returns the value of the first field named key.
func (s stanza) first(key string) string {
	for _, f := range s.fields {
		if f.key == key {
			return f.value
		}
	}
	return ""
}

// all returns the values of every field named key.
func (s stanza) all(key string) []string {
	var out []string
	for _, f := range s.fields {
		if f.key == key {
			out = append(out, f.value)
		}
	}
	return out
}

// splitList splits a comma-separated value, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
