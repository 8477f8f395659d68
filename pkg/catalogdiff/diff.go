package catalogdiff

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/arccheck/arccheck/pkg/endpoints"
)

// Kind says how the catalog and the pages differ about an endpoint.
type Kind string

// The kinds of difference.
const (
	KindMissing Kind = "missing" // on a page, not in the catalog
	KindDropped Kind = "dropped" // in the catalog, on no page (Known says whether the catalog says so)
	KindDiffers Kind = "differs" // on both, with a different attribute
)

// Field names the attribute that differs.
type Field string

// The attributes compared.
const (
	FieldPort        Field = "port"
	FieldPrivateLink Field = "private-link"
	FieldBypass      Field = "bypass"
	FieldRequired    Field = "required"
	FieldGateway     Field = "gateway"
)

// Difference is one difference between the catalog and the pages.
type Difference struct {
	Cloud, List string
	Kind        Kind
	Endpoint    string
	Field       Field  // with KindDiffers
	Docs        string // what the pages say (KindDiffers), or where the row is (KindMissing: page:line)
	Catalog     string // what the catalog says (KindDiffers), or where the entry is (file:line)
	// Known is set for a dropped entry the catalog already marks as legacy, disputed or ended (Until).
	Known bool
}

// Compare lists the differences between the catalog and the pages, by cloud, list and endpoint. A cloud
// of the catalog the pages have no row for is an error (a *PageError wrapping ErrNotFound), not a list of
// differences: the pages may have changed their syntax.
func Compare(cat *endpoints.Catalog, d *Docs) ([]Difference, error) {
	var out []Difference
	type key struct{ cloud, list, ep string }
	onPage := map[key]Row{}
	for _, r := range d.Rows {
		if _, dup := onPage[key{r.Cloud, r.List, r.Endpoint}]; !dup {
			onPage[key{r.Cloud, r.List, r.Endpoint}] = r
		}
	}
	for k, r := range onPage {
		cl := cat.Cloud(k.cloud)
		var e *endpoints.Entry
		if cl != nil {
			if i := slices.IndexFunc(cl.Entries, func(e endpoints.Entry) bool { return e.List == k.list && e.Endpoint == k.ep }); i >= 0 {
				e = &cl.Entries[i]
			}
		}
		if e == nil {
			out = append(out, Difference{Cloud: k.cloud, List: k.list, Kind: KindMissing, Endpoint: k.ep, Docs: r.Page + ":" + strconv.Itoa(r.Line)})
			continue
		}
		out = append(out, attributes(k.cloud, k.list, r, e)...)
	}
	for _, cl := range cat.Clouds {
		if !slices.ContainsFunc(d.Rows, func(r Row) bool { return r.Cloud == cl.Name }) {
			return nil, &PageError{Page: pageNetwork, Err: fmt.Errorf("%w: no endpoint table for %s, a cloud of the %s catalog", ErrNotFound, cl.Name, cat.Name)}
		}
		out = append(out, dropped(cl, func(list, ep string) bool { _, ok := onPage[key{cl.Name, list, ep}]; return ok })...)
		out = append(out, bypass(cl, d.Bypass)...)
		out = append(out, gateway(cl, d.GatewayCarried)...)
	}
	slices.SortFunc(out, func(a, b Difference) int {
		return cmp.Or(cmp.Compare(a.Cloud, b.Cloud), cmp.Compare(a.List, b.List), cmp.Compare(a.Kind, b.Kind),
			cmp.Compare(a.Endpoint, b.Endpoint), cmp.Compare(a.Field, b.Field), cmp.Compare(a.Docs, b.Docs), cmp.Compare(a.Catalog, b.Catalog))
	})
	return out, nil
}

// dropped lists the catalog's entries of the lists the pages have (standard, esu) that no page row has.
func dropped(cl *endpoints.Cloud, onPage func(list, endpoint string) bool) []Difference {
	var out []Difference
	for i := range cl.Entries {
		e := &cl.Entries[i]
		if (e.List != "standard" && e.List != "esu") || onPage(e.List, e.Endpoint) {
			continue
		}
		out = append(out, Difference{Cloud: cl.Name, List: e.List, Kind: KindDropped, Endpoint: e.Endpoint, Catalog: e.Pos,
			Known: e.Legacy != "" || e.Disputed != "" || !e.Until.IsZero()})
	}
	return out
}

func attributes(cloud, list string, r Row, e *endpoints.Entry) []Difference {
	var out []Difference
	add := func(f Field, docs, catalog string) {
		if docs != catalog {
			out = append(out, Difference{Cloud: cloud, List: list, Kind: KindDiffers, Endpoint: e.Endpoint, Field: f, Docs: docs, Catalog: catalog})
		}
	}
	add(FieldPort, ports(r.Ports), ports(e.Ports))
	if r.PrivateLink != endpoints.PrivateLinkUnspecified || e.PrivateLink == endpoints.PrivateLinkUnspecified {
		add(FieldPrivateLink, string(r.PrivateLink), string(e.PrivateLink))
	}
	add(FieldRequired, yesNo(r.Required), yesNo(e.When != endpoints.WhenOptional))
	return out
}

// bypass compares the catalog's Bypass categories with the proxy-bypass table, for AzureCloud (the
// table names public-cloud hosts only).
func bypass(cl *endpoints.Cloud, table map[string]string) []Difference {
	if cl.Name != "AzureCloud" || len(table) == 0 {
		return nil
	}
	var out []Difference
	for i := range cl.Entries {
		e := &cl.Entries[i]
		if e.List == "gateway" || e.List == endpoints.ProfileLegacyPreview {
			continue // the gateway takes no proxy bypass; the 2019 preview predates it
		}
		want, listed := table[e.Endpoint]
		if !listed {
			// The table writes his.arc.azure.com for *.his.arc.azure.com, and <placeholder> names of its own.
			want, listed = table[strings.TrimPrefix(e.Endpoint, "*.")]
		}
		switch {
		case listed && want != e.Bypass && !(e.Endpoint == "management.azure.com" && e.Bypass == "ARM"):
			out = append(out, Difference{Cloud: cl.Name, List: e.List, Kind: KindDiffers, Endpoint: e.Endpoint, Field: FieldBypass, Docs: want, Catalog: e.Bypass})
		case !listed && e.Bypass != "" && e.Bypass != "AMA" && e.Bypass != "ArcData":
			// AMA's and ArcData's hosts use placeholders the table spells differently; the others are literal.
			out = append(out, Difference{Cloud: cl.Name, List: e.List, Kind: KindDiffers, Endpoint: e.Endpoint, Field: FieldBypass, Docs: "", Catalog: e.Bypass})
		}
	}
	return out
}

// gateway reports entries the catalog says the Arc gateway does not carry although its endpoint page
// lists them as carried.
func gateway(cl *endpoints.Cloud, carried []string) []Difference {
	if cl.Name != "AzureCloud" || len(carried) == 0 {
		return nil
	}
	var out []Difference
	for i := range cl.Entries {
		e := &cl.Entries[i]
		if e.GatewayDirect && slices.ContainsFunc(carried, func(h string) bool {
			h, _, _ = strings.Cut(h, ":")
			return h == e.Endpoint
		}) {
			out = append(out, Difference{Cloud: cl.Name, List: e.List, Kind: KindDiffers, Endpoint: e.Endpoint, Field: FieldGateway,
				Docs: "carried", Catalog: "direct"})
		}
	}
	return out
}

func ports(ps []endpoints.Port) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

func yesNo(b bool) string {
	if b {
		return "required"
	}
	return "optional"
}
