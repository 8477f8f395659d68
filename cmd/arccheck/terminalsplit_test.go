package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// TestNoHostSplitOnATerminal: in terminals of 60, 80 and 120 columns, the tables of check and list wrap
// between words and at a URL's slashes, never inside a host name: every host of the run is whole on one
// screen line; nothing is cut; and a column hidden to fit is announced with the way to see it.
func TestNoHostSplitOnATerminal(t *testing.T) {
	lab := testnet.NewLab(t, testnet.LabOptions{})
	ca := lab.CA.WritePEM(t)
	hostsOf := func(args ...string) []string {
		r := runCLI(t, nil, append(append([]string{"list"}, args...), "-o", "plain")...)
		require.Equal(t, 0, r.code, r.stderr)
		var hosts []string
		for _, p := range strings.Fields(r.stdout) {
			host, _, _ := strings.Cut(p, "/") // a documented path may wrap at its slashes
			if !strings.Contains(host, "<") { // a placeholder pattern is shown filled in, or not tested
				hosts = append(hosts, strings.TrimPrefix(host, "*."))
			}
		}
		return hosts
	}
	space := regexp.MustCompile(`\s+`)
	for _, cols := range []int{60, 80, 120} {
		for _, run := range []struct {
			args  []string
			hosts []string
		}{
			{[]string{"check", "-l", "westeurope", "--ca-file", ca, "--resolve", "*:*:" + lab.IP, "--timeout", "3s"},
				hostsOf("-l", "westeurope")},
			{[]string{"list", "-l", "westeurope", "-e", "all"}, hostsOf("-l", "westeurope", "-e", "all")},
		} {
			lines := screenLines(inTerminal(t, cols, run.args...))
			flat := space.ReplaceAllString(strings.Join(lines, " "), " ")
			require.Contains(t, flat, "ENDPOINT", "%v", run.args)
			require.NotEmpty(t, run.hosts)
			for _, h := range run.hosts {
				whole := false
				for _, l := range lines {
					whole = whole || strings.Contains(l, h)
				}
				assert.True(t, whole, "%d columns, %v: %s is not whole on any line", cols, run.args, h)
			}
			assert.NotContains(t, flat, "...", "%d columns, %v: nothing is cut", cols, run.args)
			if cols == 60 {
				assert.Regexp(t, `hidden at 60 columns.*: widen the terminal, pipe the output`, flat,
					"%v: a column hidden at 60 columns is announced, with the way to see it", run.args)
			}
		}
	}
}
