package grid

import (
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter/pkg/twwarp"
	"github.com/olekukonko/tablewriter/pkg/twwidth"

	"github.com/arccheck/arccheck/internal/safetext"
)

// Text from the network (certificate subjects and issuers, a proxy's status line and error code,
// discovery answers, error messages that quote them, an agent's output, a report read back for merge) is
// untrusted: shown on a terminal it could repaint the screen. safetext.Escape makes it inert; these
// helpers fit it to a terminal's width.

// DisplayWidth is the number of terminal columns s takes, colour codes left out, as tablewriter counts them
// (twwidth); printable ASCII, a column a byte, is counted here without twwidth's lock and cache.
func DisplayWidth(s string) int {
	for i := range len(s) {
		if s[i] < 0x20 || s[i] > 0x7e {
			return twwidth.Width(s)
		}
	}
	return len(s)
}

// Para writes a paragraph of untrusted text, escaped and wrapped to width.
func Para(w io.Writer, s string, width int) {
	fmt.Fprintln(w, WrapText(safetext.Escape(s), width, "  "))
}

// Item writes an item of a list under a table, escaped and wrapped to width (see Para).
func Item(w io.Writer, s string, width int) {
	fmt.Fprintln(w, WrapText("  "+safetext.Escape(s), width, "      "))
}

// Text on a terminal breaks only between words and, inside a word too long for its line, after a comma
// or, in a URL, after its scheme and before each "/" of its path: never inside a host name, which has
// neither. draw, as tablewriter (tw.WrapNormal), breaks between words with twwarp, which knows no other
// break, so the rest is ours (breakWords).

// pieces splits a word into the pieces a line may break between: after each comma (a list such as
// "ama,sql", a certificate name), and a URL, or a host with a path, into its scheme, its host and one
// piece per path segment.
func pieces(word string) []string {
	var out []string
	for _, part := range strings.SplitAfter(word, ",") {
		if part != "" {
			out = append(out, urlParts(part)...)
		}
	}
	return out
}

// urlParts splits a URL, or a host with a path, into its scheme, its host and one piece per path
// segment; any other word is one piece.
func urlParts(word string) []string {
	var parts []string
	rest := word
	if i := strings.Index(rest, "://"); i > 0 {
		parts, rest = append(parts, rest[:i+3]), rest[i+3:]
	}
	slash := strings.IndexByte(rest, '/')
	if slash < 0 || (parts == nil && !strings.Contains(rest[:slash], ".")) {
		return append(parts, rest) // "https/443" is no URL
	}
	for {
		if slash > 0 {
			parts = append(parts, rest[:slash])
		}
		rest = rest[slash:]
		if slash = strings.IndexByte(rest[1:], '/') + 1; slash == 0 {
			return append(parts, rest)
		}
	}
}

// tokenWidth is the width of the widest piece of s a line never breaks (pieces).
func tokenWidth(s string) int {
	w := 0
	for _, word := range strings.Fields(s) {
		for _, p := range pieces(word) {
			w = max(w, DisplayWidth(p))
		}
	}
	return w
}

// breakWords breaks each word of s that is wider than limit between its pieces, with as many pieces on a
// line as fit; the rest of s is left for the word wrap. A word with a piece wider than limit is set on
// lines of its own, so that the lines around it keep to limit.
func breakWords(s string, limit int) string {
	if limit <= 0 || DisplayWidth(s) <= limit {
		return s
	}
	var b strings.Builder
	alone := false
	for i, word := range strings.Split(s, " ") {
		broken, wide := breakWord(word, limit)
		if i > 0 && (alone || wide) {
			b.WriteString("\n")
		} else if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(broken)
		alone = wide
	}
	return b.String()
}

// breakWord breaks a word wider than limit between its pieces, and says whether a piece is wider still.
func breakWord(word string, limit int) (broken string, wide bool) {
	if DisplayWidth(word) <= limit {
		return word, false
	}
	var lines []string
	current := ""
	for _, p := range pieces(word) {
		if current != "" && DisplayWidth(current+p) > limit {
			lines, current = append(lines, current), ""
		}
		current += p
		wide = wide || DisplayWidth(p) > limit
	}
	return strings.Join(append(lines, current), "\n"), wide
}

// wrapWords wraps one line to width as a cell wraps (draw): between words (twwarp), and between the
// pieces of a long word; a piece wider than width gets a line of its own, as wide as it is.
func wrapWords(s string, width int) []string {
	var out []string
	for _, part := range strings.Split(breakWords(s, width), "\n") {
		lines, _ := twwarp.WrapString(part, width)
		out = append(out, lines...)
	}
	return out
}

// WrapText wraps a paragraph to width with a hanging indent: the first line as it starts, the next
// ones indented. width 0 leaves it on one line.
func WrapText(s string, width int, indent string) string {
	if width <= 0 || DisplayWidth(s) <= width {
		return s
	}
	body := strings.TrimLeft(s, " ")
	lead := s[:len(s)-len(body)]
	lines := wrapWords(body, width-max(DisplayWidth(lead), DisplayWidth(indent)))
	for i := range lines {
		if i == 0 {
			lines[i] = lead + lines[i]
		} else {
			lines[i] = indent + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}
