package inert

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/probe"
	"github.com/arccheck/arccheck/pkg/report/internal/reporttest"
)

// evil is what a hostile peer, agent or report writes (reporttest.Evil).
const evil = reporttest.Evil

// TestInertCopies: Value escapes every string of a document, keys included, and leaves the document
// given unchanged; nil stays nil (null) and empty stays empty ([]), times stay as they were.
func TestInertCopies(t *testing.T) {
	type inner struct {
		Name  string
		Class probe.Class
	}
	type doc struct {
		Text    string
		List    []string
		Empty   []string
		Nil     []string
		Map     map[string]inner
		Ptr     *inner
		NilPtr  *inner
		Array   [2]string
		Any     any
		When    time.Time
		Count   int
		private string
	}
	when := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	in := doc{Text: evil, List: []string{evil}, Empty: []string{}, Map: map[string]inner{evil: {Name: evil, Class: probe.Class(evil)}},
		Ptr: &inner{Name: evil}, Array: [2]string{evil, "ok"}, Any: evil, When: when, Count: 3, private: evil}
	out := Value(in)
	e := safetext.Escape(evil)
	assert.Equal(t, doc{Text: e, List: []string{e}, Empty: []string{}, Map: map[string]inner{e: {Name: e, Class: probe.Class(e)}},
		Ptr: &inner{Name: e}, Array: [2]string{e, "ok"}, Any: e, When: when, Count: 3, private: evil}, out)
	assert.NotNil(t, out.Empty)
	assert.Nil(t, out.Nil)
	assert.Equal(t, evil, in.List[0], "the document given is not changed")
	assert.Equal(t, evil, in.Ptr.Name)
	assert.Contains(t, in.Map, evil)
}
