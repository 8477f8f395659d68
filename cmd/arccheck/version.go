package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// devVersion is main.version when no -ldflags "-X main.version=…" set it (go build, go install).
const devVersion = "dev"

// resolveVersion is the version arccheck reports: the one the release build set (.goreleaser.yaml's
// -X main.version={{ .Version }}); else the module's, as `go install …@v1.2.3` or a build in a tagged
// checkout records it; else the commit it was built from ("devel-0123456789ab", "-dirty" with changes not
// committed); else "dev". buildInfo is debug.ReadBuildInfo.
func resolveVersion(set string, buildInfo func() (*debug.BuildInfo, bool)) string {
	if set != devVersion && set != "" {
		return set
	}
	info, ok := buildInfo()
	if !ok {
		return devVersion
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if revision == "" {
		return devVersion
	}
	v := "devel-" + revision[:min(12, len(revision))]
	if modified == "true" {
		v += "-dirty"
	}
	return v
}

// versionAnnotation is the root command's annotation that holds arccheck's version (versionOf).
const versionAnnotation = "arccheck-version"

// versionOf is the version of the arccheck that runs c.
func versionOf(c *cobra.Command) string { return c.Root().Annotations[versionAnnotation] }

// writeVersion prints the version, for `arccheck version` and `arccheck --version`. A failed write is said
// as Execute says every write to stdout that failed.
func writeVersion(c *cobra.Command) error {
	_, err := fmt.Fprintf(c.OutOrStdout(), "arccheck %s\n", versionOf(c))
	return err
}

// newVersionCmd is `arccheck version`: what --version prints.
func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print arccheck's version (as --version does)",
		Args:  noArgs,
		RunE:  func(c *cobra.Command, args []string) error { return writeVersion(c) },
	}
}
