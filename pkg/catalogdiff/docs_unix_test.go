//go:build unix

package catalogdiff

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A page that is a FIFO, or a symbolic link to one, is refused without being opened for a blocking
// read: reading it would wait for a writer forever.
func TestReadRefusesAFIFO(t *testing.T) {
	for _, link := range []bool{false, true} {
		dir := copyFixture(t)
		page := filepath.Join(dir, pageGateway)
		require.NoError(t, os.Remove(page))
		fifo := page
		if link {
			fifo = filepath.Join(dir, "fifo")
			require.NoError(t, os.Symlink("../../../fifo", page))
		}
		require.NoError(t, syscall.Mkfifo(fifo, 0o600))
		done := make(chan error, 1)
		go func() { _, err := Read(dir); done <- err }()
		select {
		case err := <-done:
			assert.ErrorIs(t, err, ErrNotRegularFile)
			assert.EqualError(t, err, pageGateway+": not a regular file")
		case <-time.After(10 * time.Second):
			t.Fatal("Read blocked on a FIFO")
		}
	}
}
