package report

import (
	"io"
	"slices"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/arccheck/arccheck/internal/safetext"
)

// TableOptions shape a table for the terminal it is shown on.
type TableOptions struct {
	// Color adds ANSI colours (only on a terminal, and never with TERM=dumb, NO_COLOR or --no-color).
	Color bool
	// Width is the terminal's width in columns: the table and the text after it are fitted to it.
	// Zero (output piped to a file or a program) keeps the stable, unwrapped layout.
	Width int
}

// ANSI colours: failures of required endpoints red, those that never fail a run dim.
const (
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiDim    = "\x1b[2m"
	ansiReset  = "\x1b[0m"
)

// line is one line of a cell, with the colour it is painted in ("" for none).
type line struct {
	text  string
	color string
}

// cell is a table cell: lines of escaped text.
type cell []line

// plain makes a one-line cell of untrusted or plain text: a newline in it is escaped like any control
// character, so a value can never forge another line of the cell.
func plain(s string) cell { return cell{{text: safetext.Escape(s)}} }

// lines makes a cell of one line per value.
func lines(values []string) cell {
	c := cell{}
	for _, v := range values {
		c = append(c, line{text: safetext.Escape(v)})
	}
	if len(c) == 0 {
		c = append(c, line{})
	}
	return c
}

// painted makes a one-line cell in a colour.
func painted(s, color string) cell { return cell{{text: safetext.Escape(s), color: color}} }

// grid is a table before layout, so that columns can be dropped and cells wrapped to fit a width.
type grid struct {
	header []string
	rows   [][]cell
	// drop lists the columns that go, first to last, when the table does not fit.
	drop []int
	// flex lists the columns whose cells may wrap to make the table fit.
	flex []int
}

func (g *grid) add(cells ...cell) { g.rows = append(g.rows, cells) }

// minFlex is the narrowest a wrapping column becomes.
const minFlex = 12

// layout chooses the columns shown and their widths: every column as wide as its widest line when the
// table fits (or no width is set); otherwise the droppable columns go, then the flexible ones shrink.
func (g *grid) layout(width int) (cols []int, widths map[int]int) {
	cols, widths = g.naturalWidths()
	total := func() int {
		t := 3*len(cols) + 1
		for _, c := range cols {
			t += widths[c]
		}
		return t
	}
	for _, d := range g.drop {
		if width <= 0 || total() <= width {
			break
		}
		cols = slices.DeleteFunc(cols, func(c int) bool { return c == d })
	}
	// First the flexible columns shrink, widest first, to minFlex; then, on a very narrow terminal,
	// every column down to its header's width.
	tiers := []func(c int) int{
		func(c int) int {
			if !slices.Contains(g.flex, c) {
				return widths[c]
			}
			return max(minFlex, displayWidth(g.header[c]))
		},
		func(c int) int { return displayWidth(g.header[c]) },
	}
	for _, floor := range tiers {
		for width > 0 && total() > width {
			widest := -1
			for _, c := range cols {
				if widths[c] > floor(c) && (widest < 0 || widths[c] > widths[widest]) {
					widest = c
				}
			}
			if widest < 0 {
				break // as narrow as this tier gets
			}
			widths[widest]--
		}
	}
	return cols, widths
}

// naturalWidths are every column, each as wide as its widest line.
func (g *grid) naturalWidths() (cols []int, widths map[int]int) {
	widths = map[int]int{}
	for i := range g.header {
		cols = append(cols, i)
		widths[i] = displayWidth(g.header[i])
		for _, r := range g.rows {
			for _, l := range r[i] {
				widths[i] = max(widths[i], displayWidth(l.text))
			}
		}
	}
	return cols, widths
}

// render writes the table fitted to width (0: unwrapped), painting each line when color is set.
func (g *grid) render(w io.Writer, width int, color bool) error {
	cols, widths := g.layout(width)
	header := make([]string, 0, len(cols))
	for _, c := range cols {
		header = append(header, g.header[c])
	}
	t := newTable(w, header)
	for _, r := range g.rows {
		row := make([]string, 0, len(cols))
		for _, c := range cols {
			row = append(row, r[c].render(widths[c], width > 0, color))
		}
		if err := t.Append(row); err != nil {
			return err
		}
	}
	return t.Render()
}

// render writes a cell's lines, wrapped to width when wrap is set, each painted in its colour.
func (c cell) render(width int, wrap, color bool) string {
	var out []string
	for _, l := range c {
		parts := []string{l.text}
		if wrap {
			parts = wrapLine(l.text, width)
		}
		for _, p := range parts {
			if color && l.color != "" && p != "" {
				p = l.color + p + ansiReset
			}
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n")
}

// newTable returns an ASCII table in the style of `azcmagent check`: centred upper-case headers,
// left-aligned cells, no wrapping of its own (a cell's own newlines start new lines).
func newTable(w io.Writer, header []string) *tablewriter.Table {
	t := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithHeaderAlignment(tw.AlignCenter),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithTrimSpace(tw.Off),
	)
	t.Header(header)
	return t
}
