//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// The examples of the README and docs/ cannot drift: TestDocsExamples runs every arccheck command they
// show. In a ```console block, a line "$ command" is run and the lines after it, up to the next "$ " or
// the block's end, are its output, compared (timings aside); `-update` rewrites them from the run. In a
// ```sh block, every line that runs arccheck is run too, and must not be refused (exit 2) or fail as a
// run (3, 4): its output is not shown. Each block runs in a directory of its own, as a server with no
// network but loopback would: in a network namespace of the test's, with a resolv.conf whose DNS server
// cannot be reached and a hosts file that names only localhost, so that every run says the same on
// every machine.

// docFiles are the pages whose examples are run: the README and docs/, but not the generated reference.
func docFiles(t *testing.T) []string {
	t.Helper()
	files := []string{filepath.Join("..", "..", "README.md")}
	pages, err := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	require.NoError(t, err)
	return append(files, pages...)
}

// docExample is a command a page shows: its file and line, and for a console block the lines of output
// shown (from out to end, 0-based, end excluded).
type docExample struct {
	file     string
	line     int
	command  string
	console  bool
	out, end int
	// unlabelled is a block with no language that holds a command: an error (label it console, sh or text).
	unlabelled bool
}

// docBlock is the examples of one fenced block, which share a directory.
type docBlock []docExample

var fence = regexp.MustCompile("^\\s*```(\\w*)")

// parseExamples reads the examples of a page.
func parseExamples(file string, lines []string) []docBlock {
	var blocks []docBlock
	for i := 0; i < len(lines); i++ {
		m := fence.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		end := i + 1
		for end < len(lines) && !fence.MatchString(lines[end]) {
			end++
		}
		var b docBlock
		switch m[1] {
		case "console":
			b = consoleExamples(file, lines, i+1, end)
		case "sh", "bash", "shell":
			b = shellExamples(file, lines, i+1, end)
		case "":
			// A block with no language is run as nothing: it may not hold a command (a "text" block
			// says an example is shown, not run, e.g. one that waits for ever).
			if sh := shellExamples(file, lines, i+1, end); len(sh) > 0 || len(consoleExamples(file, lines, i+1, end)) > 0 {
				b = docBlock{{file: file, line: i + 1, command: "", unlabelled: true}}
			}
		}
		if len(b) > 0 {
			blocks = append(blocks, b)
		}
		i = end
	}
	return blocks
}

func consoleExamples(file string, lines []string, from, to int) docBlock {
	var b docBlock
	for i := from; i < to; i++ {
		cmd, ok := strings.CutPrefix(lines[i], "$ ")
		if !ok {
			continue
		}
		first := i
		for strings.HasSuffix(cmd, "\\") && i+1 < to {
			i++
			cmd = strings.TrimSuffix(cmd, "\\") + "\n" + lines[i]
		}
		out := i + 1
		end := out
		for end < to && !strings.HasPrefix(lines[end], "$ ") {
			end++
		}
		b = append(b, docExample{file: file, line: first + 1, command: cmd, console: true, out: out, end: end})
		i = end - 1
	}
	return b
}

func shellExamples(file string, lines []string, from, to int) docBlock {
	var b docBlock
	for i := from; i < to; i++ {
		cmd := strings.TrimSpace(lines[i])
		first := i
		for strings.HasSuffix(cmd, "\\") && i+1 < to {
			i++
			cmd = strings.TrimSuffix(cmd, "\\") + "\n" + lines[i]
		}
		if runsArccheck(cmd) {
			b = append(b, docExample{file: file, line: first + 1, command: strings.TrimPrefix(cmd, "sudo ")})
		}
	}
	return b
}

// wrappers are what may come before arccheck on a command line: variables, sudo, timeout N.
var wrappers = regexp.MustCompile(`^(\w+=\S*\s+|sudo\s+|timeout\s+\S+\s+)+`)

// runsArccheck reports whether a shell line runs arccheck, after any wrappers.
func runsArccheck(line string) bool {
	line = wrappers.ReplaceAllString(line, "")
	return strings.HasPrefix(line, "arccheck ") || strings.HasPrefix(line, "go run ./cmd/arccheck ")
}

// docTimings are what differs from run to run: durations (TIME, "Took 3ms."), and the padding and
// borders of table columns that their widths change.
var docTimings = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`-{2,}`), "-"},
	{regexp.MustCompile(` {2,}`), " "},
	{regexp.MustCompile(`\| <?\d+(\.\d+)?(ns|µs|ms|s|m) \|`), "| T |"}, // TIME
	{regexp.MustCompile(`Took <?\d+(\.\d+)?(ns|µs|ms|s|m)\.`), "Took T."},
}

func normalizeDoc(s string) string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		for _, r := range docTimings {
			l = r.re.ReplaceAllString(l, r.with)
		}
		out = append(out, strings.TrimRight(l, " "))
	}
	return strings.Join(out, "\n")
}

func TestDocsExamples(t *testing.T) {
	bin := binary(t)
	testnet.RequireNamespaceRoot(t, "the examples run in a network and mount namespace of their own")
	testnet.RequireBinary(t, "unshare", "util-linux")
	ns := testnet.NewNetns(t)
	etc := t.TempDir()
	resolv, hosts := filepath.Join(etc, "resolv.conf"), filepath.Join(etc, "hosts")
	// 192.0.2.53 (TEST-NET-1) has no route in the namespace: every lookup fails at once, the same way.
	require.NoError(t, os.WriteFile(resolv, []byte("nameserver 192.0.2.53\n"), 0o644))
	require.NoError(t, os.WriteFile(hosts, []byte("127.0.0.1 localhost\n::1 localhost\n"), 0o644))
	n := 0
	for _, file := range docFiles(t) {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		lines := strings.Split(string(data), "\n")
		var rewrites []docRewrite
		for _, block := range parseExamples(file, lines) {
			dir := t.TempDir()
			require.NoError(t, os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "docs"))))
			for _, ex := range block {
				if ex.unlabelled {
					t.Errorf("%s:%d: a block with no language holds an arccheck command: label it console or sh (run), or text (shown, not run)",
						filepath.Base(ex.file), ex.line)
					continue
				}
				n++
				got, code := runDocExample(t, ns, bin, dir, resolv, hosts, ex.command)
				where := filepath.Base(ex.file) + ":" + strconv.Itoa(ex.line) + ": " + ex.command
				switch {
				case !ex.console:
					assert.NotContains(t, []int{2, 3, 4}, code, "%s: exit %d: %s", where, code, got)
					// The shell's own complaint: a placeholder such as <id> read as a redirection.
					assert.NotContains(t, got, "bash: ", "%s: the shell refused it as written", where)
				case *update:
					rewrites = append(rewrites, docRewrite{ex.out, ex.end, strings.Split(strings.TrimRight(got, "\n"), "\n")})
				default:
					want := strings.Join(lines[ex.out:ex.end], "\n")
					assert.Equal(t, normalizeDoc(want), normalizeDoc(got), "%s (go test ./cmd/arccheck -run TestDocsExamples -update rewrites it)", where)
				}
			}
		}
		if len(rewrites) > 0 {
			for i := len(rewrites) - 1; i >= 0; i-- { // from the end, so that the lines before stay where they are
				r := rewrites[i]
				lines = append(append(append([]string{}, lines[:r.from]...), r.with...), lines[r.to:]...)
			}
			require.NoError(t, os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o644))
		}
	}
	assert.Greater(t, n, 10, "the pages show examples")
}

// docRewrite is the output of an example to write in place of lines from:to.
type docRewrite struct {
	from, to int
	with     []string
}

// runDocExample runs one example in dir, in the namespace, with its own resolv.conf and hosts, and returns
// what it wrote on stdout and stderr, and its exit code.
func runDocExample(t *testing.T, ns *testnet.Netns, bin, dir, resolv, hosts, command string) (string, int) {
	t.Helper()
	command = strings.Replace(command, "go run ./cmd/arccheck ", "arccheck ", 1)
	script := `mount --bind "$1" /etc/resolv.conf && mount --bind "$2" /etc/hosts && exec bash -o pipefail -c "$3"`
	// An example that does not end in a minute is a broken one (a watch that waits for ever belongs in a
	// text block): it is killed, and fails.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "--mount", "--propagation", "private", "--", "bash", "-o", "pipefail", "-c", script, "_", resolv, hosts, command)
	cmd.WaitDelay = time.Second
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + filepath.Dir(bin) + ":/usr/bin:/bin", "HOME=" + dir, "LANG=C.UTF-8", "NO_COLOR=1", "TERM=dumb",
		"TZ=UTC"}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	var err error
	ns.Run(t, func() { err = cmd.Run() })
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
		require.NotEqual(t, -1, code, "%s: killed (%v): it did not end within a minute", command, ee)
	} else {
		require.NoError(t, err, command)
	}
	return out.String(), code
}

// TestReadmeIsShort: the README says what arccheck is, the two commands, how to install it and the
// commands people run, and points to docs/ for the rest; at most 200 lines.
func TestReadmeIsShort(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	assert.LessOrEqual(t, len(lines), 200, "README.md: move the details to docs/")
	assert.True(t, strings.HasPrefix(lines[3], "go run ./cmd/arccheck check") && strings.HasPrefix(lines[4], "go test ./..."),
		"the README's first lines are the main job and the tests, as CI runs them")
	for _, link := range regexp.MustCompile(`\]\((docs/[^)#]+)`).FindAllStringSubmatch(string(data), -1) {
		_, err := os.Stat(filepath.Join("..", "..", link[1]))
		assert.NoError(t, err, "README.md links to %s", link[1])
	}
}

// TestDocsLinks: every relative link of the README and docs/ names a file that exists.
func TestDocsLinks(t *testing.T) {
	link := regexp.MustCompile(`\]\(([^)#:]+)(#[^)]*)?\)`)
	for _, file := range docFiles(t) {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		for _, m := range link.FindAllStringSubmatch(string(data), -1) {
			_, err := os.Stat(filepath.Join(filepath.Dir(file), m[1]))
			assert.NoError(t, err, "%s links to %s", filepath.Base(file), m[1])
		}
	}
}
