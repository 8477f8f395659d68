// Package junitxml holds what the JUnit reports of a check and of a fleet share beyond
// github.com/jstemmer/go-junit-report, which writes them: times in seconds, and text XML can carry.
package junitxml

import (
	"strconv"
	"strings"

	"github.com/arccheck/arccheck/internal/safetext"
)

// Seconds writes a time in seconds as JUnit's time attribute: "1.250".
func Seconds(s float64) string { return strconv.FormatFloat(s, 'f', 3, 64) }

// Text keeps text XML can carry: the lines of our own text kept, untrusted control characters within
// them shown as escapes (safetext).
func Text(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		out = append(out, safetext.Escape(l))
	}
	return strings.Join(out, "\n")
}
