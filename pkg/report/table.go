package report

// TableOptions shape a table for the terminal it is shown on.
type TableOptions struct {
	// Color adds ANSI colours (only on a terminal, and never with TERM=dumb, NO_COLOR or --no-color).
	Color bool
	// Width is the terminal's width in columns: the table and the text after it are fitted to it.
	// Zero (output piped to a file or a program) keeps the stable, unwrapped layout: every word, no wrap.
	Width int
	// SeeAll says, in the command's words, how else to see a column hidden for want of width
	// (e.g. "use -o markdown"); the line that announces hidden columns ends with it.
	SeeAll string
}

// SeeingAll returns the options with SeeAll set to how, in the command's words.
func (o TableOptions) SeeingAll(how string) TableOptions {
	o.SeeAll = how
	return o
}
