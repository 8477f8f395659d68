package main

// What merge reads: every report it is given or finds is read whole, within bounds, or refused naming
// the file and why, before anything is written.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/arccheck/arccheck/internal/boundedfile"
	"github.com/arccheck/arccheck/internal/bytesize"
	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/report/fleet"
)

// maxReportFiles is the most files one merge reads, named and found in directories together. A file
// is read up to fleet.MaxReportSize (64 MiB) bytes.
const maxReportFiles = 100_000

// maxMergeTotal is the most bytes one merge reads, its reports together (files left out too): without
// it, 100,000 files of up to 64 MiB each could take terabytes of memory.
const maxMergeTotal = 1 << 30

// mergeTotal is maxMergeTotal, lowered by tests.
var mergeTotal int64 = maxMergeTotal

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

// reportReader reads the reports of one merge: each within fleet.MaxReportSize bytes, all of them (those
// left out too) within mergeTotal.
type reportReader struct {
	ctx  context.Context
	left int64 // bytes that may still be read
}

func newReportReader(ctx context.Context) *reportReader {
	return &reportReader{ctx: ctx, left: mergeTotal}
}

// read reads one report whole and merges it into m, or refuses it (exit 2) naming the file and why; a
// signal stops the read at once, even one blocked on a pipe.
func (rd *reportReader) read(m *fleet.Merger, src reportSource) error {
	// The kind is judged before the file is opened: opening a FIFO waits for a writer.
	fi, err := os.Stat(src.path)
	if err == nil {
		err = rd.refuse(fi, src.fromDir)
	}
	if err != nil {
		return badInput("merge: %s: %v", src.path, pathError(err))
	}
	data, err := readWithin(rd.ctx, src, min(fleet.MaxReportSize, rd.left))
	if rd.ctx.Err() != nil {
		return stopped(rd.ctx, "nothing was merged")
	}
	if err != nil {
		return badInput("merge: %s: %v", src.path, readError(err, src.fromDir))
	}
	rd.left -= int64(len(data))
	if err = m.Read(data, src.path); err != nil {
		err = badInput("merge: %s: %w", src.path, err)
		if src.fromDir && errors.Is(err, fleet.ErrNotACheckReport) && !errors.Is(err, fleet.ErrBrokenReport) && otherOutput(data) {
			err = &leftOut{err}
		}
	}
	return err
}

// refuse refuses what refuseKind does, and a regular file that would take the reports read past
// mergeTotal.
func (rd *reportReader) refuse(fi fs.FileInfo, fromDir bool) error {
	if err := refuseKind(fi, fromDir); err != nil {
		return err
	}
	if fi.Mode().IsRegular() && fi.Size() > rd.left {
		return errTotalTooLarge()
	}
	return nil
}

// readWithin reads src, at most limit bytes, until ctx ends. The read runs apart so that a signal ends
// the command even while it blocks (a pipe whose writer says nothing); it ends with the process.
func readWithin(ctx context.Context, src reportSource, limit int64) ([]byte, error) {
	type read struct {
		data []byte
		err  error
	}
	done := make(chan read, 1)
	go func() {
		// The file opened is judged again (another may have taken the name): a file found in a
		// directory is opened without waiting on a FIFO, and refused if it is one; a pipe is read only
		// when named.
		readFile := boundedfile.ReadOrPipe
		if src.fromDir {
			readFile = boundedfile.Read
		}
		data, err := readFile(src.path, limit)
		done <- read{data, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// readError says what went wrong with a read in merge's words: boundedfile's errors name the path,
// which merge's message names already.
func readError(err error, fromDir bool) error {
	var notRegular *boundedfile.NotRegularError
	var tooLarge *boundedfile.TooLargeError
	switch {
	case errors.As(err, &notRegular):
		return kindError(notRegular.Mode, fromDir)
	case errors.As(err, &tooLarge) && tooLarge.Size > fleet.MaxReportSize:
		return fmt.Errorf("%w (%d bytes)", errTooLarge, tooLarge.Size)
	case errors.As(err, &tooLarge) && tooLarge.Limit == fleet.MaxReportSize:
		return errTooLarge
	case errors.As(err, &tooLarge):
		return errTotalTooLarge()
	}
	return pathError(err)
}

var errTooLarge = fmt.Errorf("larger than %s, the most merge reads of one report", bytesize.Words(fleet.MaxReportSize))

// errTotalTooLarge is the error for the report that takes the reports read past mergeTotal.
func errTotalTooLarge() error {
	return fmt.Errorf("with it the reports come to more than %s, the most one merge reads in all", bytesize.Words(mergeTotal))
}

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
	}
	return kindError(mode, fromDir)
}

// kindError says why a file of this mode (not a regular file) is not read.
func kindError(mode fs.FileMode, fromDir bool) error {
	if mode&fs.ModeNamedPipe != 0 && fromDir {
		return errors.New("not a regular file (a named pipe): in a directory, merge reads regular files only")
	}
	return fmt.Errorf("not a regular file (%s)", boundedfile.Kind(mode))
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
