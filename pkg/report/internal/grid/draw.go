package grid

import (
	"io"
	"strings"

	"github.com/olekukonko/tablewriter/pkg/twwarp"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// draw writes an ASCII table in the style of `azcmagent check`, byte for byte as tablewriter v1's Table
// drew it with the options arccheck used (tw.StyleASCII, a space of padding either side, centred header,
// left-aligned cells, no trimming of spaces): a cell's own newlines start new lines; a column with a
// limit wraps each line between words at it (twwarp.WrapStringWithSpaces), a wider word widening the
// column; a row's later line that is empty in every cell is left out (tablewriter's TrimLine).
// TestDrawAsTablewriter holds it to tablewriter's bytes. The layout (Grid.layout) was already ours; the
// drawing is too because Table builds maps per cell and per neighbouring line: for the 3,000 rows of
// BenchmarkDraw it takes about 20 times draw's time and 30 times its memory, and a large run writes its
// report after --timeout.
//
// limits[i] is column i's wrap width (0: none); the header never wraps.
func draw(w io.Writer, header []string, rows [][]string, limits []int) error {
	cols := len(header)
	widths := make([]int, cols)
	headLines := make([][]string, cols)
	for c, h := range header {
		headLines[c] = strings.Split(untab(h), "\n")
		widths[c] = maxWidth(widths[c], headLines[c])
	}
	// Every row's lines, one slice for all of them: a row is a line count, then that many lines a column.
	cells := make([][]string, 0, len(rows)*cols)
	for _, row := range rows {
		for c := range cols {
			lines := cellLines(row[c], limits[c])
			widths[c] = maxWidth(widths[c], lines)
			cells = append(cells, lines)
		}
	}
	b := make([]byte, 0, 64<<10)
	border := rule(widths)
	b = append(b, border...)
	b = appendLines(b, headLines, widths, true)
	if len(rows) > 0 {
		b = append(b, border...)
	}
	for r := range rows {
		b = appendLines(b, cells[r*cols:(r+1)*cols], widths, false)
		if len(b) > 60<<10 {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	b = append(b, border...)
	_, err := w.Write(b)
	return err
}

// cellLines is a cell's lines as tablewriter sets them: split at its newlines, each wrapped at limit.
func cellLines(cell string, limit int) []string {
	if limit <= 0 && !strings.ContainsAny(cell, "\n\t") {
		return []string{cell}
	}
	lines := strings.Split(untab(cell), "\n")
	if limit <= 0 {
		return lines
	}
	wrapped := make([]string, 0, len(lines))
	for _, l := range lines {
		ws, _ := twwarp.WrapStringWithSpaces(l, limit)
		wrapped = append(wrapped, ws...)
	}
	return wrapped
}

// untab treats tabs as tablewriter does: those that start or end the cell are trimmed, the others
// expanded (cells are escaped, so only a caller's own text has any).
func untab(s string) string {
	if !strings.Contains(s, "\t") {
		return s
	}
	return strings.ReplaceAll(strings.Trim(s, "\t"), "\t", strings.Repeat(" ", twwidth.TabWidth()))
}

func maxWidth(w int, lines []string) int {
	for _, l := range lines {
		w = max(w, DisplayWidth(l))
	}
	return w
}

// rule is a border line: +-----+---+ with each column's width and its padding.
func rule(widths []int) string {
	var b strings.Builder
	b.WriteByte('+')
	for _, w := range widths {
		b.WriteString(strings.Repeat("-", w+padding))
		b.WriteByte('+')
	}
	b.WriteByte('\n')
	return b.String()
}

// appendLines appends one table row: as many lines as its tallest cell, each cell padded to its
// column's width, centred in the header and left-aligned below it.
func appendLines(b []byte, cells [][]string, widths []int, centre bool) []byte {
	height := 0
	for _, c := range cells {
		height = max(height, len(c))
	}
	for i := range height {
		if i > 0 && !centre && blank(cells, i) {
			continue // tablewriter's TrimLine: a row's later line with nothing in any cell is left out
		}
		b = append(b, '|')
		for c, lines := range cells {
			text := ""
			if i < len(lines) {
				text = lines[i]
			}
			gap := widths[c] - DisplayWidth(text)
			left := 0
			if centre {
				left = gap / 2
			}
			b = append(b, ' ')
			b = appendSpaces(b, left)
			b = append(b, text...)
			b = appendSpaces(b, gap-left)
			b = append(b, ' ', '|')
		}
		b = append(b, '\n')
	}
	return b
}

// blank says whether line i of the row is empty in every cell.
func blank(cells [][]string, i int) bool {
	for _, lines := range cells {
		if i < len(lines) && lines[i] != "" {
			return false
		}
	}
	return true
}

const spaces = "                                                                "

func appendSpaces(b []byte, n int) []byte {
	for ; n > len(spaces); n -= len(spaces) {
		b = append(b, spaces...)
	}
	return append(b, spaces[:max(n, 0)]...)
}
