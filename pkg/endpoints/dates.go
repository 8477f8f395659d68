package endpoints

import (
	"errors"
	"regexp"
	"strings"
	"time"
)

// Bound is when an entry started or stopped applying: a date of the documentation, or an agent version.
type Bound struct {
	// Raw is the value as the catalog writes it: "2026-02-13", "2026-04" or "agent 1.57".
	Raw string
	// Date is the date (the first day of the month for "2026-04"); zero for an agent version.
	Date time.Time
	// Agent is the agent version, e.g. "1.57"; empty for a date.
	Agent string
}

// IsZero reports whether no bound is set.
func (b Bound) IsZero() bool { return b.Raw == "" }

// Passed reports whether a date bound is on or before now; an agent-version bound never has.
func (b Bound) Passed(now time.Time) bool { return !b.Date.IsZero() && !b.Date.After(now) }

var agentVersion = regexp.MustCompile(`^agent [0-9]+\.[0-9]+$`)

// parseBound reads a Since or Until value.
func parseBound(s string) (Bound, error) {
	if s == "" {
		return Bound{}, nil
	}
	if agentVersion.MatchString(s) {
		return Bound{Raw: s, Agent: strings.TrimPrefix(s, "agent ")}, nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01"} {
		if d, err := time.Parse(layout, s); err == nil {
			return Bound{Raw: s, Date: d}, nil
		}
	}
	return Bound{}, errors.New("want a date (2026-02-13 or 2026-04) or an agent version (agent 1.57)")
}

// parseBounds reads a stanza's Since and Until.
func parseBounds(s stanza) (since, until Bound, err error) {
	if since, err = parseBound(s.first("Since")); err != nil {
		return since, until, errors.New("Since: " + err.Error())
	}
	if until, err = parseBound(s.first("Until")); err != nil {
		return since, until, errors.New("Until: " + err.Error())
	}
	if !since.Date.IsZero() && !until.Date.IsZero() && !until.Date.After(since.Date) {
		//lint:ignore ST1005 the message starts with the catalog key it is about
		return since, until, errors.New("Until must be after Since")
	}
	return since, until, nil
}
