//go:build unix

package boundedfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// await is what read returned, or a failure when it blocked.
func await(t *testing.T, read func() ([]byte, error)) ([]byte, error) {
	t.Helper()
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() { data, err := read(); done <- result{data, err} }()
	select {
	case r := <-done:
		return r.data, r.err
	case <-time.After(10 * time.Second):
		t.Fatal("the read blocked")
		return nil, nil
	}
}

// TestReadRefusesAFIFOAtOnce: a FIFO with no writer, named or by a symbolic link, in a root too, is
// refused without waiting for a writer; a device is refused too.
func TestReadRefusesAFIFOAtOnce(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	link := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink("fifo", link))
	for _, path := range []string{fifo, link} {
		_, err := await(t, func() ([]byte, error) { return Read(path, 100) })
		var nr *NotRegularError
		require.ErrorAs(t, err, &nr)
		assert.EqualError(t, err, path+": not a regular file (a named pipe)")
	}
	root, err := os.OpenRoot(dir)
	require.NoError(t, err)
	defer root.Close()
	_, err = await(t, func() ([]byte, error) { return ReadIn(root, "link", 100) })
	assert.EqualError(t, err, "link: not a regular file (a named pipe)")

	_, err = Read(os.DevNull, 100)
	assert.EqualError(t, err, os.DevNull+": not a regular file (a device)")
}

// TestReadOrPipeReadsANamedPipe: ReadOrPipe reads a pipe within the limit and refuses one that writes
// more, with no size known.
func TestReadOrPipeReadsANamedPipe(t *testing.T) {
	for _, tc := range []struct {
		text string
		err  string
	}{{"0123456789", ""}, {"0123456789x", "larger than 10 bytes"}} {
		fifo := filepath.Join(t.TempDir(), "fifo")
		require.NoError(t, syscall.Mkfifo(fifo, 0o600))
		go func() {
			if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
				_, _ = w.WriteString(tc.text)
				w.Close()
			}
		}()
		data, err := await(t, func() ([]byte, error) { return ReadOrPipe(fifo, 10) })
		if tc.err == "" {
			require.NoError(t, err)
			assert.Equal(t, tc.text, string(data))
			continue
		}
		var tl *TooLargeError
		require.ErrorAs(t, err, &tl)
		assert.Equal(t, TooLargeError{Path: fifo, Limit: 10}, *tl)
	}
}
