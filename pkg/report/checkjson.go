package report

import (
	"io"
	"time"

	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/probe"
	"github.com/arccheck/arccheck/pkg/report/internal/write"
)

// CheckSchema is the version tag of the JSON that `arccheck check -o json` writes.
const CheckSchema = "arccheck.check/v1"

// CheckDocument is the JSON form of a check (see README, "JSON: check").
type CheckDocument struct {
	Schema     string      `json:"schema"`
	Tool       Tool        `json:"tool"`
	StartedAt  time.Time   `json:"startedAt"`
	DurationMs float64     `json:"durationMs"`
	Host       Host        `json:"host"`
	Settings   Settings    `json:"settings"`
	Summary    SummaryJSON `json:"summary"`
	// Verdict is "passed" when the command exited 0 for the run, else "failed" (reports written before
	// it was recorded have none).
	Verdict     string          `json:"verdict"`
	Results     []ResultJSON    `json:"results"`
	NotTested   []NotTestedJSON `json:"notTested"`
	Excluded    []ExcludedJSON  `json:"excluded"`
	Discoveries []DiscoveryJSON `json:"discoveries"`
	WhatToFix   []FixGroupJSON  `json:"whatToFix"`
	Notices     []NoticeJSON    `json:"notices"`
	Interrupt   bool            `json:"interrupted"`
	// Revocation are the revocation URLs the chains named, each probed once.
	Revocation []RevocationJSON `json:"revocation"`
	// Clock compares this machine's clock with the servers' Date headers (null when none had one).
	Clock *ClockJSON `json:"clock"`
	// Warnings are findings about the whole run (clock_skew).
	Warnings []WarningJSON `json:"warnings"`
}

// RevocationJSON is one revocation URL and its probe.
type RevocationJSON struct {
	URL       string       `json:"url"`
	Kind      string       `json:"kind"`
	Reachable bool         `json:"reachable"`
	Proxy     string       `json:"proxy"`
	Failure   *FailureJSON `json:"failure"`
	NeededBy  []string     `json:"neededBy"`
}

// ClockJSON is this machine's clock offset from the servers' Date headers.
type ClockJSON struct {
	// OffsetMs is how far this machine's clock is behind the servers' (negative: ahead).
	OffsetMs float64 `json:"offsetMs"`
	Source   string  `json:"source"`
	Answers  int     `json:"answers"`
	Skewed   bool    `json:"skewed"`
}

// SummaryJSON counts a check's results.
type SummaryJSON struct {
	Endpoints           int `json:"endpoints"`
	Reachable           int `json:"reachable"`
	Unreachable         int `json:"unreachable"`
	RequiredUnreachable int `json:"requiredUnreachable"`
	Canceled            int `json:"canceled"`
	RequiredCanceled    int `json:"requiredCanceled"`
	Warnings            int `json:"warnings"`
	NotTested           int `json:"notTested"`
	// RequiredNeedRegion counts the required not-tested patterns that need a region (needs "location"):
	// any fails the run.
	RequiredNeedRegion int `json:"requiredNeedRegion"`
}

// summaryJSON counts a report's results.
func summaryJSON(rep *check.Report) SummaryJSON {
	s := rep.Summary()
	return SummaryJSON{Endpoints: s.Endpoints, Reachable: s.Reachable, Unreachable: s.Unreachable,
		RequiredUnreachable: s.RequiredUnreachable, Canceled: s.Canceled, RequiredCanceled: s.RequiredCanceled,
		Warnings: s.Warnings, NotTested: s.NotTested, RequiredNeedRegion: len(rep.RegionMissing())}
}

// FixGroupJSON is one action and the patterns it applies to.
type FixGroupJSON struct {
	Action   string   `json:"action"`
	Patterns []string `json:"patterns"`
}

// FailureJSON is a failure: its class, the phase it happened in, what exactly happened within the class
// (cause, when a class happens more than one way), and the message.
type FailureJSON struct {
	Class   probe.Class `json:"class"`
	Phase   probe.Phase `json:"phase"`
	Cause   probe.Cause `json:"cause,omitempty"`
	Message string      `json:"message"`
}

// FixJSON is what to change for a failure or warning.
type FixJSON struct {
	Action  string `json:"action"`
	Pattern string `json:"pattern"`
	Hint    string `json:"hint"`
}

// DiscoveryJSON is one live discovery call.
type DiscoveryJSON struct {
	Token   string       `json:"token"`
	URL     string       `json:"url"`
	Hosts   []string     `json:"hosts"`
	Failure *FailureJSON `json:"failure"`
}

// WarningJSON is a finding on a row, with its fix.
type WarningJSON struct {
	Class   probe.Class `json:"class"`
	Message string      `json:"message"`
	Fix     FixJSON     `json:"fix"`
}

// NotTestedJSON is a pattern that could not be probed.
type NotTestedJSON struct {
	Pattern  string `json:"pattern"`
	Reason   string `json:"reason"`
	Required bool   `json:"required"`
	// Needs is the part of the selection that would make it testable: "location" (-l/--location),
	// "gateway-url" or "set" (--set); absent when none would.
	Needs string `json:"needs,omitempty"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// NewCheckDocument builds the JSON form of a report with the command's verdict v; its notices are
// those that concern a run on host.
func NewCheckDocument(tool Tool, host Host, settings Settings, rep *check.Report, v Verdict) CheckDocument {
	settings.Endpoints, settings.Resolve, settings.ProxyBypass = write.NonNil(settings.Endpoints), write.NonNil(settings.Resolve), write.NonNil(settings.ProxyBypass)
	doc := CheckDocument{Schema: CheckSchema, Tool: tool, StartedAt: rep.Start.UTC(), DurationMs: ms(rep.Duration),
		Host: host, Settings: settings, Summary: summaryJSON(rep), Verdict: v.json(), Results: []ResultJSON{}, NotTested: []NotTestedJSON{},
		Excluded: []ExcludedJSON{}, Discoveries: []DiscoveryJSON{}, WhatToFix: []FixGroupJSON{}, Notices: []NoticeJSON{},
		Interrupt: rep.Interrupted, Revocation: revocationJSON(rep), Clock: clockJSON(rep.Clock), Warnings: []WarningJSON{}}
	for _, w := range rep.Warnings {
		doc.Warnings = append(doc.Warnings, warningJSON(w))
	}
	for _, g := range WhatToFix(rep) {
		doc.WhatToFix = append(doc.WhatToFix, FixGroupJSON(g))
	}
	for _, d := range rep.Discoveries {
		doc.Discoveries = append(doc.Discoveries, DiscoveryJSON{Token: d.Token, URL: d.URL, Hosts: write.NonNil(d.Hosts), Failure: failureJSON(discoveryFailure(d))})
	}
	for i := range rep.Results {
		j := resultJSON(&rep.Results[i])
		j.Revocation = revocationRefs(rep, &rep.Results[i])
		doc.Results = append(doc.Results, j)
	}
	for _, n := range rep.NotTested {
		doc.NotTested = append(doc.NotTested, NotTestedJSON{Pattern: n.Pattern, Reason: notTestedReason(n), Required: n.Required,
			Needs: string(n.Needs)})
	}
	if rep.Plan != nil {
		doc.Excluded = excludedJSON(rep.Plan)
	}
	for _, n := range noticesFor(rep, host.OS) {
		doc.Notices = append(doc.Notices, NoticeJSON{Notice: n.Text, Sources: sourcesJSON(n.Sources)})
	}
	return doc
}

func failureJSON(f *worded) *FailureJSON {
	if f == nil {
		return nil
	}
	return &FailureJSON{Class: f.Class, Phase: f.Phase, Cause: f.Cause, Message: f.Message}
}

// findingJSON is a check's failure, with its whole message (messageOf).
func findingJSON(f check.Finding) *FailureJSON {
	return &FailureJSON{Class: f.Class, Phase: f.Phase, Cause: f.Cause, Message: messageOf(f)}
}

func fixJSON(f check.Finding) FixJSON { return FixJSON(FixOf(f)) }

// warningJSON is a warning, of a row or of the run, with its whole message and its fix.
func warningJSON(w check.Finding) WarningJSON {
	return WarningJSON{Class: w.Class, Message: messageOf(w), Fix: fixJSON(w)}
}

// revocationJSON lists the run's revocation URLs.
func revocationJSON(rep *check.Report) []RevocationJSON {
	out := []RevocationJSON{}
	for _, rv := range rep.Revocation {
		out = append(out, RevocationJSON{URL: rv.URL, Kind: string(rv.Kind), Reachable: rv.Probe.Reachable,
			Proxy: ProxyColumn(&rv.Probe), Failure: failureJSON(revocationFailure(rv)), NeededBy: write.NonNil(rv.NeededBy)})
	}
	return out
}

func clockJSON(c *check.Clock) *ClockJSON {
	if c == nil {
		return nil
	}
	return &ClockJSON{OffsetMs: ms(c.Offset), Source: c.Source, Answers: c.Answers, Skewed: c.Skewed()}
}

// CheckJSON writes the report, with the command's verdict v, as indented JSON.
func CheckJSON(w io.Writer, tool Tool, host Host, settings Settings, rep *check.Report, v Verdict) error {
	return write.JSON(w, NewCheckDocument(tool, host, settings, rep, v))
}
