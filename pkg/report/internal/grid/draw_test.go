package grid

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/stretchr/testify/require"
)

// tablewriterDraw is how arccheck drew its tables before draw: tablewriter v1 with these options. It is
// the reference draw is held to.
func tablewriterDraw(t testing.TB, header []string, rows [][]string, limits []int) []byte {
	var buf bytes.Buffer
	maxWidths := tw.NewMapper[int, int]()
	for i, l := range limits {
		if l > 0 {
			maxWidths.Set(i, l+padding) // tablewriter's limit takes in the cell's padding
		}
	}
	tbl := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithHeaderAlignment(tw.AlignCenter),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithTrimSpace(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNormal),
		func(t *tablewriter.Table) {
			t.Configure(func(c *tablewriter.Config) { c.Row.ColMaxWidths.PerColumn = maxWidths })
		})
	tbl.Header(header)
	for _, r := range rows {
		require.NoError(t, tbl.Append(r))
	}
	require.NoError(t, tbl.Render())
	return buf.Bytes()
}

// TestDrawAsTablewriter: draw writes the bytes tablewriter wrote for the same table, for tables of every
// shape arccheck draws and random ones: empty cells, cells of several lines, words wider than their
// column's limit, runs of spaces, colour codes, wide and combining characters, and the escapes of
// untrusted text.
func TestDrawAsTablewriter(t *testing.T) {
	words := []string{"ok", "false", "true", "unknown", "not used", "TLS 1.3", "10.0s", "<1ms", "",
		"https://gbl.his.arc.azure.com", "http://www.microsoft.com/pkiops/certs", "tcp_timeout: i/o timeout",
		"warn tls_intercepted: re-signed by CN=Corp Inspection CA,O=Contoso, which this machine trusts",
		Red + "false" + Reset, Dim + "dns_not_found:" + Reset + " " + Dim + "no" + Reset, "  lead", "trail  ",
		"two  spaces", "日本語のホスト", "e\u0301", `\x1b[2J`, "a", "-", "ama,benefits,esu:", "(optional)", "\ttab\tbed\t", " "}
	rng := rand.New(rand.NewPCG(23, 2026))
	text := func(maxWords int) string {
		n := rng.IntN(maxWords + 1)
		parts := make([]string, n)
		for i := range parts {
			parts[i] = words[rng.IntN(len(words))]
		}
		sep := " "
		if rng.IntN(4) == 0 {
			sep = "\n"
		}
		return strings.Join(parts, sep)
	}
	for i := range 3000 {
		cols := 1 + rng.IntN(7)
		header := make([]string, cols)
		limits := make([]int, cols)
		for c := range header {
			header[c] = strings.ToUpper(words[rng.IntN(len(words))])
			if header[c] == "" {
				header[c] = "COL"
			}
			if rng.IntN(3) == 0 {
				limits[c] = 1 + rng.IntN(30)
			}
		}
		rows := make([][]string, rng.IntN(5))
		for r := range rows {
			rows[r] = make([]string, cols)
			for c := range rows[r] {
				rows[r][c] = text(6)
			}
		}
		want := tablewriterDraw(t, header, rows, limits)
		var got bytes.Buffer
		require.NoError(t, draw(&got, header, rows, limits))
		if !bytes.Equal(got.Bytes(), want) {
			wl, gl := strings.Split(string(want), "\n"), strings.Split(got.String(), "\n")
			line := 0
			for line < min(len(wl), len(gl)) && wl[line] == gl[line] {
				line++
			}
			t.Fatalf("table %d (header %q, limits %v, rows %q): line %d differs:\ntablewriter: %q\ndraw:        %q",
				i, header, limits, rows, line, wl[min(line, len(wl)-1)], gl[min(line, len(gl)-1)])
		}
	}
}

// TestDrawWriteFails: a failed write is draw's error, and it stops writing.
func TestDrawWriteFails(t *testing.T) {
	w := &failAfter{n: 2}
	rows := make([][]string, 10000)
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("https://e%d.bench.example", i), "true"}
	}
	require.ErrorIs(t, draw(w, []string{"ENDPOINT", "REACHABLE"}, rows, []int{0, 0}), errFull)
	require.Equal(t, 3, w.calls)
}

var errFull = fmt.Errorf("no space left on device")

type failAfter struct{ n, calls int }

func (f *failAfter) Write(p []byte) (int, error) {
	f.calls++
	if f.calls > f.n {
		return 0, errFull
	}
	return len(p), nil
}

// BenchmarkDraw draws a check table of 3,000 rows (its cells as a run of 3,000 endpoints, a fifth of
// them failing, gives them) with draw and with tablewriter.Table, as before it: the time a row costs when
// a large run writes its report past --timeout. Run:
//
//	go test -run '^$' -bench Draw -benchmem ./pkg/report/internal/grid
func BenchmarkDraw(b *testing.B) {
	header := []string{"ENDPOINT", "REACHABLE", "PRIVATE", "TLS", "PROXY", "TIME", "RESULT"}
	rows := make([][]string, 3000)
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("https://e%d.bench.example:4430", i), "true", "false", "TLS 1.3", "not used", "52ms", "ok"}
		if i%5 == 0 {
			rows[i] = []string{fmt.Sprintf("https://hole%d.bench.example:4431", i), "false", "false", "unknown", "not used", "3.0s",
				"tcp_timeout: no answer to the connection request within 3s (the run's deadline)"}
		}
	}
	limits := make([]int, len(header))
	b.Run("draw", func(b *testing.B) {
		for b.Loop() {
			if err := draw(io.Discard, header, rows, limits); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("tablewriter", func(b *testing.B) {
		for b.Loop() {
			tablewriterDraw(b, header, rows, limits)
		}
	})
}
