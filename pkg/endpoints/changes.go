package endpoints

import (
	"slices"
	"time"
)

// ChangeKind says how an endpoint or service tag differs between the seed-era tables and current ones.
type ChangeKind string

// The kinds of change.
const (
	ChangeAdded    ChangeKind = "added"    // documented only by current documentation
	ChangeRemoved  ChangeKind = "removed"  // in a seed table, dropped since (legacy, or its Until date passed)
	ChangeDisputed ChangeKind = "disputed" // current documents disagree about it
)

// Change is one difference between the seed-era tables and the current ones, for an admin whose
// firewall change request was written from the old tables.
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

// Changes lists what differs between the seed-era tables and the current ones for this selection:
// endpoints and service tags added since, removed since, and disputed.
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
		case !fromSeed(t.Sources):
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
	case !fromSeed(e.Sources) || e.Since.Date.After(seedEraEnd):
		return Change{Kind: ChangeAdded, Endpoint: ep, When: e.Since}, true
	}
	return Change{}, false
}

// seedEraEnd ends the seed era: the tables an entry is compared with are the seeds' and the
// documentation's up to the end of 2023, when the ESU tables were first published (2023-10 for Azure
// Cloud, 2023-11 for Azure Government), which no seed holds.
var seedEraEnd = time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC)

// fromSeed reports whether any source is of the seed era: a seed document, or documentation dated up
// to seedEraEnd (e.g. "esu network requirements, 2023-10").
func fromSeed(sources []Source) bool {
	return slices.ContainsFunc(sources, func(s Source) bool {
		if slices.Contains(seedDocuments, s.Document) {
			return true
		}
		d, ok := sourceDate(s.Document)
		return ok && !d.After(seedEraEnd)
	})
}

// sourceDate is the month of a dated current-documentation source ("network requirements, 2025-09").
func sourceDate(doc string) (time.Time, bool) {
	if !currentDoc.MatchString(doc) {
		return time.Time{}, false
	}
	b, err := parseBound(doc[len(doc)-len("2006-01"):])
	return b.Date, err == nil && !b.Date.IsZero()
}
