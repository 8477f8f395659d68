package endpoints

import "testing"

// TestPatternsCompile compiles every lazily compiled pattern of the package, which a command would
// otherwise meet only on the path that uses it.
func TestPatternsCompile(t *testing.T) {
	hostname()
	pageID()
	for _, v := range Values {
		v.valid()
	}
}
