// Package safetext makes text that came from the network, an agent or a report file safe to show: on a
// terminal, in a spreadsheet, in an XML or Markdown file. Control characters (C0, DEL, C1), Unicode
// bidirectional controls and invalid UTF-8 are written as visible escapes (\x1b, \u202e), so that a peer
// can neither move the cursor, clear the screen, ring the bell, nor reorder what a reader sees.
package safetext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// unsafe reports whether r must be escaped.
func unsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0: // C0, DEL, C1
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true // bidirectional controls: ALM, LRM, RLM, LRE..RLO, LRI..PDI
	case r == 0x2028, r == 0x2029, r == 0xfeff: // line and paragraph separators, BOM / zero-width no-break space
		return true
	}
	return false
}

// Escape returns s with every unsafe character, and every byte that is not valid UTF-8, written as an
// escape: \xHH for bytes and characters below U+0100, \uHHHH above. A backslash stays as it is. Escape
// of an escaped string changes nothing, so text may be escaped where it is stored and again where it
// is shown.
func Escape(s string) string {
	if IsSafe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafe(r) && r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// IsSafe reports whether s has nothing Escape would change.
func IsSafe(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafe(r) {
			return false
		}
		i += size
	}
	return true
}

// Line is Escape for a text shown on one line; it is Escape, since a newline is a control character
// too. It exists to say so at the call site.
func Line(s string) string { return Escape(s) }

// CSVCell neutralises a spreadsheet formula: a cell that starts with =, +, -, @, a tab or a carriage
// return gets a leading apostrophe, as OWASP recommends, so that a spreadsheet shows it as text. The
// cell is escaped first.
func CSVCell(s string) string {
	s = Escape(s)
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
