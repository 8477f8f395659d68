package safetext

import "testing"

func TestEscape(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain text, ünïcödé ok", "plain text, ünïcödé ok"},
		{"\x1b[2J\x07bell", `\x1b[2J\x07bell`},
		{"a\nb\r\tc", `a\x0ab\x0d\x09c`},
		{"evil\u202eexe.txt", `evil\u202eexe.txt`},
		{"\u2066x\u2069\u200f", `\u2066x\u2069\u200f`},
		{"bad \xff utf8", `bad \xff utf8`},
		{"c1 \u009b", `c1 \x9b`},
		{"del \x7f", `del \x7f`},
	} {
		got := Escape(c.in)
		if got != c.want {
			t.Errorf("Escape(%q) = %q, want %q", c.in, got, c.want)
		}
		if again := Escape(got); again != got {
			t.Errorf("Escape is not idempotent on %q: %q", got, again)
		}
		if !IsSafe(got) {
			t.Errorf("IsSafe(%q) = false after Escape", got)
		}
	}
}

func TestCSVCell(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"=1+2", "'=1+2"}, {"+SUM(A1)", "'+SUM(A1)"}, {"-2", "'-2"}, {"@cmd", "'@cmd"},
		{"\tx", `\x09x`}, {"management.azure.com", "management.azure.com"}, {"", ""},
	} {
		if got := CSVCell(c.in); got != c.want {
			t.Errorf("CSVCell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzEscape(f *testing.F) {
	f.Add("\x1b[31mred\u202e")
	f.Fuzz(func(t *testing.T, s string) {
		e := Escape(s)
		if !IsSafe(e) || Escape(e) != e {
			t.Fatalf("Escape(%q) = %q: not safe or not idempotent", s, e)
		}
	})
}
