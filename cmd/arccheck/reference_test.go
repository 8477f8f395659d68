package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// referenceDate is the date the man pages carry: the date of the release they describe, set when a
// release changes them (a date from the clock would change them every day).
var referenceDate = time.Date(2026, time.December, 3, 0, 0, 0, 0, time.UTC)

// TestReferenceIsCurrent: docs/reference/ (Markdown) and docs/man/ (man pages) are what cobra's doc
// package generates from the commands, their flags and help: a flag or a help text changed without them
// fails here; `go test ./cmd/arccheck -run TestReferenceIsCurrent -update` rewrites them.
func TestReferenceIsCurrent(t *testing.T) {
	root := referenceRoot()
	for _, kind := range []struct {
		dir string
		gen func(root *cobra.Command, dir string) error
	}{
		{filepath.Join("..", "..", "docs", "reference"), func(root *cobra.Command, dir string) error {
			return doc.GenMarkdownTreeCustom(root, dir, func(string) string { return "" }, func(name string) string { return name })
		}},
		{filepath.Join("..", "..", "docs", "man"), func(root *cobra.Command, dir string) error {
			return doc.GenManTree(root, &doc.GenManHeader{Title: "ARCCHECK", Section: "1", Date: &referenceDate,
				Source: "arccheck", Manual: "arccheck manual"}, dir)
		}},
	} {
		generated := t.TempDir()
		require.NoError(t, kind.gen(root, generated))
		want := readDir(t, generated)
		if *update {
			require.NoError(t, os.RemoveAll(kind.dir))
			require.NoError(t, os.MkdirAll(kind.dir, 0o755))
			for name, content := range want {
				require.NoError(t, os.WriteFile(filepath.Join(kind.dir, name), content, 0o644))
			}
			continue
		}
		got := readDir(t, kind.dir)
		assert.Equal(t, sortedKeys(want), sortedKeys(got), "%s: the pages differ from the commands; rerun with -update", kind.dir)
		for name, content := range want {
			assert.True(t, bytes.Equal(content, got[name]), "%s/%s is not what the commands generate; rerun with -update", kind.dir, name)
		}
	}
}

// referenceRoot is the command tree as a user runs it, with no generation date in the pages.
func referenceRoot() *cobra.Command {
	e := env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Context: context.Background(),
		Getenv: func(string) string { return "" }, Hostname: func() (string, error) { return "host", nil }}
	root := newRootCmd("dev", e)
	var noDate func(c *cobra.Command)
	noDate = func(c *cobra.Command) {
		c.DisableAutoGenTag = true
		for _, sub := range c.Commands() {
			noDate(sub)
		}
	}
	noDate(root)
	return root
}

func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return map[string][]byte{}
	}
	require.NoError(t, err)
	out := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out[e.Name()] = b
	}
	return out
}

func sortedKeys(m map[string][]byte) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
