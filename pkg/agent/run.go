package agent

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"time"

	"github.com/arccheck/arccheck/internal/bytesize"
)

// The bounds of one command's output. The real answers are a few KB; a command that writes more is
// stopped at once, with its children, and nothing it wrote is used.
const (
	// MaxOutput bounds what one command may write on stdout.
	MaxOutput = 1 << 20
	// MaxStderr bounds what one command may write on stderr.
	MaxStderr = 64 << 10
)

// OutputLimitError is a command that wrote more than its limit on stdout or stderr: it was stopped,
// with its children, and nothing it wrote is used.
type OutputLimitError struct {
	// Stream is "stdout" or "stderr".
	Stream string
	// Limit is the number of bytes it may write there: MaxOutput or MaxStderr.
	Limit int
}

func (e *OutputLimitError) Error() string {
	return fmt.Sprintf("wrote more than %s on %s: not the agent's answer", bytesize.Words(int64(e.Limit)), e.Stream)
}

// waitDelay is how long a command's pipes are still read after it exited or was killed, for a child
// that keeps them open (exec.Cmd.WaitDelay). It comes out of the command's timeout, a quarter of it at
// most, so that the timeout bounds reading and waiting too.
const waitDelay = 200 * time.Millisecond

// cappedBuffer keeps what a command writes on one stream, up to limit bytes. The write that would pass
// the limit keeps nothing, stops the command (stop's cause is an *OutputLimitError) and fails, which
// ends the copy from the pipe. It has no ReadFrom, so that exec copies through Write, 32 KiB at a time.
type cappedBuffer struct {
	buf    bytes.Buffer
	limit  int
	stream string
	stop   context.CancelCauseFunc
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if c.buf.Len()+len(p) > c.limit {
		err := &OutputLimitError{Stream: c.stream, Limit: c.limit}
		c.stop(err)
		return 0, err
	}
	return c.buf.Write(p)
}

// runProcess runs a command and returns its standard output. The command runs in a process tree of
// its own (a process group on unix, a job object on windows) that is killed whole when ctx ends, a
// little before ctx's deadline so that reading and waiting fit in it, or when the command writes more
// than MaxOutput on stdout or MaxStderr on stderr. A command that exits 0 is answered at the latest
// waitDelay after it exits, even when a child it left behind still holds its output; that child is
// then killed too (see tree.release).
func runProcess(ctx context.Context, path string, args ...string) ([]byte, error) {
	delay := waitDelay
	if deadline, ok := ctx.Deadline(); ok {
		delay = max(time.Millisecond, min(waitDelay, time.Until(deadline)/4)) // never 0: 0 waits for ever
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadlineCause(ctx, deadline.Add(-delay), ErrNoAnswer)
		defer cancel()
	}
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)

	stdout := &cappedBuffer{limit: MaxOutput, stream: "stdout", stop: stop}
	stderr := &cappedBuffer{limit: MaxStderr, stream: "stderr", stop: stop}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = delay
	var t tree
	t.prepare(cmd)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	t.started(cmd)
	err := cmd.Wait()
	t.release()
	return result(ctx, stdout.buf.Bytes(), stderr.buf.Bytes(), err)
}

// result is a finished command's answer, or why there is none: too much output, a timeout, the
// caller's context, or a failure with the last line it wrote on stderr.
func result(ctx context.Context, stdout, stderr []byte, err error) ([]byte, error) {
	cause := context.Cause(ctx)
	var limit *OutputLimitError
	switch {
	case errors.As(cause, &limit):
		return nil, limit
	case err == nil, errors.Is(err, exec.ErrWaitDelay):
		// Exited 0: the answer is whole, though a child it left may have held the pipe open.
		return stdout, nil
	case errors.Is(cause, ErrNoAnswer):
		return nil, ErrNoAnswer
	case cause != nil:
		return nil, interrupted(cause)
	}
	if words := lastWords(stderr); words != "" {
		return nil, fmt.Errorf("%w (stderr: %s)", err, words)
	}
	return nil, err
}
