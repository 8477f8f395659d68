package report

import (
	"io"

	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/report/internal/grid"
	"github.com/arccheck/arccheck/pkg/report/internal/write"
)

// ChangesSchema is the version tag of the JSON that `arccheck list --changes -o json` writes.
const ChangesSchema = "arccheck.changes/v1"

// ChangesDocument is the JSON form of the changes since the older tables.
type ChangesDocument struct {
	Schema    string        `json:"schema"`
	Tool      Tool          `json:"tool"`
	Selection SelectionJSON `json:"selection"`
	Changes   []ChangeJSON  `json:"changes"`
}

// ChangeJSON is one endpoint or service tag added, removed or disputed since the older tables.
type ChangeJSON struct {
	Change     endpoints.ChangeKind `json:"change"`
	Endpoint   string               `json:"endpoint,omitempty"`
	ServiceTag string               `json:"serviceTag,omitempty"`
	// When is the date or agent version of the change ("" when the catalog has none).
	When    string       `json:"when,omitempty"`
	Why     string       `json:"why,omitempty"`
	Sources []SourceJSON `json:"sources"`
}

func changesJSON(changes []endpoints.Change) []ChangeJSON {
	out := []ChangeJSON{}
	for _, c := range changes {
		j := ChangeJSON{Change: c.Kind, When: c.When.Raw, Why: c.Why, Sources: sourcesJSON(changeSources(c))}
		if c.Endpoint != nil {
			j.Endpoint = changeSubject(c)
		} else {
			j.ServiceTag = changeSubject(c)
		}
		out = append(out, j)
	}
	return out
}

// changeSubject names the endpoint (as listed) or service tag a change is about.
func changeSubject(c endpoints.Change) string {
	if c.Endpoint != nil {
		return c.Endpoint.Pattern
	}
	return c.Tag.Name
}

// changeSources are the sources of the endpoint or service tag a change is about.
func changeSources(c endpoints.Change) []endpoints.Source {
	if c.Endpoint != nil {
		return c.Endpoint.Entry.Sources
	}
	return c.Tag.Sources
}

// ChangesJSON writes the changes since the older tables as indented JSON.
func ChangesJSON(w io.Writer, tool Tool, p *endpoints.Plan) error {
	return write.JSON(w, ChangesDocument{Schema: ChangesSchema, Tool: tool, Selection: NewSelectionJSON(p),
		Changes: changesJSON(p.Changes())})
}

// changeWords are the first column of the changes table: what to do with an old change request.
var changeWords = map[endpoints.ChangeKind]string{
	endpoints.ChangeAdded:    "add",
	endpoints.ChangeRemoved:  "remove",
	endpoints.ChangeDisputed: "disputed",
}

// ChangesTable writes, for an admin whose firewall change request follows the older tables, what to add
// and what may be removed, with the date and the source of each change. On a terminal (o.Width) WHY
// wraps between words and SOURCE is hidden, with a line that says so, only when the table cannot fit.
func ChangesTable(out io.Writer, p *endpoints.Plan, o TableOptions) error {
	w := write.To(out)
	changes := p.Changes()
	grid.Para(w, "Changes since the older published tables, for "+listHeading(p), o.Width)
	g := &grid.Grid{Header: []string{"CHANGE", "ENDPOINT OR SERVICE TAG", "WHEN", "WHY", "SOURCE"},
		Drop: []int{4}, Flex: []int{3, 4, 1}, Least: map[int]int{3: 30}, SeeAll: o.SeeAll}
	for _, c := range changes {
		g.Add(grid.Plain(changeWords[c.Kind]), grid.Plain(changeSubject(c)), grid.Plain(c.When.Raw), grid.Plain(c.Why),
			grid.Lines(shortSources(changeSources(c))))
	}
	if err := g.Render(w, o.Width, false); err != nil && w.Err() == nil {
		return err
	}
	grid.Para(w, Plural(len(changes), "change")+": add what is new; an entry marked remove is no longer documented (older agents "+
		"or scripts may still use it); a disputed one is named by one current page and dropped by another.", o.Width)
	return w.Err()
}
