package probe

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"slices"
	"sync"
	"unicode/utf8"
)

// Distinguished names as text, computed once per name: pkix.Name.String builds a string of each of its
// attributes before joining them (about 1 KB of allocations a name), and a run formats the same issuers,
// and the roots, for endpoint after endpoint. The cache is keyed by the name's DER. It keeps at most
// maxNames names of at most maxNameDER bytes each (a real name is a few hundred), the first it sees:
// about 1 MB at most, whatever the peers send; any other name is formatted each time.
var names = struct {
	sync.RWMutex
	m map[string]string
}{m: map[string]string{}}

const (
	maxNames   = 512
	maxNameDER = 512
	// maxNameAttrs and maxNameValue bound what of a name past maxNameDER is formatted (boundedName): a
	// real name has fewer than ten attributes, of at most 64 characters (RFC 5280's upper bounds).
	maxNameAttrs = 32
	maxNameValue = 256
)

// nameOf is n.String() for the name whose DER is raw. A certificate that was not parsed (raw empty) is
// not cached: its name has no DER to tell it by.
func nameOf(raw []byte, n pkix.Name) string {
	if len(raw) == 0 || len(raw) > maxNameDER {
		return boundedName(n)
	}
	names.RLock()
	s, ok := names.m[string(raw)]
	names.RUnlock()
	if ok {
		return s
	}
	s = n.String()
	names.Lock()
	if len(names.m) < maxNames {
		names.m[string(raw)] = s
	}
	names.Unlock()
	return s
}

// boundedName is n.String() for a name of a real size. A larger one, which only a hostile peer sends (a
// certificate's name can take most of a 256 KiB TLS message, or of an 8 MiB proof body), is formatted
// as String formats it, from at most maxNameAttrs attributes (the common name and serial number first,
// then the organisations, the units, and the rest in String's order), each value cut at maxNameValue
// bytes with "…" (an attribute String shows in hex is left out if longer than half that), and any
// attribute left out said by a closing ",…": pkix.RDNSequence.String joins
// attributes by concatenating strings, in time quadratic in their number (minutes for a hundred
// thousand), and the name would be as long as the message. A name that was not parsed from DER (no
// Names) is ours, and formatted whole.
func boundedName(n pkix.Name) string {
	if len(n.Names) == 0 {
		return n.String()
	}
	b := nameBudget{left: maxNameAttrs}
	c := pkix.Name{CommonName: b.one(n.CommonName), SerialNumber: b.one(n.SerialNumber)}
	c.Organization = b.list(n.Organization)
	c.OrganizationalUnit = b.list(n.OrganizationalUnit)
	c.Country = b.list(n.Country)
	c.Province = b.list(n.Province)
	c.Locality = b.list(n.Locality)
	c.StreetAddress = b.list(n.StreetAddress)
	c.PostalCode = b.list(n.PostalCode)
	for _, atv := range n.Names {
		if inField(atv.Type) {
			continue
		}
		// String shows these as the hex of their DER, whatever they hold: one too long to show is left
		// out rather than cut.
		der, err := asn1.Marshal(atv.Value)
		if b.left == 0 || err != nil || len(der) > maxNameValue/2 {
			b.dropped = true
			continue
		}
		b.left--
		c.Names = append(c.Names, atv) // String shows the attributes Names has beyond the fields
	}
	s := c.String()
	if b.dropped {
		s += ",…"
	}
	return s
}

// nameBudget hands out boundedName's attributes: left is how many more it may show; dropped is set once
// one had to be left out.
type nameBudget struct {
	left    int
	dropped bool
}

// one is v, cut, if there is room for it ("" stays "": no attribute).
func (b *nameBudget) one(v string) string {
	if v == "" {
		return ""
	}
	if b.left == 0 {
		b.dropped = true
		return ""
	}
	b.left--
	return cutString(v)
}

// list is as many of vs as there is room for, each cut.
func (b *nameBudget) list(vs []string) []string {
	take := min(len(vs), b.left)
	b.left -= take
	b.dropped = b.dropped || take < len(vs)
	out := make([]string, take)
	for i, v := range vs[:take] {
		out[i] = cutString(v)
	}
	return out
}

// inField reports whether an attribute of type t is one pkix.Name keeps in a field of its own (common
// name, serial number, country, locality, province, street, organisation, unit, postal code), as
// pkix.Name.String tells them.
func inField(t asn1.ObjectIdentifier) bool {
	return len(t) == 4 && t[0] == 2 && t[1] == 5 && t[2] == 4 && slices.Contains([]int{3, 5, 6, 7, 8, 9, 10, 11, 17}, t[3])
}

// cutString is s cut at maxNameValue bytes, on a character's boundary when s is UTF-8, with "…".
func cutString(s string) string {
	if len(s) <= maxNameValue {
		return s
	}
	cut := maxNameValue
	for back := 0; back < utf8.UTFMax-1 && !utf8.RuneStart(s[cut]); back++ {
		cut--
	}
	return s[:cut] + "…"
}
