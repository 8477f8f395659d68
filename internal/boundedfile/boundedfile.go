// Package boundedfile reads a file a user names (a catalog, a CA bundle, a report to merge, a page of
// documentation) whole, within a byte bound, and refuses what is not a regular file without waiting on
// it: the open does not block on a FIFO, and the file judged is the one opened, not the name.
package boundedfile

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// TooLargeError is returned for a file that holds more than Limit bytes.
type TooLargeError struct {
	Path  string
	Limit int64
	// Size is the size the file's metadata gave, when that was already over the limit; 0 when the read
	// ran past the limit (a pipe, a file that grew while it was read).
	Size int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: larger than %d bytes", e.Path, e.Limit)
}

// NotRegularError is returned for a directory, a named pipe, a socket or a device.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s: not a regular file (%s)", e.Path, Kind(e.Mode))
}

// Kind names the type of a file in words: "a regular file", "a directory", "a named pipe", "a socket",
// "a device", or the mode's letters for anything else.
func Kind(mode fs.FileMode) string {
	switch {
	case mode.IsRegular():
		return "a regular file"
	case mode.IsDir():
		return "a directory"
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeDevice != 0:
		return "a device"
	}
	return mode.Type().String()
}

// Read reads the regular file at path whole, at most limit bytes. It opens without blocking (O_NONBLOCK
// on unix) and judges the file it opened, so a FIFO, whose read would wait for a writer, is refused
// even when it took the place of a regular file after a check by name. Errors: a *NotRegularError, a
// *TooLargeError, or the *fs.PathError of the open, the stat or the read.
func Read(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|nonBlocking, 0)
	return read(f, err, path, limit, false)
}

// ReadIn reads the regular file name inside root as Read does; root refuses a name that leads out of it.
func ReadIn(root *os.Root, name string, limit int64) ([]byte, error) {
	f, err := root.OpenFile(name, os.O_RDONLY|nonBlocking, 0)
	return read(f, err, name, limit, false)
}

// ReadOrPipe reads path as Read does, but a named pipe too (process substitution, /dev/stdin): it opens
// blocking, so the open of a pipe waits for its writer. A caller that must not wait judges the name
// first.
func ReadOrPipe(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	return read(f, err, path, limit, true)
}

// read judges and reads the opened f (unless the open failed with err) and closes it.
func read(f *os.File, err error, path string, limit int64, pipe bool) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	limit = max(limit, 0)
	mode, size := fi.Mode(), fi.Size()
	switch {
	case mode.IsRegular() && size > limit:
		return nil, &TooLargeError{Path: path, Limit: limit, Size: size}
	case !mode.IsRegular() && !(pipe && mode&fs.ModeNamedPipe != 0):
		return nil, &NotRegularError{Path: path, Mode: mode}
	}
	var b bytes.Buffer
	if mode.IsRegular() {
		b.Grow(int(size) + bytes.MinRead) // the whole file, and room to find its end without growing
	}
	if _, err := b.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, err
	}
	if int64(b.Len()) > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	return b.Bytes(), nil
}
