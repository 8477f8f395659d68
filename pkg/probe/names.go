package probe

import (
	"crypto/x509/pkix"
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
	// maxNameAttrs and maxNameValue bound what of a name is formatted (boundedName): a real name has
	// fewer than ten attributes, of at most 64 characters (RFC 5280's upper bounds).
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
// from its first maxNameAttrs attributes, each cut at maxNameValue bytes, and ends in ",…":
// pkix.RDNSequence.String joins attributes by concatenating strings, in time quadratic in their number
// (minutes for a hundred thousand), and the name would be as long as the message. A name that was not
// parsed from DER (no Names) is ours, and formatted whole.
func boundedName(n pkix.Name) string {
	long := func(atv pkix.AttributeTypeAndValue) bool {
		s, ok := atv.Value.(string)
		return ok && len(s) > maxNameValue
	}
	if len(n.Names) <= maxNameAttrs && !slices.ContainsFunc(n.Names, long) {
		return n.String()
	}
	rdns := make(pkix.RDNSequence, 0, maxNameAttrs)
	for _, atv := range n.Names[:min(len(n.Names), maxNameAttrs)] {
		if s, ok := atv.Value.(string); ok && len(s) > maxNameValue {
			cut := maxNameValue
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
			atv.Value = s[:cut] + "…"
		}
		rdns = append(rdns, pkix.RelativeDistinguishedNameSET{atv}) // String writes the last first, as for any name
	}
	return rdns.String() + ",…"
}
