package junitxml

import (
	"testing"

	"github.com/jstemmer/go-junit-report/v2/junit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	refused = Finding{Class: "tcp_refused", Phase: "tcp", Message: "connection refused", Action: "Allow outbound TCP 443", Hint: "open the port"}
	skew    = Finding{Class: "clock_skew", Message: "10m ahead", Action: "Set the clock", Hint: "sync with NTP"}
	proxied = Finding{Class: "tls_intercepted", Message: "re-signed", Action: "Exempt the host", Hint: "bypass inspection"}
)

func fill(c Case) junit.Testcase {
	var tc junit.Testcase
	c.Fill(&tc)
	return tc
}

// TestCaseFillFailure: a required endpoint's failure fails the case, a local one is an error, and an
// optional endpoint's failure is a line of system-out on a passing case.
func TestCaseFillFailure(t *testing.T) {
	want := &junit.Result{Message: "tcp_refused: Allow outbound TCP 443", Type: "tcp_refused",
		Data: "tcp_refused (tcp phase): connection refused\nfix: open the port"}

	tc := fill(Case{Failure: &refused, Required: true})
	assert.Equal(t, want, tc.Failure)
	assert.Nil(t, tc.Error)
	assert.Nil(t, tc.SystemOut)

	tc = fill(Case{Failure: &refused, Required: true, Local: true})
	assert.Equal(t, want, tc.Error)
	assert.Nil(t, tc.Failure)

	tc = fill(Case{Failure: &refused})
	assert.Nil(t, tc.Failure)
	assert.Nil(t, tc.Error)
	require.NotNil(t, tc.SystemOut)
	assert.Equal(t, "unreachable, but this endpoint never fails a run: tcp_refused (tcp phase): connection refused\nfix: open the port",
		tc.SystemOut.Data)

	tc = fill(Case{})
	assert.Equal(t, junit.Testcase{}, tc, "a reachable endpoint without warnings: a bare passing case")
}

// TestCaseFillWarnings: warnings and notes are lines of system-out; with FailOnWarning the first warning
// fails a case that has no failure.
func TestCaseFillWarnings(t *testing.T) {
	c := Case{Warnings: []Finding{skew, proxied}, Notes: []string{"revocation crl http://crl.example: unreachable"}}
	tc := fill(c)
	assert.Nil(t, tc.Failure)
	require.NotNil(t, tc.SystemOut)
	assert.Equal(t, "warning clock_skew: 10m ahead\nfix: sync with NTP\nwarning tls_intercepted: re-signed\nfix: bypass inspection\n"+
		"revocation crl http://crl.example: unreachable", tc.SystemOut.Data)

	c.FailOnWarning = true
	tc = fill(c)
	assert.Equal(t, &junit.Result{Message: "clock_skew: Set the clock", Type: "clock_skew", Data: "warning clock_skew: 10m ahead\nfix: sync with NTP"}, tc.Failure)
	assert.Equal(t, "warning tls_intercepted: re-signed\nfix: bypass inspection\nrevocation crl http://crl.example: unreachable", tc.SystemOut.Data)

	c.Failure, c.Required = &refused, true
	tc = fill(c)
	assert.Equal(t, "tcp_refused", tc.Failure.Type, "the endpoint's failure comes first")
	assert.Contains(t, tc.SystemOut.Data, "warning clock_skew: 10m ahead")

	tc = fill(Case{Warnings: []Finding{{Class: "x", Message: "no fix"}}})
	assert.Equal(t, "warning x: no fix", tc.SystemOut.Data, "no empty fix line")
}

// TestCaseFillEscapes: text from a peer reaches the XML escaped.
func TestCaseFillEscapes(t *testing.T) {
	evil := Finding{Class: "tcp_refused", Phase: "tcp", Message: "\x1b[31mred\u202e", Action: "act\x07", Hint: "hint"}
	tc := fill(Case{Failure: &evil, Required: true, Warnings: []Finding{evil}})
	for _, s := range []string{tc.Failure.Message, tc.Failure.Data, tc.SystemOut.Data} {
		assert.NotContains(t, s, "\x1b")
		assert.NotContains(t, s, "\u202e")
		assert.NotContains(t, s, "\x07")
	}
	assert.Contains(t, tc.Failure.Data, `\x1b[31mred\u202e`)
}
