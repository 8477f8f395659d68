package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/report/internal/grid"
	"github.com/arccheck/arccheck/pkg/report/internal/write"
)

// ListSchema is the version tag of the JSON that `arccheck list -o json` writes.
const ListSchema = "arccheck.list/v1"

// ListDocument is the JSON form of a selection (see README, "JSON: list").
type ListDocument struct {
	Schema    string        `json:"schema"`
	Tool      Tool          `json:"tool"`
	Selection SelectionJSON `json:"selection"`
	// Catalog and CatalogSHA256 say which catalog the listing came from ("embedded" or the file given)
	// and the hex SHA-256 of its bytes.
	Catalog       string           `json:"catalog"`
	CatalogSHA256 string           `json:"catalogSha256"`
	Endpoints     []ListEndpoint   `json:"endpoints"`
	Excluded      []ExcludedJSON   `json:"excluded"`
	ServiceTags   []ServiceTagJSON `json:"serviceTags"`
	Notices       []NoticeJSON     `json:"notices"`
	// Sources says where each selection setting came from ("flag", "agent"); Agent is the installed Arc
	// agent they were read from, if any.
	Sources map[string]string `json:"sources,omitempty"`
	Agent   *AgentJSON        `json:"agent,omitempty"`
}

// ServiceTagJSON is an Azure service tag a firewall may allow instead of host names.
type ServiceTagJSON struct {
	Name      string       `json:"name"`
	Condition string       `json:"condition,omitempty"`
	Since     string       `json:"since,omitempty"`
	Until     string       `json:"until,omitempty"`
	Sources   []SourceJSON `json:"sources"`
}

// NoticeJSON is a documented fact about the whole selection.
type NoticeJSON struct {
	Notice  string       `json:"notice"`
	Sources []SourceJSON `json:"sources"`
}

// SourceJSON is a Microsoft page an entry comes from: its title, public address and the date of the
// version read, the table or section of it, and the page's source at that version (see docs/catalog.md).
type SourceJSON struct {
	Title string `json:"title"`
	URL   string `json:"url"`
	// Date is the version's date (2026-04-27, or the month 2026-08); "" when the page has no history.
	Date  string `json:"date,omitempty"`
	Table string `json:"table"`
	// Revision is the page's source at that version, e.g. a GitHub URL at a commit.
	Revision string `json:"revision,omitempty"`
}

// Tool names the program and its version.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// SelectionJSON records the selection a listing or check was made for.
type SelectionJSON struct {
	Cloud      string   `json:"cloud"`
	Location   string   `json:"location"`
	Mode       string   `json:"mode"`
	List       string   `json:"list"`
	Scenarios  []string `json:"scenarios"`
	GatewayURL string   `json:"gatewayUrl,omitempty"`
	// Values are the --set values, by name (never secrets: workspace IDs, vault names).
	Values map[string]string `json:"values,omitempty"`
}

// ListEndpoint is one selected catalog entry.
type ListEndpoint struct {
	Endpoint    string         `json:"endpoint"`
	Pattern     string         `json:"pattern"`
	Description string         `json:"description"`
	When        string         `json:"when"`
	Scenarios   []string       `json:"scenarios"`
	Required    bool           `json:"required"`
	PrivateLink string         `json:"privateLink"`
	Ports       []string       `json:"ports"`
	Bypass      string         `json:"bypass,omitempty"`
	TLS         []string       `json:"tlsVersions,omitempty"`
	Legacy      string         `json:"legacy,omitempty"`
	Notes       []string       `json:"notes"`
	Targets     []string       `json:"targets"`
	Discover    []DiscoverJSON `json:"discover"`
	NotTested   []string       `json:"notTested"`
	Sources     []SourceJSON   `json:"sources"`
	Catalog     string         `json:"catalog"`
	Since       string         `json:"since,omitempty"`
	Until       string         `json:"until,omitempty"`
	Disputed    string         `json:"disputed,omitempty"`
	// NotCarried is set in gateway mode for an endpoint the gateway does not carry: allow it directly.
	NotCarried bool `json:"notCarriedByGateway,omitempty"`
	// GatewayDirect, InspectionUnsupported and ProxyBasicAuth are the catalog's facts (see data/README.md).
	GatewayDirect         bool `json:"gatewayDirect,omitempty"`
	InspectionUnsupported bool `json:"inspectionUnsupported,omitempty"`
	ProxyBasicAuth        bool `json:"proxyBasicAuth,omitempty"`
}

// DiscoverJSON is a part of a pattern found at run time.
type DiscoverJSON struct {
	Token string `json:"token"`
	URL   string `json:"url"`
}

// ExcludedJSON is an entry the selection leaves out on purpose.
type ExcludedJSON struct {
	Endpoint string `json:"endpoint"`
	Reason   string `json:"reason"`
}

// NewSelectionJSON records a plan's selection.
func NewSelectionJSON(p *endpoints.Plan) SelectionJSON {
	return SelectionJSON{Cloud: p.Cloud.Name, Location: p.Location, Mode: string(p.Mode), List: p.List,
		Scenarios: write.NonNil(p.Scenarios), GatewayURL: p.GatewayURL, Values: p.Values}
}

// NewListDocument builds the JSON form of a plan.
func NewListDocument(tool Tool, p *endpoints.Plan) ListDocument {
	doc := ListDocument{Schema: ListSchema, Tool: tool, Selection: NewSelectionJSON(p),
		Catalog: p.Catalog.Name, CatalogSHA256: p.Catalog.SHA256, Endpoints: []ListEndpoint{}, Excluded: excludedJSON(p), ServiceTags: []ServiceTagJSON{}}
	for _, t := range p.ServiceTags {
		doc.ServiceTags = append(doc.ServiceTags, ServiceTagJSON{Name: t.Name, Condition: t.Condition, Since: t.Since.Raw,
			Until: t.Until.Raw, Sources: sourcesJSON(t.Sources)})
	}
	doc.Notices = noticesJSON(p)
	for _, ep := range p.Endpoints {
		e := ep.Entry
		le := ListEndpoint{
			Endpoint: e.Endpoint, Pattern: ep.Pattern, Description: e.Description, When: string(e.When),
			Scenarios: write.NonNil(e.Scenarios), Required: ep.Required, PrivateLink: string(e.PrivateLink),
			Bypass: e.Bypass, TLS: e.TLS, Legacy: e.Legacy, Notes: write.NonNil(e.Notes), Targets: []string{},
			Discover: []DiscoverJSON{}, NotTested: endpointReasons(ep), Sources: sourcesJSON(e.Sources), Catalog: e.Pos,
			Since: e.Since.Raw, Until: e.Until.Raw, Disputed: e.Disputed, NotCarried: ep.NotCarried,
			GatewayDirect: e.GatewayDirect, InspectionUnsupported: e.InspectionUnsupported, ProxyBasicAuth: e.ProxyBasicAuth,
		}
		for _, port := range e.Ports {
			le.Ports = append(le.Ports, port.String())
		}
		for _, t := range ep.Targets {
			le.Targets = append(le.Targets, t.URL)
		}
		for _, d := range ep.Discover {
			le.Discover = append(le.Discover, DiscoverJSON{Token: d.Token, URL: d.URL})
		}
		doc.Endpoints = append(doc.Endpoints, le)
	}
	return doc
}

func noticesJSON(p *endpoints.Plan) []NoticeJSON {
	out := []NoticeJSON{}
	for _, n := range p.Notices {
		out = append(out, NoticeJSON{Notice: n.Text, Sources: sourcesJSON(n.Sources)})
	}
	return out
}

func sourcesJSON(sources []endpoints.Source) []SourceJSON {
	out := []SourceJSON{}
	for _, s := range sources {
		out = append(out, SourceJSON{Title: s.Page.Title, URL: s.Page.URL, Date: s.Page.Date.Raw, Table: s.Table,
			Revision: s.Page.Revision})
	}
	return out
}

// excludedJSON lists the entries a plan leaves out on purpose.
func excludedJSON(p *endpoints.Plan) []ExcludedJSON {
	out := []ExcludedJSON{}
	for _, x := range p.Excluded {
		out = append(out, ExcludedJSON{Endpoint: x.Entry.Endpoint, Reason: x.Reason})
	}
	return out
}

// ListJSON writes the plan as indented JSON; sources and agent (both may be nil) say where the
// selection's settings came from.
func ListJSON(w io.Writer, tool Tool, p *endpoints.Plan, sources map[string]string, agent *AgentJSON) error {
	doc := NewListDocument(tool, p)
	doc.Sources, doc.Agent = sources, agent
	return write.JSON(w, doc)
}

// ListPlain writes one host or pattern per line, ready for an allowlist: each selected endpoint as
// documented (with <region> and the gateway prefix filled in where known), without duplicates.
func ListPlain(out io.Writer, p *endpoints.Plan) error {
	w := write.To(out)
	var seen []string
	for _, ep := range p.Endpoints {
		if slices.Contains(seen, ep.Pattern) {
			continue
		}
		seen = append(seen, ep.Pattern)
		fmt.Fprintln(w, safetext.Escape(ep.Pattern))
	}
	return w.Err()
}

// ListTable writes the plan for reading: one row per endpoint, then the exclusions and service tags. On a
// terminal WHEN, SOURCE and PORTS wrap first, then the URLs at their slashes; SOURCE, PRIVATE LINK,
// TESTED AS and PORTS are hidden, in that order, only when the table cannot fit otherwise, and a line
// under the table says so.
func ListTable(out io.Writer, p *endpoints.Plan, o TableOptions) error {
	w := write.To(out)
	para := func(s string) { grid.Para(w, s, o.Width) }
	para(listHeading(p))
	for _, n := range p.Notices {
		para("note: " + n.Text)
	}
	g := &grid.Grid{Header: []string{"ENDPOINT", "WHEN", "PRIVATE LINK", "PORTS", "TESTED AS", "SOURCE"},
		Drop: []int{5, 2, 4, 3}, Flex: []int{1, 5, 3, 4, 0}, Least: map[int]int{5: 30}, SeeAll: o.SeeAll}
	for _, ep := range p.Endpoints {
		e := ep.Entry
		var ports, tested []string
		for _, port := range e.Ports {
			ports = append(ports, port.String())
		}
		for _, t := range ep.Targets {
			tested = append(tested, t.URL)
		}
		for _, d := range ep.Discover {
			tested = append(tested, d.Token+" (discovered at run time)")
		}
		if len(ep.NotTested) > 0 {
			tested = append(tested, "pattern: not tested")
		}
		g.Add(grid.Plain(ep.Pattern), grid.Lines(whenColumn(ep)), grid.Plain(string(e.PrivateLink)), grid.Plain(strings.Join(ports, " ")),
			grid.Lines(tested), grid.Lines(shortSources(e.Sources)))
	}
	if err := g.Render(w, o.Width, false); err != nil && w.Err() == nil {
		return err
	}
	if slices.ContainsFunc(p.Endpoints, func(ep endpoints.Endpoint) bool { return ep.NotCarried }) {
		para(notCarriedNote)
	}
	for _, x := range p.Excluded {
		para(fmt.Sprintf("left out: %s (%s)", x.Entry.Endpoint, x.Reason))
	}
	if len(p.ServiceTags) > 0 {
		var tags []string
		for _, tag := range p.ServiceTags {
			s := tag.Name
			if tag.Condition != "" {
				s += " (" + tag.Condition + ")"
			}
			tags = append(tags, s)
		}
		para("service tags: " + strings.Join(tags, "; "))
	}
	return w.Err()
}

// shortSources name the pages of sources briefly, each once: the page's short title and the month of the
// version read ("Network requirements, 2026-04"). Titles and addresses are in the JSON and CSV.
func shortSources(sources []endpoints.Source) []string {
	var out []string
	// Oldest first (a page with no date, last): the column reads as the row's history.
	sources = slices.Clone(sources)
	slices.SortStableFunc(sources, func(a, b endpoints.Source) int {
		switch {
		case a.Page.Date.IsZero() || b.Page.Date.IsZero():
			return cmp.Compare(boolInt(a.Page.Date.IsZero()), boolInt(b.Page.Date.IsZero()))
		}
		return a.Page.Date.Date.Compare(b.Page.Date.Date)
	})
	for _, s := range sources {
		name := s.Page.Short
		if !s.Page.Date.IsZero() {
			name += ", " + s.Page.Date.Date.Format("2006-01")
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// listHeading names the selection in one line: cloud, mode, list, region, scenarios, endpoint count.
func listHeading(p *endpoints.Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s), %s, list %s", p.Cloud.Display, p.Cloud.Name, p.Mode, p.List)
	if p.Location != "" {
		fmt.Fprintf(&b, ", region %s", p.Location)
	}
	if len(p.Scenarios) > 0 {
		fmt.Fprintf(&b, ", scenarios %s", strings.Join(p.Scenarios, ","))
	}
	fmt.Fprintf(&b, ": %d endpoints", len(p.Endpoints))
	return b.String()
}

// ListSummary says in one line what a selection holds, for -v/--verbose: the heading of the table, how
// many endpoints are left out, and the catalog files they come from.
func ListSummary(p *endpoints.Plan) string {
	var files []string
	for _, ep := range p.Endpoints {
		file, _, _ := strings.Cut(ep.Entry.Pos, ":")
		if !slices.Contains(files, file) {
			files = append(files, file)
		}
	}
	from := "the " + p.Catalog.Name + " catalog"
	if !slices.Equal(files, []string{p.Catalog.Name}) {
		from += " (" + strings.Join(files, ", ") + ")"
	}
	return safetext.Escape(fmt.Sprintf("%s, %d left out, from %s", listHeading(p), len(p.Excluded), from))
}

// notCarriedNote explains the rows marked as not carried by the Arc gateway.
const notCarriedNote = "not via the gateway: the Arc gateway does not carry these endpoints; allow them directly (or on your proxy)"

// whenColumn says when an endpoint is needed, and qualifies it: legacy, disputed, since and until when,
// and in gateway mode whether the gateway carries it.
func whenColumn(ep endpoints.Endpoint) []string {
	e := ep.Entry
	lines := []string{string(e.When)}
	if e.When == endpoints.WhenScenario {
		lines[0] = strings.Join(e.Scenarios, ",")
	}
	switch {
	case e.Legacy != "":
		lines[0] += " (legacy)"
	case e.Disputed != "":
		lines[0] += " (disputed)"
	}
	if !e.Since.IsZero() {
		lines = append(lines, "since "+e.Since.Raw)
	}
	if !e.Until.IsZero() {
		lines = append(lines, "until "+e.Until.Raw)
	}
	if ep.NotCarried {
		lines = append(lines, "not via the gateway")
	}
	return lines
}
