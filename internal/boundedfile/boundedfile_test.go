package boundedfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func write(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

// TestReadWithinTheLimit: a file of exactly the limit is read whole, one byte more is refused naming
// the file, the limit and the size its metadata gave.
func TestReadWithinTheLimit(t *testing.T) {
	for _, read := range []func(string, int64) ([]byte, error){Read, ReadOrPipe} {
		path := write(t, "f.txt", "0123456789")
		data, err := read(path, 10)
		require.NoError(t, err)
		assert.Equal(t, "0123456789", string(data))
		data, err = read(path, 9)
		assert.Nil(t, data)
		var tl *TooLargeError
		require.ErrorAs(t, err, &tl)
		assert.Equal(t, TooLargeError{Path: path, Limit: 9, Size: 10}, *tl)
		assert.EqualError(t, err, path+": larger than 9 bytes")

		empty := write(t, "empty.txt", "")
		data, err = read(empty, 0)
		require.NoError(t, err)
		assert.Empty(t, data)
	}
}

// TestReadRefusesWhatIsNotARegularFile: a directory is refused, naming it and what it is, before it is
// read.
func TestReadRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	for _, read := range []func(string, int64) ([]byte, error){Read, ReadOrPipe} {
		_, err := read(dir, 1<<20)
		var nr *NotRegularError
		require.ErrorAs(t, err, &nr)
		assert.Equal(t, dir, nr.Path)
		assert.True(t, nr.Mode.IsDir())
		assert.EqualError(t, err, dir+": not a regular file (a directory)")
	}
}

// TestReadMissingFile: the open's own error, naming the file, for errors.Is(fs.ErrNotExist).
func TestReadMissingFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.txt")
	for _, read := range []func(string, int64) ([]byte, error){Read, ReadOrPipe} {
		_, err := read(missing, 10)
		assert.ErrorIs(t, err, fs.ErrNotExist)
		var pe *fs.PathError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, missing, pe.Path)
		assert.False(t, errors.As(err, new(*TooLargeError)) || errors.As(err, new(*NotRegularError)))
	}
}

// TestReadIn reads inside an os.Root: within the limit, over it, a directory, a name leading out.
func TestReadIn(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "page.md"), []byte(strings.Repeat("x", 100)), 0o600))
	root, err := os.OpenRoot(dir)
	require.NoError(t, err)
	defer root.Close()

	data, err := ReadIn(root, "sub/page.md", 100)
	require.NoError(t, err)
	assert.Len(t, data, 100)
	_, err = ReadIn(root, "sub/page.md", 99)
	assert.EqualError(t, err, "sub/page.md: larger than 99 bytes")
	_, err = ReadIn(root, "sub", 100)
	assert.EqualError(t, err, "sub: not a regular file (a directory)")
	_, err = ReadIn(root, "../outside.md", 100)
	assert.Error(t, err)
	_, err = ReadIn(root, "sub/none.md", 100)
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

// TestKind names each type of file.
func TestKind(t *testing.T) {
	for mode, want := range map[fs.FileMode]string{
		0: "a regular file", fs.ModeDir: "a directory", fs.ModeNamedPipe: "a named pipe", fs.ModeSocket: "a socket",
		fs.ModeDevice: "a device", fs.ModeDevice | fs.ModeCharDevice: "a device", fs.ModeIrregular: "?---------",
	} {
		assert.Equal(t, want, Kind(mode), "%v", mode)
	}
}
