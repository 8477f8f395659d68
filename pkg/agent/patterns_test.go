package agent

import "testing"

// TestPatternsCompile compiles every lazily compiled pattern of the package, which a command would
// otherwise meet only on the path that uses it (winHTTPServer on Windows, say).
func TestPatternsCompile(t *testing.T) {
	bypassItem()
	winHTTPServer()
	credentials()
	for _, e := range extensionScenarios {
		e.pattern()
	}
}
