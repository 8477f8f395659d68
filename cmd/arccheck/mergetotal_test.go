package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/bytesize"
)

// withMergeTotal lowers the bound on the bytes one merge reads for the test.
func withMergeTotal(t *testing.T, n int64) {
	old := mergeTotal
	mergeTotal = n
	t.Cleanup(func() { mergeTotal = old })
}

// TestMergeBoundsTheTotalItReads: the reports of one merge together are read up to mergeTotal bytes;
// the file that takes them past it is refused (exit 2, one line naming it and the bound, nothing
// written), a file found in a directory by its size before it is read, a named pipe as it is read.
func TestMergeBoundsTheTotalItReads(t *testing.T) {
	assert.Equal(t, int64(1<<30), mergeTotal, "1 GiB, as docs/bounds.md and the README say")
	assert.Equal(t, "1 GiB", bytesize.Words(maxMergeTotal))
	help := runCLI(t, nil, "merge", "--help")
	assert.Contains(t, strings.Join(strings.Fields(help.stdout), " "), "at most 64 MiB each, 1 GiB and 100000 files in all")

	good := []byte(runCLI(t, nil, "check", "--catalog", "none", "--endpoint", "https://127.0.0.1:1", "--timeout", "2s", "-o", "json").stdout)
	require.NotEmpty(t, good)
	dir := t.TempDir()
	for _, name := range []string{"a.json", "b.json", "c.json"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), good, 0o644))
	}
	size := int64(len(good))

	withMergeTotal(t, 3*size) // exactly the bound: read
	r := runCLI(t, nil, "merge", dir)
	assert.Equal(t, exitUnreachable, r.code, r.stderr)
	assert.Contains(t, r.stdout, "3 reports merged")

	withMergeTotal(t, 3*size-1) // one byte short: the last file is refused before it is read
	r = runCLI(t, nil, "merge", dir)
	assert.Equal(t, exitBadInput, r.code)
	assert.Empty(t, r.stdout)
	assert.Equal(t, fmt.Sprintf("arccheck: merge: %s: with it the reports come to more than %d bytes, the most one merge reads in all\n",
		filepath.Join(dir, "c.json"), 3*size-1), r.stderr)

	// A named pipe has no size to judge: the read stops at what is left of the bound.
	fifo := filepath.Join(t.TempDir(), "piped.json")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	go func() {
		if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			_, _ = w.Write(good)
			w.Close()
		}
	}()
	withMergeTotal(t, 2*size+size/2)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r = runCLIContext(t, ctx, nil, "merge", filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json"), fifo)
	assert.Equal(t, exitBadInput, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	assert.Equal(t, fmt.Sprintf("arccheck: merge: %s: with it the reports come to more than %d bytes, the most one merge reads in all\n",
		fifo, 2*size+size/2), r.stderr)

	// A file over the bound of one report is refused for that, whatever is left of the total.
	big := filepath.Join(t.TempDir(), "big.json")
	require.NoError(t, writeSparse(big, 65<<20))
	withMergeTotal(t, size)
	r = runCLI(t, nil, "merge", big)
	assert.Equal(t, exitBadInput, r.code)
	assert.Equal(t, fmt.Sprintf("arccheck: merge: %s: larger than 64 MiB, the most merge reads of one report (%d bytes)\n", big, 65<<20), r.stderr)
}
