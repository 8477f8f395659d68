package main

// check --watch: the validated run is built once and checked a round every interval; see docs/watch.md.

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/report"
)

// minWatchInterval is the shortest --watch interval: rounds closer together only add load on the
// firewalls and proxies being changed, and tell a person watching nothing sooner.
const minWatchInterval = time.Second

// redraw clears a terminal and puts the cursor home (ANSI), where the next round is drawn.
const redraw = "\x1b[H\x1b[2J"

// watchInterval is --watch's interval (zero without it), checked with --until-reachable.
func (o *checkOptions) watchInterval() (time.Duration, error) {
	if o.Watch == "" {
		if o.UntilReachable {
			return 0, badInput("--until-reachable: only with --watch INTERVAL (e.g. --watch 30s)")
		}
		return 0, nil
	}
	d, err := time.ParseDuration(o.Watch)
	switch {
	case err != nil:
		return 0, badInput("--watch: %q is not a duration (want %s or more, e.g. 30s or 5m)", o.Watch, minWatchInterval)
	case d < minWatchInterval:
		return 0, badInput("--watch: must be %s or more, got %s (e.g. 30s)", minWatchInterval, d)
	}
	return d, nil
}

// watchMode is how a watch writes its rounds.
type watchMode int

const (
	// watchFinal writes only the final report (a format that cannot stream), and a line per round on stderr.
	watchFinal watchMode = iota
	// watchRedraw redraws a table on the terminal in place, round after round.
	watchRedraw
	// watchStream writes every round whole, one after another (see watchFormats).
	watchStream
)

// watchOutput is what a watch writes of a round.
type watchOutput struct {
	checkOutput
	round report.WatchRound
	state report.WatchState
	// next is the time to the next round; every is the interval.
	next, every time.Duration
	// redraw draws the round on a terminal in place, under agentLine when there is one.
	redraw    bool
	agentLine string
}

// watchFormats are the formats of check whose rounds are written one after another; the other formats
// (JUnit, Markdown, Prometheus: a document per file) are written once, when the watch ends.
var watchFormats = formatTable[watchOutput]{
	{name: "table", audience: forPeople, needs: needsWidth | needsColour | needsHost,
		about: "on a terminal, the table redrawn in place; elsewhere a table per round under a === line",
		write: func(in writeInput, r watchOutput) error {
			var err error
			if r.redraw {
				_, err = fmt.Fprint(in.stdout, redraw+r.agentLine+report.WatchHeader(r.round, r.state, r.next, r.every)+"\n\n")
			} else {
				_, err = fmt.Fprintln(in.stdout, report.WatchSeparator(r.round))
			}
			if err != nil {
				return err
			}
			r.round.Verdict, r.round.Host = r.verdict(), in.host
			if err := report.WatchTable(in.stdout, r.round, in.table.SeeingAll("use -o json")); err != nil || r.redraw {
				return err
			}
			_, err = fmt.Fprintln(in.stdout)
			return err
		}},
	{name: "json", audience: forMachines, needs: needsHost,
		about: "JSON Lines: each round's " + report.CheckSchema + " document on one line",
		write: func(in writeInput, r watchOutput) error {
			return report.CheckJSONLine(in.stdout, in.tool, in.host, r.settings, r.rep, r.verdict())
		}},
}

// watch is a check run a round every interval, until a signal or, with --until-reachable, a round that
// passes.
type watch struct {
	o       *checkOptions
	e       env
	version string
	run     *checkRun
	mode    watchMode
	format  *outputFormat[watchOutput]
	// agentLine names the settings taken from the installed agent, and says the run's warnings, above a
	// redrawn table ("" for none): on a terminal that is redrawn, a line written once would be wiped.
	agentLine string
	// last is the last complete round; zero before the first ends.
	last report.WatchRound
}

func newWatch(o *checkOptions, e env, version string, run *checkRun) *watch {
	w := &watch{o: o, e: e, version: version, run: run}
	f, streams := watchFormats.lookup(run.format.name)
	switch {
	case streams && run.format.isTable() && e.StdoutIsTerminal:
		w.mode, w.format = watchRedraw, f
		if a, p := run.agent, run.resolved; a != nil {
			w.agentLine = agentLine(p, a) + "\n"
		}
	case streams:
		w.mode, w.format = watchStream, f
	}
	return w
}

// loop runs the rounds: each starts an interval after the one before started, or at once when that one
// took longer. The settings are said once, before round 1; a round is shown once it is complete.
func (w *watch) loop() error {
	if err := w.warn(func(e env) error { return announce(e, w.run, w.run.format.isTable() && w.mode != watchRedraw) }); err != nil {
		return err
	}
	ctx := w.e.Context
	for n := 1; ; n++ {
		start := time.Now()
		rep := check.Run(ctx, w.o.runOptions(w.e, w.run))
		if rep.Interrupted {
			return w.interrupted(rep)
		}
		round := report.WatchRound{N: n, Rep: rep, Previous: w.last.Rep, First: w.last.First}
		if n == 2 {
			round.First = w.last.Rep
		}
		w.last = round
		state := w.state(rep)
		next := max(time.Until(start.Add(w.run.watch)), 0)
		if n == 1 {
			_ = w.warn(func(e env) error {
				warnUnusedOverrides(e, w.run, rep)
				if state != report.WatchCannotPass { // which says it, with what it means for the watch
					sayRegionMissing(e, w.run, rep)
				}
				return nil
			})
		}
		if err := w.show(round, state, next); err != nil {
			return err
		}
		if state != report.WatchWaiting {
			return w.finish(state)
		}
		wait := time.NewTimer(next)
		select {
		case <-ctx.Done():
			wait.Stop()
			return w.interrupted(nil)
		case <-wait.C:
		}
	}
}

// warn says what say writes on stderr: there, or, when the table is redrawn on the terminal (which
// would wipe it), above every round's table.
func (w *watch) warn(say func(e env) error) error {
	if w.mode != watchRedraw {
		return say(w.e)
	}
	var lines strings.Builder
	e := w.e
	e.Stderr = &lines
	err := say(e)
	w.agentLine += lines.String()
	return err
}

// state is where the watch stands after a round: it ends with --until-reachable on a round that
// passes as a check does (exit 0), or that no round can pass, for want of a region.
func (w *watch) state(rep *check.Report) report.WatchState {
	switch {
	case !w.o.UntilReachable:
		return report.WatchWaiting
	case rep.Passed(w.o.FailOn == "warning"):
		return report.WatchPassed
	case len(rep.RegionMissing()) > 0:
		return report.WatchCannotPass
	}
	return report.WatchWaiting
}

// show writes a round as the mode says: redrawn, written whole, or a line on stderr (-q: none).
func (w *watch) show(round report.WatchRound, state report.WatchState, next time.Duration) error {
	round.Verdict = w.o.output(w.run, round.Rep).verdict()
	if w.mode == watchFinal {
		if !w.o.Quiet {
			fmt.Fprintln(w.e.Stderr, "arccheck: "+report.WatchLine(round, state, next, w.run.watch))
		}
		return nil
	}
	out := watchOutput{checkOutput: w.o.output(w.run, round.Rep), round: round, state: state, next: next, every: w.run.watch,
		redraw: w.mode == watchRedraw, agentLine: w.agentLine}
	return w.format.writeOut(w.e, w.version, w.o.NoColor, out)
}

// finish ends a watch on the last round: its report, written in a format that cannot stream (the
// others have shown it), and check's exit for it.
func (w *watch) finish(state report.WatchState) error {
	rep := w.last.Rep
	if w.mode == watchFinal {
		if err := w.run.format.writeOut(w.e, w.version, w.o.NoColor, w.o.output(w.run, rep)); err != nil {
			return err
		}
	}
	if state == report.WatchCannotPass {
		return &exitError{code: exitUnreachable, err: errors.New("--until-reachable: " + report.WatchCannotPassLine(rep))}
	}
	return w.o.outcome(w.e, rep)
}

// interrupted ends a watch that a signal stopped, during a round (cut is that round's report) or between
// rounds (cut is nil): the last complete round is the final report, or round 1 as far as it went.
func (w *watch) interrupted(cut *check.Report) error {
	final := w.last
	if final.Rep == nil {
		final = report.WatchRound{N: 1, Rep: cut}
	}
	// A streamed round is on stdout already, unless round 1 was cut short; a redrawn one is drawn again
	// under the header that says the watch ended.
	if w.mode == watchRedraw || w.mode == watchStream && w.last.Rep == nil {
		if err := w.show(final, report.WatchInterrupted, 0); err != nil {
			return err
		}
	}
	if w.mode == watchFinal {
		if err := w.run.format.writeOut(w.e, w.version, w.o.NoColor, w.o.output(w.run, final.Rep)); err != nil {
			return err
		}
	}
	if w.last.Rep == nil {
		return interruption(w.e.Context)
	}
	return stopped(w.e.Context, fmt.Sprintf("round %d, the last complete round, is the final report", final.N))
}
