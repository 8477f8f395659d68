package endpoints

import (
	"bufio"
	"fmt"
	"io"
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
// stanzas, every other line is "Key: value".
func parseStanzas(file string, r io.Reader) ([]stanza, error) {
	var out []stanza
	var cur *stanza
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "#"):
			continue
		case line == "":
			cur = nil
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		key = strings.TrimSpace(key)
		if !ok || key == "" || strings.ContainsAny(key, " \t") {
			return nil, fmt.Errorf("%s:%d: expected \"Key: value\", got %q", file, n, line)
		}
		if cur == nil {
			out = append(out, stanza{file: file, line: n})
			cur = &out[len(out)-1]
		}
		cur.fields = append(cur.fields, field{key: key, value: strings.TrimSpace(value), line: n})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return out, nil
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
