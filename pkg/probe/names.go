package probe

import (
	"crypto/x509/pkix"
	"sync"
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
)

// nameOf is n.String() for the name whose DER is raw. A certificate that was not parsed (raw empty) is
// not cached: its name has no DER to tell it by.
func nameOf(raw []byte, n pkix.Name) string {
	if len(raw) == 0 || len(raw) > maxNameDER {
		return n.String()
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
