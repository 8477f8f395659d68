package report

import (
	"regexp"
	"strings"

	"github.com/mattn/go-runewidth"

	"github.com/arccheck/arccheck/internal/safetext"
)

// Text from the network (certificate subjects and issuers, a proxy's status line and error code,
// discovery answers, error messages that quote them, an agent's output, a report read back for merge) is
// untrusted: shown on a terminal it could repaint the screen, and in a ticket it could inject links.
// safetext.Escape makes it inert everywhere; these helpers do what each format needs beyond that.

// markdownSpecial are the characters Markdown (and the HTML it allows) gives a meaning.
var markdownSpecial = regexp.MustCompile("[\\\\`*_{}\\[\\]()<>#+!|&~]")

// markdownText makes untrusted text inert in Markdown: escaped (safetext), every special character escaped.
func markdownText(s string) string {
	return markdownSpecial.ReplaceAllString(safetext.Escape(s), `\$0`)
}

var ansiEscape = regexp.MustCompile("\x1b\\[[0-9;]*m")

// displayWidth is the number of terminal columns s takes, colour codes left out.
func displayWidth(s string) int { return runewidth.StringWidth(ansiEscape.ReplaceAllString(s, "")) }

// breakAfter are the characters after which a line is best broken: words, host labels, URL paths.
const breakAfter = " ./,-:;=&?"

// wrapLine breaks one line into lines of at most width columns, at a space or after a dot, slash or
// other separator where one is near, else anywhere.
func wrapLine(s string, width int) []string {
	if width <= 0 || displayWidth(s) <= width {
		return []string{s}
	}
	var out []string
	for displayWidth(s) > width {
		runes := []rune(s)
		cut, w, lastBreak := 0, 0, -1
		for i, r := range runes {
			rw := runewidth.RuneWidth(r)
			if w+rw > width {
				break
			}
			w += rw
			cut = i + 1
			if strings.ContainsRune(breakAfter, r) {
				lastBreak = i + 1
			}
		}
		if lastBreak > cut/2 {
			cut = lastBreak
		}
		if cut == 0 {
			cut = 1
		}
		out = append(out, strings.TrimRight(string(runes[:cut]), " "))
		s = strings.TrimLeft(string(runes[cut:]), " ")
	}
	return append(out, s)
}

// wrapText wraps a paragraph to width with a hanging indent: the first line as it starts, the next
// ones indented. width 0 leaves it on one line.
func wrapText(s string, width int, indent string) string {
	if width <= 0 || displayWidth(s) <= width {
		return s
	}
	first := wrapLine(s, width)[0]
	rest := strings.TrimLeft(strings.TrimPrefix(s, first), " ")
	lines := []string{first}
	for _, l := range wrapLine(rest, width-displayWidth(indent)) {
		lines = append(lines, indent+l)
	}
	return strings.Join(lines, "\n")
}
