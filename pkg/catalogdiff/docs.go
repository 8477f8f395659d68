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
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/arccheck/arccheck/pkg/endpoints"
)

// The pages read, relative to the checkout's root.
const (
	PageNetwork = "articles/azure-arc/servers/network-requirements.md"
	PageGateway = "articles/azure-arc/servers/arc-gateway-endpoints.md"
	PageProxy   = "articles/azure-arc/servers/manage-agent-proxy-settings.md"
)

// maxPage bounds each Markdown file read; the real pages are under 100 KB.
const maxPage = 2 << 20

// maxIncludeDepth bounds nested [!INCLUDE] directives.
const maxIncludeDepth = 4

// ErrNotADocsCheckout is returned when the directory lacks the pages.
var ErrNotADocsCheckout = errors.New("not a checkout of MicrosoftDocs/azure-management-docs")

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

// tabClouds maps the pages' tab ids to cloud names.
var tabClouds = map[string]string{"azure-cloud": "AzureCloud", "azure-government": "AzureUSGovernment", "azure-china": "AzureChinaCloud"}

var (
	tabLine     = regexp.MustCompile(`^#{2,6}\s*\[[^\]]*\]\(#tab/([a-z0-9-]+)\)`)
	includeLine = regexp.MustCompile(`^\s*\[!INCLUDE\s*\[[^\]]*\]\(([^)]+)\)\]`)
	codeSpan    = regexp.MustCompile("`([^`]+)`")
	supTag      = regexp.MustCompile(`<sup>[^<]*</sup>`)
	portsNote   = regexp.MustCompile(`(?i)HTTP/TCP 80`)
)

// Read reads the pages from a checkout rooted at dir.
func Read(dir string) (*Docs, error) {
	fsys := os.DirFS(dir)
	if _, err := fs.Stat(fsys, PageNetwork); err != nil {
		return nil, fmt.Errorf("%w: %s has no %s", ErrNotADocsCheckout, dir, PageNetwork)
	}
	d := &Docs{Bypass: map[string]string{}}
	lines, err := expand(fsys, PageNetwork, 0)
	if err != nil {
		return nil, err
	}
	d.Rows = tableRows(lines)
	if text, err := readPage(fsys, PageGateway); err == nil {
		d.GatewayCarried = codeBlockHosts(text)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if text, err := readPage(fsys, PageProxy); err == nil {
		d.Bypass = bypassTable(text)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return d, nil
}

// line is one line of a page after includes are expanded, with where it comes from.
type line struct {
	text string
	page string
	n    int
}

func readPage(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(io.LimitReader(f, maxPage+1)); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if b.Len() > maxPage {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, maxPage)
	}
	return b.Bytes(), nil
}

// expand returns a page's lines with its [!INCLUDE] directives replaced by the included pages' lines.
func expand(fsys fs.FS, name string, depth int) ([]line, error) {
	if depth > maxIncludeDepth {
		return nil, fmt.Errorf("%s: includes nested deeper than %d", name, maxIncludeDepth)
	}
	text, err := readPage(fsys, name)
	if err != nil {
		return nil, err
	}
	var out []line
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), maxPage)
	for n := 1; sc.Scan(); n++ {
		if m := includeLine.FindStringSubmatch(sc.Text()); m != nil {
			inc := path.Clean(path.Join(path.Dir(name), m[1]))
			if _, err := fs.Stat(fsys, inc); err != nil {
				continue // includes of other folders (e.g. principles) that the checkout may lack
			}
			sub, err := expand(fsys, inc, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
			continue
		}
		out = append(out, line{text: sc.Text(), page: name, n: n})
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
			cloud, header = tabClouds[m[1]], nil
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
