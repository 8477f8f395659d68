package testnet

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"testing"
)

// RunHelperProcess makes this test binary a helper process, a peer a test runs in another process (a
// server whose memory must not count as the client's, say), when the environment variable env is set:
// it runs helper and exits, 0 when helper returned without failing. Otherwise it returns at once. Call
// it from TestMain, before m.Run, so that the helper is no test: it never shows as one, run or skipped.
// helper gets a testing.TB whose failures end the process with their message on stderr, and whose
// Cleanup functions run when helper returns.
func RunHelperProcess(env string, helper func(t testing.TB)) {
	if os.Getenv(env) == "" {
		return
	}
	t := &helperTB{name: env, out: os.Stderr}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	os.Exit(t.run(helper))
}

// helperTB is the testing.TB of a helper process. Every method of testing.TB is its own; the embedded
// interface, always nil, only stands for the one testing keeps unexported.
type helperTB struct {
	testing.TB
	name   string
	out    io.Writer
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	failed   bool
	skipped  bool
	cleanups []func()
}

// run runs helper in a goroutine of its own, as testing does, so that FailNow and SkipNow end it, then
// the cleanups, last registered first; it returns the process's exit status.
func (t *helperTB) run(helper func(testing.TB)) int {
	done := make(chan struct{})
	go func() {
		defer close(done)
		helper(t)
	}()
	<-done
	t.cancel()
	t.mu.Lock()
	cleanups := t.cleanups
	t.cleanups = nil
	t.mu.Unlock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	if t.Failed() {
		return 1
	}
	return 0
}

func (t *helperTB) Name() string             { return t.name }
func (t *helperTB) Helper()                  {}
func (t *helperTB) Context() context.Context { return t.ctx }
func (t *helperTB) Output() io.Writer        { return t.out }
func (t *helperTB) Attr(key, value string)   { t.Logf("attr %s=%s", key, value) }

func (t *helperTB) Log(args ...any) { fmt.Fprintf(t.out, "%s: %s\n", t.name, fmt.Sprint(args...)) }
func (t *helperTB) Logf(format string, args ...any) {
	fmt.Fprintf(t.out, "%s: %s\n", t.name, fmt.Sprintf(format, args...))
}

func (t *helperTB) Fail() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failed = true
}

func (t *helperTB) Failed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failed
}

func (t *helperTB) FailNow()                          { t.Fail(); runtime.Goexit() }
func (t *helperTB) Error(args ...any)                 { t.Log(args...); t.Fail() }
func (t *helperTB) Errorf(format string, args ...any) { t.Logf(format, args...); t.Fail() }
func (t *helperTB) Fatal(args ...any)                 { t.Log(args...); t.FailNow() }
func (t *helperTB) Fatalf(format string, args ...any) { t.Logf(format, args...); t.FailNow() }

// SkipNow ends the helper as FailNow does: a helper that cannot serve has failed its test.
func (t *helperTB) SkipNow() {
	t.mu.Lock()
	t.skipped = true
	t.mu.Unlock()
	t.FailNow()
}

func (t *helperTB) Skip(args ...any)                 { t.Log(args...); t.SkipNow() }
func (t *helperTB) Skipf(format string, args ...any) { t.Logf(format, args...); t.SkipNow() }

func (t *helperTB) Skipped() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.skipped
}

func (t *helperTB) Cleanup(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, f)
}

func (t *helperTB) TempDir() string {
	dir, err := os.MkdirTemp("", "arccheck-helper-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func (t *helperTB) ArtifactDir() string { return t.TempDir() }

func (t *helperTB) Setenv(key, value string) {
	old, had := os.LookupEnv(key)
	if err := os.Setenv(key, value); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if had {
			os.Setenv(key, old)
		} else {
			os.Unsetenv(key)
		}
	})
}

func (t *helperTB) Chdir(dir string) {
	old, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(old) })
}
