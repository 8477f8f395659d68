//go:build linux

// ValidateJUnit finds xmllint with internal/testnet, which is Linux's: so are the tests that use it.

package reporttest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// ValidateJUnit checks JUnit XML against the JUnit XSD (pkg/report/testdata/junit.xsd) with xmllint.
func ValidateJUnit(t *testing.T, out []byte) {
	t.Helper()
	xmllint := testnet.RequireBinary(t, "xmllint", "libxml2-utils")
	file := filepath.Join(t.TempDir(), "report.xml")
	require.NoError(t, os.WriteFile(file, out, 0o644))
	msg, err := exec.Command(xmllint, "--noout", "--schema", junitXSD(t), file).CombinedOutput()
	require.NoError(t, err, "%s\n%s", msg, out)
}

// junitXSD is the path of pkg/report/testdata/junit.xsd, from whichever package's tests ask.
func junitXSD(t *testing.T) string {
	_, self, _, ok := runtime.Caller(0)
	require.True(t, ok)
	return filepath.Join(filepath.Dir(self), "..", "..", "testdata", "junit.xsd")
}
