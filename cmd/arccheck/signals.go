package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
)

// stopSignals end a run like Ctrl-C: what timeout(1), CI runners and systemd send, and a closed terminal.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// signalCause is the cause of the run's context when a signal stopped it.
type signalCause struct{ sig os.Signal }

func (s signalCause) Error() string {
	switch s.sig {
	case os.Interrupt:
		return "interrupted (Ctrl-C)"
	case syscall.SIGTERM:
		return "interrupted by SIGTERM"
	case syscall.SIGHUP:
		return "interrupted by SIGHUP"
	}
	return "interrupted by " + s.sig.String()
}

// signalContext returns a context cancelled, with a signalCause, by the first stop signal. A second
// signal gets the default action (the process ends at once).
func signalContext() context.Context {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, stopSignals...)
	go func() {
		sig := <-ch
		signal.Stop(ch)
		cancel(signalCause{sig})
	}()
	return ctx
}

// interruption is the error of a check stopped through ctx: what stopped it, and its exit code (see
// stopped).
func interruption(ctx context.Context) error {
	return stopped(ctx, "results so far are shown, the rest are marked canceled")
}

// stopped is the error of a command stopped through ctx: what stopped it and what became of the work
// (outcome), and its exit code: 128 plus the signal's number, as a shell reports it (130 for Ctrl-C, 143
// for SIGTERM, 129 for SIGHUP); 130 when no signal is known.
func stopped(ctx context.Context, outcome string) error {
	var sc signalCause
	msg := "interrupted"
	if errors.As(context.Cause(ctx), &sc) {
		msg = sc.Error()
	}
	return &exitError{code: interruptedCode(ctx), err: errors.New(msg + ": " + outcome)}
}

// interruptedCode is the exit code of a run stopped through ctx: 128 plus the signal's number, as a
// shell reports it (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP); 130 when no signal is known.
func interruptedCode(ctx context.Context) int {
	var sc signalCause
	if errors.As(context.Cause(ctx), &sc) {
		if n, ok := sc.sig.(syscall.Signal); ok {
			return 128 + int(n)
		}
	}
	return exitInterrupted
}
