package fleet

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestFixesAreGroupedByActionAndServers: one line per action the same servers need, with all its
// patterns, as check's "What to fix" has; another set of servers is another line.
func TestFixesAreGroupedByActionAndServers(t *testing.T) {
	resolve := "Let this server resolve these names"
	got := groupFixes([]Fix{
		{Action: resolve, Pattern: "a.example", Servers: []string{"srv01", "srv02"}},
		{Action: "Allow outbound TCP 443", Pattern: "b.example", Servers: []string{"srv01"}},
		{Action: resolve, Pattern: "c.example", Servers: []string{"srv01", "srv02"}},
		{Action: resolve, Pattern: "d.example", Servers: []string{"srv03"}},
	})
	assert.Equal(t, []fixGroup{
		{action: resolve, patterns: []string{"a.example", "c.example"}, servers: []string{"srv01", "srv02"}},
		{action: "Allow outbound TCP 443", patterns: []string{"b.example"}, servers: []string{"srv01"}},
		{action: resolve, patterns: []string{"d.example"}, servers: []string{"srv03"}},
	}, got)
}
