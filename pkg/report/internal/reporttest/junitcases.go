package reporttest

import (
	"encoding/xml"
	"testing"

	"github.com/stretchr/testify/require"
)

// JUnitResult is a failure, error or skipped element of a JUnit test case.
type JUnitResult struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Data    string `xml:",chardata"`
}

// JUnitCase is a JUnit test case as a reader sees it.
type JUnitCase struct {
	Name      string       `xml:"name,attr"`
	Failure   *JUnitResult `xml:"failure"`
	Error     *JUnitResult `xml:"error"`
	Skipped   *JUnitResult `xml:"skipped"`
	SystemOut string       `xml:"system-out"`
}

// JUnitCases reads the test cases of JUnit XML by name (the last of a name wins).
func JUnitCases(t *testing.T, out []byte) map[string]JUnitCase {
	t.Helper()
	var doc struct {
		Suites []struct {
			Cases []JUnitCase `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(out, &doc), "%s", out)
	cases := map[string]JUnitCase{}
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			cases[c.Name] = c
		}
	}
	return cases
}
