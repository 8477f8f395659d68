// Package lazyre compiles a regular expression on its first use rather than at start-up, so that a
// command that never matches it (arccheck --version, list) does not pay for compiling it.
package lazyre

import (
	"regexp"
	"sync"
)

// New returns a function that compiles expr once, on its first call, and returns the compiled
// expression; like regexp.MustCompile it panics if expr is invalid, which the package's tests catch.
func New(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
