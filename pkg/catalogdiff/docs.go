// Package catalogdiff compares the catalog with Microsoft's documentation of the Arc agent's network
// requirements, read from a local checkout of MicrosoftDocs/azure-management-docs: the endpoint tables
// of the network-requirements and ESU includes (every cloud tab), the Arc gateway endpoint list and the
// agent's proxy-bypass table. It reads Markdown only; it has no network code.
package catalogdiff

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/arccheck/arccheck/internal/boundedfile"
	"github.com/arccheck/arccheck/pkg/endpoints"
)

// The pages read, relative to the checkout's root.
const (
	pageNetwork = "articles/azure-arc/servers/network-requirements.md"
	pageGateway = "articles/azure-arc/servers/arc-gateway-endpoints.md"
	pageProxy   = "articles/azure-arc/servers/manage-agent-proxy-settings.md"
)

// Bounds on what Read reads: each file (the real pages are under 100 KB), all files together (an
// include read twice counts twice), and the nesting of [!INCLUDE] directives.
const (
	maxPage         = 2 << 20
	maxTotal        = 16 << 20
	maxIncludeDepth = 4
)

// ErrNotADocsCheckout is returned when the directory lacks the pages.
var ErrNotADocsCheckout = errors.New("not a checkout of MicrosoftDocs/azure-management-docs")

// The reasons a PageError gives, for errors.Is.
var (
	// ErrNotFound: a page, an include, or a table the pages are known to have is not there.
	ErrNotFound = errors.New("not found")
	// ErrNotRegularFile: a page is a directory, a FIFO or a device; reading a FIFO would block.
	ErrNotRegularFile = errors.New("not a regular file")
	// ErrOutsideCheckout: a page or include leads out of the checkout (a symbolic link or "..").
	ErrOutsideCheckout = errors.New("outside the checkout")
	// ErrTooLarge: a page is larger than 2 MiB, or the pages with their includes than 16 MiB.
	ErrTooLarge = errors.New("too large")
	// ErrIncludesTooDeep: includes nest deeper than 4 levels (an include loop, most likely).
	ErrIncludesTooDeep = errors.New("includes nested too deep")
)

// PageError says what is wrong with a page of the checkout (Page, relative to its root).
type PageError struct {
	Page string
	Err  error
}

func (e *PageError) Error() string { return e.Page + ": " + e.Err.Error() }
func (e *PageError) Unwrap() error { return e.Err }

// Row is one endpoint of a documented table.
type Row struct {
	Cloud       string // canonical cloud name, from the tab
	List        string // "standard" or "esu"
	Endpoint    string // as written, without scheme or trailing slash
	Required    bool   // false when the table says "Optional"
	PrivateLink endpoints.PrivateLink
	Ports       []endpoints.Port
	Page        string // the file the row is in, relative to the root
	Line        int
}

// Docs is what the pages say.
type Docs struct {
	Rows []Row
	// GatewayCarried are the hosts (with an optional :port) the Arc gateway carries.
	GatewayCarried []string
	// Bypass maps an endpoint of the proxy-bypass table to its category.
	Bypass map[string]string
}

// tabs are the pages' cloud tabs: the tab id and the cloud's name.
var tabs = []struct{ id, cloud string }{
	{"azure-cloud", "AzureCloud"}, {"azure-government", "AzureUSGovernment"}, {"azure-china", "AzureChinaCloud"},
}

var (
	tabLine     = regexp.MustCompile(`^#{2,6}\s*\[[^\]]*\]\(#tab/([a-z0-9-]+)\)`)
	includeLine = regexp.MustCompile(`^\s*\[!INCLUDE\s*\[[^\]]*\]\(([^)]+)\)\]`)
	codeSpan    = regexp.MustCompile("`([^`]+)`")
	supTag      = regexp.MustCompile(`<sup>[^<]*</sup>`)
	portsNote   = regexp.MustCompile(`(?i)HTTP/TCP 80`)
)

// Read reads the pages from a checkout rooted at dir. Every page and include must be there, be a
// regular file inside the checkout and hold the tables it is known to hold: a page Microsoft renamed or
// a table it rewrote is an error, not an empty list that would look like "no differences".
func Read(dir string) (*Docs, error) {
	c, err := openCheckout(dir)
	if err != nil {
		return nil, err
	}
	defer c.root.Close()
	if _, err := c.root.Lstat(pageNetwork); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s has no %s", ErrNotADocsCheckout, dir, pageNetwork)
	}
	lines, err := c.expand(pageNetwork, 0)
	if err != nil {
		return nil, err
	}
	d := &Docs{Rows: tableRows(lines)}
	if err := checkRows(d.Rows); err != nil {
		return nil, err
	}
	text, err := c.read(pageGateway)
	if err != nil {
		return nil, err
	}
	if d.GatewayCarried = codeBlockHosts(text); len(d.GatewayCarried) == 0 {
		return nil, &PageError{Page: pageGateway, Err: fmt.Errorf("%w: no code block of host names", ErrNotFound)}
	}
	if text, err = c.read(pageProxy); err != nil {
		return nil, err
	}
	if d.Bypass = bypassTable(text); len(d.Bypass) == 0 {
		return nil, &PageError{Page: pageProxy, Err: fmt.Errorf("%w: no proxy-bypass table (`AAD` | `host`)", ErrNotFound)}
	}
	return d, nil
}

// checkRows makes sure the tables were read: every cloud tab has a row of the network requirements, and
// the ESU include has rows.
func checkRows(rows []Row) error {
	for _, tab := range tabs {
		if !slices.ContainsFunc(rows, func(r Row) bool { return r.Cloud == tab.cloud && r.List == "standard" }) {
			return &PageError{Page: pageNetwork, Err: fmt.Errorf("%w: no endpoint table under the #tab/%s tab (%s), in it or its includes", ErrNotFound, tab.id, tab.cloud)}
		}
	}
	if !slices.ContainsFunc(rows, func(r Row) bool { return r.List == "esu" }) {
		return &PageError{Page: pageNetwork, Err: fmt.Errorf("%w: no endpoint table of the ESU include (includes/esu-*.md)", ErrNotFound)}
	}
	return nil
}

// checkout reads the pages of a checkout, none outside it and no more than maxTotal bytes in all.
type checkout struct {
	real string // with symbolic links resolved
	root *os.Root
	left int // bytes that may still be read
}

func openCheckout(dir string) (*checkout, error) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotADocsCheckout, err)
	}
	root, err := os.OpenRoot(real)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotADocsCheckout, err)
	}
	return &checkout{real: real, root: root, left: maxTotal}, nil
}

// line is one line of a page after includes are expanded, with where it comes from.
type line struct {
	text string
	page string
	n    int
}

// read reads one page: a regular file inside the checkout, within the bounds. Symbolic links inside the
// checkout are followed; the os.Root refuses one that leads out even if it changes after the check.
func (c *checkout) read(name string) ([]byte, error) {
	fail := func(err error) error { return &PageError{Page: name, Err: err} }
	if !fs.ValidPath(name) {
		return nil, fail(fmt.Errorf("%w: the path leaves the checkout's root", ErrOutsideCheckout))
	}
	real, err := filepath.EvalSymlinks(filepath.Join(c.real, filepath.FromSlash(name)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fail(fmt.Errorf("%w: no such file", ErrNotFound))
	} else if err != nil {
		return nil, fail(err)
	}
	if rel, err := filepath.Rel(c.real, real); err != nil || !filepath.IsLocal(rel) {
		return nil, fail(fmt.Errorf("%w: a symbolic link to %s", ErrOutsideCheckout, real))
	}
	if fi, err := c.root.Stat(name); err != nil {
		return nil, fail(err)
	} else if !fi.Mode().IsRegular() {
		return nil, fail(ErrNotRegularFile)
	}
	data, err := boundedfile.ReadIn(c.root, name, int64(min(maxPage, c.left)))
	var notRegular *boundedfile.NotRegularError
	var tooLarge *boundedfile.TooLargeError
	switch {
	case errors.As(err, &notRegular):
		return nil, fail(ErrNotRegularFile)
	case errors.As(err, &tooLarge) && tooLarge.Limit == maxPage:
		return nil, fail(fmt.Errorf("%w: larger than %d bytes", ErrTooLarge, maxPage))
	case errors.As(err, &tooLarge):
		return nil, fail(fmt.Errorf("%w: the pages and their includes add up to more than %d bytes", ErrTooLarge, maxTotal))
	case err != nil:
		return nil, fail(err)
	}
	c.left -= len(data)
	return data, nil
}

// expand returns a page's lines with its [!INCLUDE] directives replaced by the included pages' lines.
func (c *checkout) expand(name string, depth int) ([]line, error) {
	if depth > maxIncludeDepth {
		return nil, &PageError{Page: name, Err: fmt.Errorf("%w: more than %d levels (an include loop?)", ErrIncludesTooDeep, maxIncludeDepth)}
	}
	text, err := c.read(name)
	if err != nil {
		return nil, err
	}
	var out []line
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), maxPage)
	for n := 1; sc.Scan(); n++ {
		m := includeLine.FindStringSubmatch(sc.Text())
		if m == nil {
			out = append(out, line{text: sc.Text(), page: name, n: n})
			continue
		}
		inc := path.Clean(path.Join(path.Dir(name), m[1]))
		sub, err := c.expand(inc, depth+1)
		var pe *PageError
		if errors.As(err, &pe) && pe.Page == inc && errors.Is(err, ErrNotFound) {
			return nil, &PageError{Page: fmt.Sprintf("%s:%d", name, n), Err: fmt.Errorf("the included %s: %w", m[1], pe.Err)}
		}
		if err != nil {
			return nil, err
		}
		out = append(out, sub...)
	}
	return out, sc.Err()
}

// tableRows reads the endpoint tables: rows whose first cell holds code spans, under a cloud tab; the
// list is "esu" for the ESU include and "standard" otherwise.
func tableRows(lines []line) []Row {
	var rows []Row
	cloud, prevPage := "", ""
	var header []string
	for _, l := range lines {
		if l.page != prevPage {
			cloud, header, prevPage = "", nil, l.page
		}
		if m := tabLine.FindStringSubmatch(l.text); m != nil {
			cloud, header = tabCloud(m[1]), nil
			continue
		}
		t := strings.TrimSpace(l.text)
		if !strings.HasPrefix(t, "|") {
			header = nil
			continue
		}
		cells := splitRow(t)
		switch {
		case header == nil:
			header = cells
			continue
		case len(cells) > 0 && strings.Trim(cells[0], "-: ") == "":
			continue // the separator row
		}
		if cloud == "" || len(cells) == 0 {
			continue
		}
		list := "standard"
		if strings.HasPrefix(path.Base(l.page), "esu-") {
			list = "esu"
		}
		for _, ep := range codeSpan.FindAllStringSubmatch(cells[0], -1) {
			rows = append(rows, row(cloud, list, normalise(ep[1]), header, cells, l))
		}
	}
	return rows
}

// tabCloud is the cloud of a tab id, or "" for a tab that is no cloud's.
func tabCloud(id string) string {
	if i := slices.IndexFunc(tabs, func(t struct{ id, cloud string }) bool { return t.id == id }); i >= 0 {
		return tabs[i].cloud
	}
	return ""
}

func row(cloud, list, ep string, header, cells []string, l line) Row {
	r := Row{Cloud: cloud, List: list, Endpoint: ep, Required: true, PrivateLink: endpoints.PrivateLinkUnspecified,
		Ports: []endpoints.Port{{Scheme: "https", Number: 443}}, Page: l.page, Line: l.n}
	for i, h := range header {
		if i >= len(cells) {
			break
		}
		h, v := strings.ToLower(h), cells[i]
		switch {
		case strings.Contains(h, "when required"):
			r.Required = !strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), "optional")
		case strings.Contains(h, "private link"):
			r.PrivateLink = privateLink(v)
		case strings.Contains(h, "description") && portsNote.MatchString(v):
			r.Ports = []endpoints.Port{{Scheme: "http", Number: 80}, {Scheme: "https", Number: 443}}
		}
	}
	return r
}

// privateLink reads the private-link column in the catalog's terms.
func privateLink(v string) endpoints.PrivateLink {
	v = strings.ToLower(v)
	switch {
	case strings.Contains(v, "unless"):
		return endpoints.PrivateLinkPublicUnlessARMPL
	case strings.Contains(v, "not used"), strings.Contains(v, "not required"):
		return endpoints.PrivateLinkNotUsed
	case strings.HasPrefix(strings.TrimSpace(v), "private"):
		return endpoints.PrivateLinkPrivate
	case strings.HasPrefix(strings.TrimSpace(v), "public"):
		return endpoints.PrivateLinkPublic
	}
	return endpoints.PrivateLinkUnspecified
}

// splitRow splits a Markdown table row into trimmed cells, dropping footnote marks.
func splitRow(t string) []string {
	t = strings.TrimSuffix(strings.TrimPrefix(t, "|"), "|")
	var out []string
	for _, c := range strings.Split(t, "|") {
		out = append(out, strings.TrimSpace(supTag.ReplaceAllString(c, "")))
	}
	return out
}

// normalise writes an endpoint as the catalog does: no scheme, no trailing slash, no escapes.
func normalise(ep string) string {
	ep = strings.TrimSpace(strings.ReplaceAll(ep, `\`, ""))
	ep = strings.TrimPrefix(strings.TrimPrefix(ep, "https://"), "http://")
	return strings.TrimSuffix(ep, "/")
}

// codeBlockHosts reads the host names of the gateway page's fenced code block.
func codeBlockHosts(text []byte) []string {
	var out []string
	in := false
	for _, l := range strings.Split(string(text), "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") {
			if in {
				break
			}
			in = true
			continue
		}
		if in && t != "" {
			out = append(out, t)
		}
	}
	return out
}

// bypassTable reads the proxy-bypass table: `Category` | `host`</br>`host`.
func bypassTable(text []byte) map[string]string {
	out := map[string]string{}
	for _, l := range strings.Split(string(text), "\n") {
		cells := splitRow(strings.TrimSpace(l))
		if !strings.HasPrefix(strings.TrimSpace(l), "|") || len(cells) < 2 {
			continue
		}
		cat := codeSpan.FindStringSubmatch(cells[0])
		if cat == nil || !slices.Contains(endpoints.BypassCategories, cat[1]) {
			continue
		}
		for _, ep := range codeSpan.FindAllStringSubmatch(cells[1], -1) {
			host := normalise(ep[1])
			if _, seen := out[host]; !seen { // management.azure.com is in ARM and AMA: the first wins
				out[host] = cat[1]
			}
		}
	}
	return out
}
