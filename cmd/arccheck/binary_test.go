package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDeadMethodsLeftOut: nothing in the program looks a method up by a name known only at run time
// (reflect's MethodByName, which text/template calls, and so cobra's SetVersionTemplate and help
// templates). When something does, the linker keeps every exported method of every type the program
// has: 2.4 MB more of a 12.5 MB binary, and a run pages nearly all of its code in (docs/development.md,
// "Memory").
func TestDeadMethodsLeftOut(t *testing.T) {
	out, err := exec.Command("go", "tool", "nm", binary(t)).Output()
	require.NoError(t, err)
	var found []string
	for line := range strings.Lines(string(out)) {
		if strings.Contains(line, "reflect.Value.MethodByName") || strings.Contains(line, "text/template.(*state).evalField") {
			found = append(found, strings.TrimSpace(line))
		}
	}
	assert.Empty(t, found, "methods looked up by name: the linker keeps every exported method")
}
