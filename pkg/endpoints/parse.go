package endpoints

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/arccheck/arccheck/data"
)

// ErrInvalidCatalog is wrapped by every error about malformed catalog data.
var ErrInvalidCatalog = errors.New("invalid catalog")

// Load returns the catalog embedded in the binary, parsed and validated once (callers share it and
// must not change it).
func Load() (*Catalog, error) { return loadEmbedded() }

var loadEmbedded = sync.OnceValues(func() (*Catalog, error) {
	c, err := Parse(data.FS)
	if err != nil {
		return nil, err
	}
	h := sha256.New() // the checksum of the catalog as one file, hashed as it is written, never held
	if err := exportFS(h, data.FS); err != nil {
		return nil, err
	}
	c.Name, c.SHA256 = EmbeddedName, hex.EncodeToString(h.Sum(nil))
	return c, nil
})

// Parse reads and validates every *.txt catalog file of fsys: the clouds, regions.txt and the sources
// table, sources.txt. Errors name the file, line and entry.
func Parse(fsys fs.FS) (*Catalog, error) {
	names, err := fs.Glob(fsys, "*.txt")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var clouds []cloudStanzas
	var regions, pages []stanza
	for _, name := range names {
		text, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		stanzas, err := parseStanzas(name, text)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidCatalog, err)
		}
		switch name {
		case "regions.txt":
			regions = stanzas
		case pagesFile:
			pages = stanzas
		default:
			clouds = append(clouds, cloudStanzas{file: name, stanzas: stanzas})
		}
	}
	return assemble("regions.txt", clouds, regions, pages)
}

// addRegions reads the regions stanzas; file names where they should be, for a cloud that has none.
func (c *Catalog) addRegions(file string, stanzas []stanza) error {
	for _, s := range stanzas {
		if err := checkKeys(s, regionKeys, "regions"); err != nil {
			return err
		}
		cl := c.Cloud(s.first("Cloud"))
		if cl == nil {
			return fmt.Errorf("%s:%d: unknown cloud %q", s.file, s.line, s.first("Cloud"))
		}
		cl.Regions = splitList(s.first("Regions"))
		cl.PreviewRegions = splitList(s.first("PreviewRegions"))
	}
	for _, cl := range c.Clouds {
		if len(cl.Regions) == 0 {
			return fmt.Errorf("%s: no regions for cloud %s (want a stanza with Cloud: %s and Regions)", file, cl.Name, cl.Name)
		}
	}
	return nil
}

var cloudKeys = []string{"Cloud", "Display", "Aliases", "Issuers", "HISDiscovery", "NotificationAllowlist"}
var regionKeys = []string{"Cloud", "Regions", "PreviewRegions"}
var tagKeys = []string{"ServiceTag", "Lists", "Scenarios", "Condition", "Source", "Since", "Until"}
var noticeKeys = []string{"Notice", "Lists", "Scenarios", "Source"}
var entryKeys = []string{"Endpoint", "List", "Description", "When", "Scenarios", "PrivateLink", "Ports",
	"Target", "NotTested", "Bypass", "TLS", "Legacy", "Note", "Source", "Since", "Until", "Disputed", "Gateway",
	"Inspection", "ProxyAuth", "Expect"}

// parseCloudFile reads one cloud's stanzas: its Cloud stanza first, then its service tags, notices and
// entries, whose sources name pages of pt.
func parseCloudFile(name string, stanzas []stanza, pt pageTable) (*Cloud, error) {
	if len(stanzas) == 0 || stanzas[0].first("Cloud") == "" {
		return nil, fmt.Errorf("%s: the first stanza must name the Cloud", name)
	}
	cl, err := parseCloudHead(name, stanzas[0])
	if err != nil {
		return nil, err
	}
	seen := make(map[listEndpoint]string, len(stanzas)) // the position of each entry's first stanza
	cl.Entries = make([]Entry, 0, len(stanzas))
	for _, s := range stanzas[1:] {
		if err := addCloudStanza(cl, s, seen, pt); err != nil {
			return nil, err
		}
	}
	return cl, nil
}

// listEndpoint is an entry's list and endpoint: a list has each endpoint once.
type listEndpoint struct{ list, endpoint string }

// parseCloudHead reads the Cloud stanza of the file name.
func parseCloudHead(name string, head stanza) (*Cloud, error) {
	if err := checkKeys(head, cloudKeys, "cloud"); err != nil {
		return nil, err
	}
	cl := &Cloud{
		Name:                  head.first("Cloud"),
		Display:               head.first("Display"),
		Issuers:               splitList(head.first("Issuers")),
		HISDiscovery:          head.first("HISDiscovery"),
		NotificationAllowlist: head.first("NotificationAllowlist"),
	}
	for _, a := range splitList(head.first("Aliases")) {
		cl.Aliases = append(cl.Aliases, strings.ToLower(a))
	}
	for _, u := range []string{cl.HISDiscovery, cl.NotificationAllowlist} {
		if u != "" {
			if _, err := parseTemplateURL(u); err != nil {
				return nil, fmt.Errorf("%s:%d: cloud %s: %v", name, head.line, cl.Name, err)
			}
		}
	}
	return cl, nil
}

// addCloudStanza adds a service tag, notice or entry stanza to cl; seen holds the position of every
// entry so far by list and endpoint, so that a list has each endpoint once.
func addCloudStanza(cl *Cloud, s stanza, seen map[listEndpoint]string, pt pageTable) error {
	switch {
	case s.first("ServiceTag") != "":
		tag, err := parseServiceTag(s, pt)
		if err != nil {
			return err
		}
		cl.ServiceTags = append(cl.ServiceTags, tag)
	case s.first("Notice") != "":
		n, err := parseNotice(s, pt)
		if err != nil {
			return err
		}
		cl.Notices = append(cl.Notices, n)
	case s.first("Endpoint") != "":
		e, err := parseEntry(s, pt)
		if err != nil {
			return err
		}
		key := listEndpoint{e.List, e.Endpoint}
		if prev, dup := seen[key]; dup {
			return fmt.Errorf("%s: entry %q: list %s already has it at %s", e.Pos, e.Endpoint, e.List, prev)
		}
		seen[key] = e.Pos
		cl.Entries = append(cl.Entries, e)
	default:
		return fmt.Errorf("%s:%d: stanza is neither an Endpoint, a ServiceTag nor a Notice", s.file, s.line)
	}
	return nil
}

func checkKeys(s stanza, allowed []string, what string) error {
	for _, f := range s.fields {
		if !slices.Contains(allowed, f.key) {
			return fmt.Errorf("%s:%d: unknown %s key %q (valid: %s)", s.file, f.line, what, f.key, strings.Join(allowed, ", "))
		}
	}
	return nil
}

func parseServiceTag(s stanza, pt pageTable) (ServiceTag, error) {
	t := ServiceTag{Name: s.first("ServiceTag"), Condition: s.first("Condition"), Lists: splitList(s.first("Lists")),
		Scenarios: splitList(s.first("Scenarios"))}
	bad := func(msg string) error {
		return fmt.Errorf("%s:%d: service tag %q: %s", s.file, s.line, t.Name, msg)
	}
	if err := checkKeys(s, tagKeys, "service tag"); err != nil {
		return t, err
	}
	if len(t.Lists) == 0 {
		return t, bad("Lists is missing")
	}
	if err := allOf("list", t.Lists, Lists); err != nil {
		return t, bad(err.Error())
	}
	if err := allOf("scenario", t.Scenarios, Scenarios); err != nil {
		return t, bad(err.Error())
	}
	var err error
	if t.Sources, err = pt.sources(s); err != nil {
		return t, fmt.Errorf("%s: service tag %q: %w", at(s, err), t.Name, err)
	}
	if t.Since, t.Until, err = parseBounds(s); err != nil {
		return t, bad(err.Error())
	}
	return t, nil
}

func parseNotice(s stanza, pt pageTable) (Notice, error) {
	n := Notice{Text: s.first("Notice"), Lists: splitList(s.first("Lists")), Scenarios: splitList(s.first("Scenarios"))}
	bad := func(msg string) error { return fmt.Errorf("%s:%d: notice: %s", s.file, s.line, msg) }
	if err := checkKeys(s, noticeKeys, "notice"); err != nil {
		return n, err
	}
	if len(n.Lists)+len(n.Scenarios) == 0 {
		return n, bad("needs Lists or Scenarios to say when it applies")
	}
	if err := allOf("list", n.Lists, Lists); err != nil {
		return n, bad(err.Error())
	}
	if err := allOf("scenario", n.Scenarios, Scenarios); err != nil {
		return n, bad(err.Error())
	}
	var err error
	if n.Sources, err = pt.sources(s); err != nil {
		return n, fmt.Errorf("%s: notice: %w", at(s, err), err)
	}
	return n, nil
}

// oneOf checks v is one of valid; what names it in the error.
func oneOf[T ~string](what string, v T, valid []T) error {
	if slices.Contains(valid, v) {
		return nil
	}
	return fmt.Errorf("unknown %s %q (valid: %s)", what, v, strings.Join(names(valid), ", "))
}

// allOf checks every value is one of valid.
func allOf(what string, values, valid []string) error {
	for _, v := range values {
		if err := oneOf(what, v, valid); err != nil {
			return err
		}
	}
	return nil
}
