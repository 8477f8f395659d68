package grid

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Grid is a table before it meets a terminal: its columns may be hidden or wrapped to fit the width.
type Grid struct {
	Header []string
	rows   [][]Cell
	// Drop lists the columns that may be hidden when the table cannot fit otherwise, the first to go first.
	Drop []int
	// Flex lists the columns that may wrap, the first to give up width first.
	Flex []int
	// Least is, for a column of prose, the width it is not wrapped below while a column in Drop can go.
	Least map[int]int
	// SeeAll ends the line that announces hidden columns: how else to see them, in the command's words.
	SeeAll string
}

// Add adds a row, a cell per column of the header.
func (g *Grid) Add(cells ...Cell) { g.rows = append(g.rows, cells) }

// Render writes the table fitted to width (0: as wide as its longest lines), painted when color is set,
// and under it, in one line, any column hidden to fit and how else to see it.
func (g *Grid) Render(w io.Writer, width int, color bool) error {
	l := g.layout(width)
	header := make([]string, 0, len(l.cols))
	limits := make([]int, 0, len(l.cols))
	for _, c := range l.cols {
		header = append(header, g.Header[c])
		limits = append(limits, l.limits[c]) // 0 for a column that does not wrap
	}
	rows := make([][]string, 0, len(g.rows))
	for _, r := range g.rows {
		row := make([]string, 0, len(l.cols))
		for _, c := range l.cols {
			limit, wrap := l.limits[c]
			row = append(row, r[c].Render(limit, wrap, color))
		}
		rows = append(rows, row)
	}
	if err := draw(w, header, rows, limits); err != nil {
		return err
	}
	if notice := g.notice(l, width); notice != "" {
		Para(w, notice, width)
	}
	return nil
}

// Width is how wide Render draws the table at a terminal's width (0: unwrapped).
func (g *Grid) Width(width int) int { return g.layout(width).width }

// padding is the width each cell is padded with: a space either side.
const padding = 2

// notice says which columns are hidden, or that the table is wider than the terminal, and what to do.
func (g *Grid) notice(l layout, width int) string {
	ways := "widen the terminal or pipe the output"
	if g.SeeAll != "" {
		ways = "widen the terminal, pipe the output, or " + g.SeeAll
	}
	var names []string
	for _, c := range l.hidden {
		names = append(names, g.Header[c])
	}
	hidden := strings.Join(names, ", ")
	if i := strings.LastIndex(hidden, ", "); i >= 0 {
		hidden = hidden[:i] + " and " + hidden[i+2:]
	}
	switch {
	case len(names) > 0 && l.width > width:
		return fmt.Sprintf("%s hidden at %d columns, and the table still needs %d: %s.", hidden, width, l.width, ways)
	case len(names) > 0:
		return fmt.Sprintf("%s hidden at %d columns: %s.", hidden, width, ways)
	case width > 0 && l.width > width:
		return fmt.Sprintf("The table needs %d columns, %d here: %s.", l.width, width, ways)
	}
	return ""
}

// layout is how a table meets a terminal: the columns shown, the width each wrapped column wraps at,
// the columns hidden and the width the table takes.
//
// This is ours, not tablewriter's: its WithMaxWidth only divides the width evenly into wrap widths and
// lets the table come out wider, and its WithColumnMax and WithColumnWidths shrink columns by cutting
// their text; it hides no column. So the widths are chosen here, and draw wraps at them as tablewriter did.
type layout struct {
	cols   []int
	limits map[int]int
	hidden []int
	width  int
}

// layout fits the table to width: every column at its natural width when it fits (or width is 0);
// otherwise the columns in Drop are hidden, the first first, until the others fit with each column in
// Flex wrapped down to its least, and the columns in Flex wrap as much as the table needs, none narrower
// than its widest piece (a word, or a piece of a long URL or list). A table that cannot fit even so is
// wider than the terminal, and says so: a word is never cut.
func (g *Grid) layout(width int) layout {
	natural := map[int]int{}
	all := make([]int, 0, len(g.Header))
	for c := range g.Header {
		all = append(all, c)
		natural[c] = g.wrapped(c, 0)
	}
	if width <= 0 || tableWidth(all, natural) <= width {
		return layout{cols: all, width: tableWidth(all, natural)}
	}
	hard := maps.Clone(natural)
	for _, c := range g.Flex {
		hard[c] = DisplayWidth(g.Header[c])
		for _, r := range g.rows {
			for _, l := range r[c] {
				hard[c] = max(hard[c], tokenWidth(l.Text))
			}
		}
	}
	least := maps.Clone(hard)
	for c, w := range g.Least {
		least[c] = max(hard[c], min(natural[c], w))
	}
	l := g.choose(least, width)
	g.shrink(&l, natural, []map[int]int{least, hard}, width)
	return l
}

// choose hides the columns in Drop, the first first, until the others fit at their floors: a column is
// never shown while one that Drop keeps longer is hidden.
func (g *Grid) choose(floor map[int]int, width int) layout {
	l := layout{limits: map[int]int{}}
	for c := range g.Header {
		l.cols = append(l.cols, c)
	}
	for _, d := range g.Drop {
		if tableWidth(l.cols, floor) <= width {
			break
		}
		l.cols = slices.DeleteFunc(l.cols, func(c int) bool { return c == d })
		l.hidden = append(l.hidden, d)
	}
	slices.Sort(l.hidden)
	return l
}

// shrink wraps the shown columns of Flex, the first first, each as little as the table needs: all down
// to the first floors, then to the next. Then it gives the columns left over (a wrapped line seldom ends
// right at its limit) back to the first ones.
func (g *Grid) shrink(l *layout, natural map[int]int, floors []map[int]int, width int) {
	widths := maps.Clone(natural)
	flex := slices.DeleteFunc(slices.Clone(g.Flex), func(c int) bool { return !slices.Contains(l.cols, c) })
	for _, floor := range floors {
		for _, c := range flex {
			over := tableWidth(l.cols, widths) - width
			if over <= 0 || widths[c] <= floor[c] {
				continue
			}
			l.limits[c] = max(floor[c], widths[c]-over)
			widths[c] = g.wrapped(c, l.limits[c])
		}
	}
	for _, c := range flex {
		_, wrapped := l.limits[c]
		if slack := width - tableWidth(l.cols, widths); wrapped && slack > 0 {
			if limit := widths[c] + slack; limit < natural[c] {
				l.limits[c], widths[c] = limit, g.wrapped(c, limit)
			} else {
				delete(l.limits, c)
				widths[c] = natural[c]
			}
		}
	}
	l.width = tableWidth(l.cols, widths)
}

// wrapped is how wide column c is when its cells wrap at limit (0: unwrapped), as draw wraps them.
func (g *Grid) wrapped(c, limit int) int {
	w := DisplayWidth(g.Header[c])
	for _, r := range g.rows {
		for _, l := range r[c] {
			wrappedLines := []string{l.Text}
			if limit > 0 {
				wrappedLines = wrapWords(l.Text, limit)
			}
			for _, wl := range wrappedLines {
				w = max(w, DisplayWidth(wl))
			}
		}
	}
	return w
}

// tableWidth is the width of an ASCII table of these columns: each padded, and a bar between and around.
func tableWidth(cols []int, widths map[int]int) int {
	w := 1
	for _, c := range cols {
		w += widths[c] + padding + 1
	}
	return w
}
