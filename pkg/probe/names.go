package probe

import (
	"crypto/x509/pkix"
	"sync"
)

// Distinguished names as text, computed once per name: pkix.Name.String builds a string of each of its
// attributes before joining them (about 1 KB of allocations a name), and a run formats the same issuers,
// and the roots, for endpoint after endpoint. The cache is keyed by the name's DER and holds at most
// maxNames of them (a process that sees more formats the rest each time).
var names = struct {
	sync.RWMutex
	m map[string]string
}{m: map[string]string{}}

const maxNames = 4096

// nameOf is n.String() for the name whose DER is raw.
func nameOf(raw []byte, n pkix.Name) string {
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
