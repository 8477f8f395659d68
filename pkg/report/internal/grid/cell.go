// Package grid draws the tables of pkg/report's formats fitted to a terminal, and wraps the text
// around them to the same width: a Grid hides and wraps columns to fit (a width of 0, for a pipe or a
// file, keeps every word on its line), paints its cells when asked, and never cuts a word.
package grid

import (
	"regexp"
	"strings"

	"github.com/arccheck/arccheck/internal/safetext"
)

// ANSI colours: failures of required endpoints red, those that never fail a run dim.
const (
	Red    = "\x1b[31m"
	Green  = "\x1b[32m"
	Yellow = "\x1b[33m"
	Dim    = "\x1b[2m"
	Reset  = "\x1b[0m"
)

// Line is one line of a cell, with the colour it is painted in ("" for none).
type Line struct {
	Text  string
	Color string
}

// Cell is a table cell: lines of escaped text.
type Cell []Line

// Plain makes a one-line cell of untrusted or plain text: a newline in it is escaped like any control
// character, so a value can never forge another line of the cell.
func Plain(s string) Cell { return Cell{{Text: safetext.Escape(s)}} }

// Lines makes a cell of one line per value.
func Lines(values []string) Cell {
	c := Cell{}
	for _, v := range values {
		c = append(c, Line{Text: safetext.Escape(v)})
	}
	if len(c) == 0 {
		c = append(c, Line{})
	}
	return c
}

// Painted makes a one-line cell in a colour.
func Painted(s, color string) Cell { return Cell{{Text: safetext.Escape(s), Color: color}} }

// Render writes a cell for draw, its lines joined by newlines: when wrap is set, a word wider than
// width is broken between its pieces (draw breaks the rest between words); painted when color is
// set, word by word when the line may wrap.
func (c Cell) Render(width int, wrap, color bool) string {
	out := make([]string, 0, len(c))
	for _, l := range c {
		text := l.Text
		if wrap {
			text = breakWords(text, width)
		}
		if color {
			text = paint(text, l.Color, wrap)
		}
		out = append(out, text)
	}
	return strings.Join(out, "\n")
}

// paint colours s; with eachWord, each word on its own, so that a colour starts and ends on every line
// however the table wraps s (draw breaks between words and would carry an open colour into the
// border).
func paint(s, color string, eachWord bool) string {
	switch {
	case color == "" || s == "":
		return s
	case eachWord:
		return wordPattern.ReplaceAllStringFunc(s, func(w string) string { return color + w + Reset })
	}
	return color + s + Reset
}

var wordPattern = regexp.MustCompile("[^ \n]+")
