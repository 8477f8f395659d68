package report

import (
	"io"

	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/report/internal/grid"
	"github.com/arccheck/arccheck/pkg/report/internal/write"
)

// ChangesSchema is the version tag of the JSON that `arccheck list --changes -o json` writes.
const ChangesSchema = "arccheck.changes/v1"

// ChangesDocument is the JSON form of the changes since the seed-era tables.
type ChangesDocument struct {
	Schema    string        `json:"schema"`
	Tool      Tool          `json:"tool"`
	Selection SelectionJSON `json:"selection"`
	Changes   []ChangeJSON  `json:"changes"`
}

// ChangeJSON is one endpoint or service tag added, removed or disputed since the seed documents.
type ChangeJSON struct {
	Change     endpoints.ChangeKind `json:"change"`
	Endpoint   string               `json:"endpoint,omitempty"`
	ServiceTag string               `json:"serviceTag,omitempty"`
	// When is the date or agent version of the change ("" when the catalog has none).
	When    string       `json:"when,omitempty"`
	Why     string       `json:"why,omitempty"`
	Sources []SourceJSON `json:"sources"`
}

func changesJSON(p *endpoints.Plan) []ChangeJSON {
	out := []ChangeJSON{}
	for _, c := range p.Changes() {
		j := ChangeJSON{Change: c.Kind, When: c.When.Raw, Why: c.Why}
		if c.Endpoint != nil {
			j.Endpoint, j.Sources = c.Endpoint.Pattern, sourcesJSON(c.Endpoint.Entry.Sources)
		} else {
			j.ServiceTag, j.Sources = c.Tag.Name, sourcesJSON(c.Tag.Sources)
		}
		out = append(out, j)
	}
	return out
}

// ChangesJSON writes the changes since the seed-era tables as indented JSON.
func ChangesJSON(w io.Writer, tool Tool, p *endpoints.Plan) error {
	return write.JSON(w, ChangesDocument{Schema: ChangesSchema, Tool: tool, Selection: NewSelectionJSON(p), Changes: changesJSON(p)})
}

// changeWords are the first column of the changes table: what to do with an old change request.
var changeWords = map[endpoints.ChangeKind]string{
	endpoints.ChangeAdded:    "add",
	endpoints.ChangeRemoved:  "remove",
	endpoints.ChangeDisputed: "disputed",
}

// ChangesTable writes, for an admin whose firewall change request follows the seed-era tables, what to
// add and what may be removed, with the date and the source of each change. On a terminal (o.Width) WHY
// wraps between words and SOURCE is hidden, with a line that says so, only when the table cannot fit.
func ChangesTable(out io.Writer, p *endpoints.Plan, o TableOptions) error {
	w := write.To(out)
	changes := changesJSON(p)
	grid.Para(w, "Changes since the seed documents, for "+listHeading(p), o.Width)
	g := &grid.Grid{Header: []string{"CHANGE", "ENDPOINT OR SERVICE TAG", "WHEN", "WHY", "SOURCE"},
		Drop: []int{4}, Flex: []int{3, 4, 1}, Least: map[int]int{3: 30}, SeeAll: o.SeeAll}
	for _, c := range changes {
		var sources []string
		for _, s := range c.Sources {
			sources = append(sources, shortSource(endpoints.Source(s)))
		}
		g.Add(grid.Plain(changeWords[c.Change]), grid.Plain(c.Endpoint+c.ServiceTag), grid.Plain(c.When),
			grid.Plain(c.Why), grid.Lines(sources))
	}
	if err := g.Render(w, o.Width, false); err != nil && w.Err() == nil {
		return err
	}
	grid.Para(w, Plural(len(changes), "change")+": add what is new; an entry marked remove is no longer documented (older agents "+
		"or scripts may still use it); a disputed one is named by one current page and dropped by another.", o.Width)
	return w.Err()
}
