//go:build unix

package endpoints

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ParseFile refuses what is not a regular file before reading it: a FIFO would block until a writer
// came, a directory or a device is no catalog.
func TestParseFileRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	link := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink(fifo, link))
	for _, path := range []string{fifo, link, dir, os.DevNull} {
		_, err := ParseFile(path)
		assert.ErrorIs(t, err, ErrNotRegularFile, path)
		assert.ErrorContains(t, err, path+": not a regular file")
	}
	_, err := ParseFile(filepath.Join(dir, "none.txt"))
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.EqualError(t, err, "open "+filepath.Join(dir, "none.txt")+": no such file or directory")
}
