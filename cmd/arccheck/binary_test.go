package main

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lookupByName matches the functions that look a method up at run time (by name or by index), any of
// which makes the linker keep every exported method, and text/template's use of them.
var lookupByName = regexp.MustCompile(`^(reflect\.(Value|\(\*Value\)|\(\*rtype\)|\(\*interfaceType\))\.(Method|MethodByName)|text/template\.\(\*state\)\.evalField)$`)

// TestDeadMethodsLeftOut: nothing in the program looks a method up at run time (reflect's Method and
// MethodByName, which text/template calls, and so cobra's SetVersionTemplate and help templates). When
// something does, the linker keeps every exported method of every type the program has: 2.4 MB more of
// a 12.5 MB binary, and a run pages nearly all of its code in (docs/development.md, "Benchmarks").
func TestDeadMethodsLeftOut(t *testing.T) {
	out, err := exec.Command("go", "tool", "nm", binary(t)).Output()
	require.NoError(t, err)
	var found []string
	for line := range strings.Lines(string(out)) {
		if f := strings.Fields(line); len(f) == 3 && lookupByName.MatchString(f[2]) {
			found = append(found, f[2])
		}
	}
	assert.Empty(t, found, "methods looked up at run time: the linker keeps every exported method")
}
