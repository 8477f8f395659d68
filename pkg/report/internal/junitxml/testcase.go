package junitxml

import (
	"fmt"
	"strings"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/arccheck/arccheck/internal/safetext"
)

// NeverFails introduces, in system-out, the failure of an endpoint that never fails a run: its case
// passes, as the run does.
const NeverFails = "unreachable, but this endpoint never fails a run: "

// Finding is a failure or a warning as a test case shows it: its class, the phase it failed in (a
// failure's), its whole message, and its fix's action (the result's message) and hint.
type Finding struct {
	Class, Phase, Message, Action, Hint string
}

// Case is what a test case of a check's or a fleet's JUnit says of an endpoint, or of the run.
type Case struct {
	// Failure is the endpoint's failure; nil when it was reachable.
	Failure *Finding
	// Local says the failure is this machine's (local_resources): the case is an error, no verdict on
	// the endpoint.
	Local bool
	// Required says the failure fails the run, and so the case. The failure of an endpoint that never
	// fails a run is a line of system-out (NeverFails), and the case passes.
	Required bool
	// Warnings are lines of system-out; with FailOnWarning the first is the case's failure when it has
	// none.
	Warnings      []Finding
	FailOnWarning bool
	// Notes are further lines of system-out, after the warnings.
	Notes []string
}

// Fill sets the error or failure of tc and its system-out; every text is escaped (Text).
func (c Case) Fill(tc *junit.Testcase) {
	var out []string
	if f := c.Failure; f != nil {
		text := f.failureText()
		switch {
		case c.Local:
			tc.Error = f.result(text)
		case c.Required:
			tc.Failure = f.result(text)
		default:
			out = append(out, NeverFails+text)
		}
	}
	for _, w := range c.Warnings {
		text := fmt.Sprintf("warning %s: %s", w.Class, w.Message) + w.fixLine()
		if c.FailOnWarning && tc.Failure == nil {
			tc.Failure = w.result(text)
			continue
		}
		out = append(out, text)
	}
	out = append(out, c.Notes...)
	if len(out) > 0 {
		tc.SystemOut = &junit.Output{Data: Text(strings.Join(out, "\n"))}
	}
}

// failureText is a failure in full: "class (phase phase): message", and its fix.
func (f Finding) failureText() string {
	return fmt.Sprintf("%s (%s phase): %s", f.Class, f.Phase, f.Message) + f.fixLine()
}

// fixLine is the line of the fix's hint, if it has one.
func (f Finding) fixLine() string {
	if f.Hint == "" {
		return ""
	}
	return "\nfix: " + f.Hint
}

// result is the failure or error element of a finding: its class and fix's action, the text in full.
func (f Finding) result(text string) *junit.Result {
	return &junit.Result{Message: Text(f.Class + ": " + f.Action), Type: safetext.Escape(f.Class), Data: Text(text)}
}
