package main

// Output rules: the report goes to stdout, and a report that could not be written in full is exit 3 with
// one line on stderr, whichever command wrote it and however (a renderer, cobra's help, --version, a
// completion script). Everything on stderr is escaped, since much of it quotes a peer: a certificate's
// name, a proxy's status line, an agent's message, a file name.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/arccheck/arccheck/internal/safetext"
)

// errStdoutClosed is the write error of a stdout that was closed when arccheck started.
var errStdoutClosed = errors.New("stdout is closed")

// systemStdout is the process's stdout for commands: os.Stdout, or, when stdout was closed at start, a
// writer that fails with errStdoutClosed. It also makes a write to a broken pipe fail with EPIPE instead
// of killing the process with SIGPIPE, so that the failure is said and has its exit code.
func systemStdout() io.Writer {
	notifySIGPIPE()
	if stdoutClosed() {
		return closedStdout{}
	}
	return os.Stdout
}

// closedStdout is a stdout that was closed at start: every write fails.
type closedStdout struct{}

func (closedStdout) Write([]byte) (int, error) { return 0, errStdoutClosed }

// stdoutWriter is the stdout commands write to. It records the first write error (a short write is
// one), and every later write fails with that error without writing, so that nothing is written after
// a gap and Execute can report the failure even when the writer ignored the error.
type stdoutWriter struct {
	mu  sync.Mutex
	w   io.Writer
	err error
}

func (s *stdoutWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	s.err = err
	return n, err
}

// failed is the first write error, nil when every write succeeded.
func (s *stdoutWriter) failed() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// withStdoutFailure is the error of a command once its stdout is judged: a write that failed makes it
// exit 3 when the command said nothing more specific, i.e. it succeeded, failed with nothing to say (exit
// 1: its verdict never reached the reader), or returned the write error itself untyped (cobra's
// completion).
func withStdoutFailure(err error, out *stdoutWriter) error {
	werr := out.failed()
	if werr == nil {
		return err
	}
	var ee *exitError
	typed := errors.As(err, &ee)
	if err == nil || typed && ee.err == nil || !typed && errors.Is(err, werr) {
		return &exitError{code: exitWriteFailed, err: fmt.Errorf("writing to stdout: %w", pathError(werr))}
	}
	return err
}

// stderrWriter escapes what it writes with safetext.Escape, line by line (a newline stays a newline):
// no text on stderr can move the cursor, clear the screen, ring the bell or reorder what is read.
type stderrWriter struct{ w io.Writer }

func (s stderrWriter) Write(p []byte) (int, error) {
	lines := bytes.Split(p, []byte{'\n'})
	for i, l := range lines {
		lines[i] = []byte(safetext.Escape(string(l)))
	}
	if _, err := s.w.Write(bytes.Join(lines, []byte{'\n'})); err != nil {
		return 0, err
	}
	return len(p), nil
}

// rawStderr is the stream under an escaping stderr, for the live progress line: it draws with control
// sequences of its own, and escapes the text it shows itself.
func rawStderr(w io.Writer) io.Writer {
	if s, ok := w.(stderrWriter); ok {
		return s.w
	}
	return w
}
