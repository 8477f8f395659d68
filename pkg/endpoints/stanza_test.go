package endpoints

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseStanzasBounds: a malformed line is quoted within 80 characters however long it is (the file's
// bound is 4 MiB), and a file of blank lines is no stanza.
func TestParseStanzasBounds(t *testing.T) {
	_, err := parseStanzas("cloud.txt", []byte("Cloud: AzureCloud\n\n"+strings.Repeat("x", 1<<20)+"\n"))
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 200, "the line is not quoted whole")
	assert.True(t, strings.HasPrefix(err.Error(), `cloud.txt:3: expected "Key: value", got "xxx`), err.Error())

	stanzas, err := parseStanzas("blank.txt", []byte(strings.Repeat("\n", 1<<16)))
	require.NoError(t, err)
	assert.Empty(t, stanzas)
}
