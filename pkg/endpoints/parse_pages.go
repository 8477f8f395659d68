package endpoints

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/arccheck/arccheck/internal/lazyre"
)

// pagesFile is the catalog file that holds the sources table: the Page stanzas every Source names.
const pagesFile = "sources.txt"

var pageKeys = []string{"Page", "Title", "Short", "URL", "Date", "Revision", "Baseline"}

// pageID is a Page's ID: the page's file name and, where it was read in git, @ and the commit's first
// characters (network-requirements@b703da5a).
var pageID = lazyre.New(`^[a-z0-9][a-z0-9.-]*(@[0-9a-f]{7,40})?$`)

// pageTable is the sources table by Page ID.
type pageTable map[string]*Page

// parsePages reads the Page stanzas of the sources table; each ID is defined once.
func parsePages(stanzas []stanza) ([]*Page, pageTable, error) {
	var pages []*Page
	byID := pageTable{}
	for _, s := range stanzas {
		p, err := parsePage(s)
		if err != nil {
			return nil, nil, err
		}
		if prev, dup := byID[p.ID]; dup {
			return nil, nil, fmt.Errorf("%s: page %q is already defined at %s", p.Pos, p.ID, prev.Pos)
		}
		byID[p.ID] = p
		pages = append(pages, p)
	}
	return pages, byID, nil
}

// parsePage reads one Page stanza.
func parsePage(s stanza) (*Page, error) {
	p := &Page{ID: s.first("Page"), Title: s.first("Title"), Short: s.first("Short"), URL: s.first("URL"),
		Revision: s.first("Revision"), Pos: fmt.Sprintf("%s:%d", s.file, s.line)}
	if err := checkKeys(s, pageKeys, "page"); err != nil {
		return nil, err
	}
	if err := p.read(s); err != nil {
		return nil, fmt.Errorf("%s: page %q: %w", p.Pos, p.ID, err)
	}
	if p.Short == "" {
		p.Short = p.Title
	}
	return p, nil
}

// read checks the stanza's values and reads its Date and Baseline.
func (p *Page) read(s stanza) error {
	id, commit, _ := strings.Cut(p.ID, "@")
	switch {
	case !pageID().MatchString(p.ID):
		return fmt.Errorf("bad Page ID (want the page's file name, and @commit where it was read in git: %s@b703da5a)", id)
	case p.Title == "":
		//lint:ignore ST1005 the message starts with the catalog key it is about
		return errors.New("Title is missing")
	case !isWebAddress(p.URL):
		return fmt.Errorf("URL %q: want the page's https:// address", p.URL)
	case p.Revision != "" && !isWebAddress(p.Revision):
		//lint:ignore ST1005 the message starts with the catalog key it is about
		return fmt.Errorf("Revision %q: want an https:// address of the page's source at a commit", p.Revision)
	case commit != "" && !strings.Contains(p.Revision, "/"+commit):
		//lint:ignore ST1005 the message starts with the catalog key it is about
		return fmt.Errorf("Revision must be the page's source at commit %s, as the ID says", commit)
	}
	switch v := s.first("Baseline"); v {
	case "":
	case "yes":
		p.Baseline = true
	default:
		return fmt.Errorf("unknown Baseline %q (valid: yes)", v)
	}
	date, err := parseBound(s.first("Date"))
	if err != nil || date.Agent != "" {
		//lint:ignore ST1005 the message starts with the catalog key it is about
		return errors.New("Date: want the version's date (2026-04-27, or 2026-04)")
	}
	p.Date = date
	return nil
}

// isWebAddress reports whether s is an https:// URL with a host.
func isWebAddress(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != ""
}

// sources reads a stanza's Source lines, "page | table": each must name a Page of the table. An error
// about one line is a *lineError, so that its position names that line.
func (pt pageTable) sources(s stanza) ([]Source, error) {
	var out []Source
	for _, f := range s.fields {
		if f.key != "Source" {
			continue
		}
		id, table, ok := strings.Cut(f.value, "|")
		id, table = strings.TrimSpace(id), strings.TrimSpace(table)
		switch {
		case !ok || id == "" || table == "":
			return nil, &lineError{line: f.line, err: fmt.Errorf("bad Source %q (want \"page | table\": the ID of a Page of the sources table and the table or section of it)", f.value)}
		case pt[id] == nil:
			why := "no Page stanza of the sources table has that ID"
			if strings.HasSuffix(id, ".txt") {
				// A catalog exported before the sources table named its documents by file.
				why += "; a catalog exported by an older arccheck names documents by file: export it again (arccheck catalog export) and redo its edits"
			}
			return nil, &lineError{line: f.line, err: fmt.Errorf("unknown Source page %q (%s)", id, why)}
		}
		out = append(out, Source{Page: pt[id], Table: table})
	}
	if len(out) == 0 {
		return nil, errors.New("Source is missing")
	}
	return out, nil
}

// lineError is an error about one line of a stanza rather than the whole stanza.
type lineError struct {
	line int
	err  error
}

func (e *lineError) Error() string { return e.err.Error() }
func (e *lineError) Unwrap() error { return e.err }

// at is the position an error about stanza s names: the line of a *lineError, or the stanza's first.
func at(s stanza, err error) string {
	if le, ok := errors.AsType[*lineError](err); ok {
		return fmt.Sprintf("%s:%d", s.file, le.line)
	}
	return fmt.Sprintf("%s:%d", s.file, s.line)
}
