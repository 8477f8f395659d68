package main

// What merge reads: every report it is given or finds is read whole, within bounds, or refused naming
// the file and why, before anything is written.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/report/fleet"
)

// maxReportFiles is the most files one merge reads, named and found in directories together. A file
// is read up to fleet.MaxReportSize (64 MiB) bytes.
const maxReportFiles = 100_000

// reportSource is a file to read, and whether it was found in a directory (rather than named).
type reportSource struct {
	path    string
	fromDir bool
}

// reportFiles expands the arguments: files as given, directories searched for *.json, sorted; a file
// given twice is read once. More than maxReportFiles files is refused.
func reportFiles(ctx context.Context, args []string) ([]reportSource, error) {
	var files []reportSource
	seen := map[string]bool{}
	add := func(path string, fromDir bool) error {
		if key := filepath.Clean(path); !seen[key] {
			if len(files) == maxReportFiles {
				return badInput("merge: more than %d files to read, the most one merge reads", maxReportFiles)
			}
			seen[key] = true
			files = append(files, reportSource{path: path, fromDir: fromDir})
		}
		return nil
	}
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, badInput("merge: %s: %v", a, pathError(err))
		}
		if !fi.IsDir() {
			err = add(a, false)
		} else {
			err = addDirectory(ctx, a, add)
		}
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// addDirectory adds the *.json files under dir, sorted; symbolic links to directories are not followed.
func addDirectory(ctx context.Context, dir string, add func(string, bool) error) error {
	var found []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return badInput("merge: %s: %v", dir, pathError(err))
		case ctx.Err() != nil:
			return stopped(ctx, "nothing was merged")
		case d.IsDir() || !strings.HasSuffix(p, ".json"):
			return nil
		case len(found) == maxReportFiles:
			return badInput("merge: %s: more than %d *.json files, the most one merge reads", dir, maxReportFiles)
		}
		found = append(found, p)
		return nil
	})
	if err != nil {
		return err
	}
	if len(found) == 0 {
		return badInput("merge: %s holds no *.json report", dir)
	}
	sort.Strings(found)
	for _, f := range found {
		if err := add(f, true); err != nil {
			return err
		}
	}
	return nil
}

// leftOut is the error for a file in a directory that is whole and is another of arccheck's outputs (a
// fleet view or a list written next to the reports): it is left out with a warning, not refused.
type leftOut struct{ err error }

func (l *leftOut) Error() string { return l.err.Error() }
func (l *leftOut) Unwrap() error { return l.err }

// readReport reads one report whole, or refuses it (exit 2) naming the file and why; a signal stops
// the read at once, even one blocked on a pipe.
func readReport(ctx context.Context, src reportSource) (report.CheckDocument, error) {
	var doc report.CheckDocument
	// The kind is judged before the file is opened: opening a FIFO waits for a writer.
	fi, err := os.Stat(src.path)
	if err == nil {
		err = refuseKind(fi, src.fromDir)
	}
	if err != nil {
		return doc, badInput("merge: %s: %v", src.path, pathError(err))
	}
	data, err := readWithin(ctx, src)
	if ctx.Err() != nil {
		return doc, stopped(ctx, "nothing was merged")
	}
	if err != nil {
		return doc, badInput("merge: %s: %v", src.path, err)
	}
	doc, err = fleet.ReadCheckReport(bytes.NewReader(data))
	if err != nil {
		err = badInput("merge: %s: %w", src.path, err)
		if src.fromDir && errors.Is(err, fleet.ErrNotACheckReport) && !errors.Is(err, fleet.ErrBrokenReport) && otherOutput(data) {
			err = &leftOut{err}
		}
	}
	return doc, err
}

// readWithin reads src, at most fleet.MaxReportSize bytes, until ctx ends. The read runs apart so
// that a signal ends the command even while it blocks (a pipe whose writer says nothing); it ends with
// the process.
func readWithin(ctx context.Context, src reportSource) ([]byte, error) {
	type read struct {
		data []byte
		err  error
	}
	done := make(chan read, 1)
	go func() {
		data, err := readBounded(src)
		done <- read{data, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// readBounded opens and reads src. The file opened is judged again: another may have taken the name.
func readBounded(src reportSource) ([]byte, error) {
	f, err := os.Open(src.path)
	if err != nil {
		return nil, pathError(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err == nil {
		err = refuseKind(fi, src.fromDir)
	}
	if err != nil {
		return nil, pathError(err)
	}
	data, err := io.ReadAll(io.LimitReader(f, fleet.MaxReportSize+1))
	if err != nil {
		return nil, pathError(err)
	}
	if len(data) > fleet.MaxReportSize {
		return nil, errTooLarge
	}
	return data, nil
}

var errTooLarge = fmt.Errorf("larger than %d MiB, the most merge reads of one report", fleet.MaxReportSize>>20)

// refuseKind refuses what is not a regular file (a symbolic link is judged by what it points to); a
// pipe is read when it is named (process substitution, /dev/stdin), never when found in a directory.
// A regular file over the size bound is refused before it is read.
func refuseKind(fi fs.FileInfo, fromDir bool) error {
	mode := fi.Mode()
	switch {
	case mode.IsRegular() && fi.Size() > fleet.MaxReportSize:
		return fmt.Errorf("%w (%d bytes)", errTooLarge, fi.Size())
	case mode.IsRegular(), mode&fs.ModeNamedPipe != 0 && !fromDir:
		return nil
	case mode&fs.ModeNamedPipe != 0:
		return errors.New("not a regular file (a named pipe): in a directory, merge reads regular files only")
	case mode.IsDir():
		return errors.New("not a regular file (a directory)")
	case mode&fs.ModeSocket != 0:
		return errors.New("not a regular file (a socket)")
	case mode&fs.ModeDevice != 0:
		return errors.New("not a regular file (a device)")
	}
	return fmt.Errorf("not a regular file (%s)", mode.Type())
}

// otherOutput reports whether data is a whole document of another of arccheck's outputs, by its schema:
// only such a file found among the reports is left out; any other that is no report is refused.
func otherOutput(data []byte) bool {
	var head map[string]json.RawMessage
	var schema string
	if json.Unmarshal(data, &head) != nil || json.Unmarshal(head["schema"], &schema) != nil {
		return false
	}
	return slices.Contains([]string{fleet.Schema, report.ListSchema, report.ChangesSchema, report.CatalogDiffSchema}, schema)
}
