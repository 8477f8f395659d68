package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCheckWithoutRegionFails: without -l and without an agent to say the region, the required regional
// endpoints cannot be named, so the run cannot pass, and says to give -l/--location.
func TestCheckWithoutRegionFails(t *testing.T) {
	r := runCLI(t, nil, "check", "--agent", "off", "--timeout", "2s", "--resolve", "*:*:127.0.0.1")
	assert.Equal(t, exitUnreachable, r.code, r.stderr)
	assert.Contains(t, r.stdout, "not tested for want of a region; give the server's region with -l/--location")
	doc, r := checkJSON(t, nil, "--agent", "off", "--timeout", "2s", "--resolve", "*:*:127.0.0.1")
	assert.Equal(t, exitUnreachable, r.code)
	assert.NotEmpty(t, doc.NotTested)
	assert.Contains(t, r.stderr, "-l/--location")
}
