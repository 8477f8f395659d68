package exports

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/endpoints"
)

// csvHeader names the columns of CSV.
var csvHeader = []string{"host_or_wildcard", "port", "protocol", "required", "when", "scenarios", "description",
	"notes", "sources", "catalog", "kind"}

// The values of the CSV's kind column.
const (
	csvKindEndpoint   = "endpoint"
	csvKindServiceTag = "service-tag"
)

// csvList joins the values of a multi-valued CSV cell.
func csvList(values []string) string { return strings.Join(values, "; ") }

// CSV writes the rules of Allowlist as CSV: a header row, one row per rule (host_or_wildcard,
// port, protocol, required, when, scenarios, description, notes, sources, catalog, kind "endpoint"),
// then one row per service tag (its name as host_or_wildcard, port and protocol empty, kind
// "service-tag"). A cell with several values separates them with "; ". Every cell is escaped and a
// cell a spreadsheet would take for a formula (=, +, -, @) gets a leading apostrophe (safetext.CSVCell).
// It returns the endpoints it left out because they still hold a placeholder.
func CSV(out io.Writer, p *endpoints.Plan) (Unfilled, error) {
	rules, unfilled := exportRules(p)
	rows := [][]string{csvHeader}
	for _, r := range rules {
		rows = append(rows, csvRuleRow(r))
	}
	for _, t := range p.ServiceTags {
		rows = append(rows, csvServiceTagRow(t))
	}
	return unfilled, csv.NewWriter(out).WriteAll(csvCells(rows))
}

// csvRuleRow is a rule's CSV row; a rule several endpoints share says what each of them says.
func csvRuleRow(r *exportRule) []string {
	var when, scenarios, descriptions, notes, sources, catalog []string
	required := false
	for _, s := range r.from {
		e := s.ep.Entry
		required = required || s.ep.Required
		when = appendNew(when, string(e.When))
		scenarios = appendNew(scenarios, e.Scenarios...)
		descriptions = appendNew(descriptions, exportProse(e.Description))
		notes = appendNew(notes, ruleNotes(s)...)
		for _, src := range e.Sources {
			sources = appendNew(sources, csvSource(src))
		}
		catalog = appendNew(catalog, e.Pos)
	}
	return []string{r.host, strconv.Itoa(r.port.Number), r.port.Scheme, strconv.FormatBool(required), csvList(when),
		csvList(scenarios), csvList(descriptions), csvList(notes), csvList(sources), csvList(catalog), csvKindEndpoint}
}

// ruleNotes qualify a rule's endpoint: legacy, disputed, since and until when, not carried by the
// gateway, and how its host was named.
func ruleNotes(s ruleSource) []string {
	e := s.ep.Entry
	var out []string
	if e.Legacy != "" {
		out = append(out, "legacy: "+exportProse(e.Legacy))
	}
	if e.Disputed != "" {
		out = append(out, "disputed: "+exportProse(e.Disputed))
	}
	if !e.Since.IsZero() {
		out = append(out, "since "+e.Since.Raw)
	}
	if !e.Until.IsZero() {
		out = append(out, "until "+e.Until.Raw)
	}
	if s.ep.NotCarried {
		out = append(out, "not via the gateway: allow it directly")
	}
	switch {
	case s.tested:
		out = append(out, "a concrete host arccheck tests for this endpoint")
	case strings.Contains(s.ep.Pattern, "/"):
		out = append(out, "the documented URL path is dropped: the rule is the host")
	}
	return out
}

// csvSource names a source's page in the sources cell: its title, the date of the version read and
// its public address, "Connected Machine agent network requirements (2026-04-27) https://learn…".
func csvSource(s endpoints.Source) string {
	text := s.Page.Title
	if !s.Page.Date.IsZero() {
		text += " (" + s.Page.Date.Raw + ")"
	}
	return exportProse(text + " " + s.Page.URL)
}

// csvServiceTagRow is a service tag's CSV row.
func csvServiceTagRow(t endpoints.ServiceTag) []string {
	var notes, sources []string
	if !t.Since.IsZero() {
		notes = append(notes, "since "+t.Since.Raw)
	}
	if !t.Until.IsZero() {
		notes = append(notes, "until "+t.Until.Raw)
	}
	for _, src := range t.Sources {
		sources = appendNew(sources, csvSource(src))
	}
	return []string{t.Name, "", "", "", "", "", exportProse(t.Condition), csvList(notes), csvList(sources), "",
		csvKindServiceTag}
}

// csvCells escapes every cell of a CSV and neutralises any a spreadsheet would take for a formula
// (safetext.CSVCell).
func csvCells(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, row := range rows {
		out[i] = make([]string, len(row))
		for j, c := range row {
			out[i][j] = safetext.CSVCell(c)
		}
	}
	return out
}
