package endpoints

import (
	"slices"
	"time"
)

// ChangeKind says how an endpoint or service tag differs between the older tables (the baseline pages of
// the sources table) and the current ones.
type ChangeKind string

// The kinds of change.
const (
	ChangeAdded    ChangeKind = "added"    // documented only by current documentation
	ChangeRemoved  ChangeKind = "removed"  // in an older table, dropped since (legacy, or its Until date passed)
	ChangeDisputed ChangeKind = "disputed" // current documents disagree about it
)

// Change is one difference between the older tables and the current ones, for an admin whose firewall
// change request was written from the older tables.
type Change struct {
	Kind ChangeKind
	// Endpoint is the changed endpoint; nil for a service tag.
	Endpoint *Endpoint
	// Tag is the changed service tag; nil for an endpoint.
	Tag *ServiceTag
	// When is the date or agent version of the change, when the catalog has one.
	When Bound
	// Why says why, in the catalog's words (the Legacy or Disputed text), when it does.
	Why string
}

// Changes lists what differs between the older tables (the pages marked Baseline in the sources table)
// and the current ones for this selection: endpoints and service tags added since, removed since, and
// disputed.
func (p *Plan) Changes() []Change {
	var out []Change
	for i := range p.Endpoints {
		ep := &p.Endpoints[i]
		if c, ok := p.endpointChange(ep); ok {
			out = append(out, c)
		}
	}
	for i := range p.Cloud.ServiceTags {
		t := &p.Cloud.ServiceTags[i]
		if !p.tagApplies(t) {
			continue
		}
		switch {
		case t.Until.Passed(p.now):
			out = append(out, Change{Kind: ChangeRemoved, Tag: t, When: t.Until})
		case !fromBaseline(t.Sources):
			out = append(out, Change{Kind: ChangeAdded, Tag: t, When: t.Since})
		}
	}
	return out
}

func (p *Plan) endpointChange(ep *Endpoint) (Change, bool) {
	e := ep.Entry
	switch {
	case e.Disputed != "":
		return Change{Kind: ChangeDisputed, Endpoint: ep, When: e.Until, Why: e.Disputed}, true
	case e.Legacy != "" || e.Until.Passed(p.now):
		return Change{Kind: ChangeRemoved, Endpoint: ep, When: e.Until, Why: e.Legacy}, true
	case !fromBaseline(e.Sources) || e.Since.Date.After(baselineDate(e.Sources)):
		return Change{Kind: ChangeAdded, Endpoint: ep, When: e.Since}, true
	}
	return Change{}, false
}

// fromBaseline reports whether any source is a baseline page: one of the older tables.
func fromBaseline(sources []Source) bool {
	return slices.ContainsFunc(sources, func(s Source) bool { return s.Page.Baseline })
}

// baselineDate is the date of the latest baseline page among sources: an entry that started to apply
// after it was added since the table it is compared with. Without a dated baseline page it is the far
// future, so that no Since date is after it.
func baselineDate(sources []Source) time.Time {
	var latest time.Time
	for _, s := range sources {
		if s.Page.Baseline && s.Page.Date.Date.After(latest) {
			latest = s.Page.Date.Date
		}
	}
	if latest.IsZero() {
		return time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	return latest
}
