package endpoints

import (
	"errors"
	"strconv"
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

// AgentVersion is the major and minor number of a Connected Machine agent version ("1.60"; the build
// numbers after them, as in "1.60.03293.1234", do not change what an agent does).
type AgentVersion struct{ Major, Minor int }

// ParseAgentVersion reads "1.60", "v1.60" or "1.60.03293.1234"; ok is false for anything else.
func ParseAgentVersion(s string) (v AgentVersion, ok bool) {
	parts := strings.SplitN(strings.TrimPrefix(strings.TrimSpace(s), "v"), ".", 3)
	if len(parts) < 2 {
		return v, false
	}
	digits := func(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" && len(s) < 6 }
	if !digits(parts[0]) || !digits(parts[1]) {
		return v, false
	}
	v.Major, _ = strconv.Atoi(parts[0])
	v.Minor, _ = strconv.Atoi(parts[1])
	return v, true
}

// Less reports whether v is an earlier version than w.
func (v AgentVersion) Less(w AgentVersion) bool {
	return v.Major < w.Major || v.Major == w.Major && v.Minor < w.Minor
}

// String writes the version as "1.60".
func (v AgentVersion) String() string { return strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor) }

// parseBound reads a Since or Until value.
func parseBound(s string) (Bound, error) {
	if s == "" {
		return Bound{}, nil
	}
	if v, ok := strings.CutPrefix(s, "agent "); ok {
		if _, ok := ParseAgentVersion(v); ok && !strings.HasPrefix(v, "v") && strings.Count(v, ".") == 1 {
			return Bound{Raw: s, Agent: v}, nil
		}
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
