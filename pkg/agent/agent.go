// Package agent reads the settings of the Azure Connected Machine agent installed on this server, by
// running azcmagent, so that a check can test exactly the path the agent uses: its cloud, region,
// connection mode, proxy, proxy bypass and installed extensions. It knows the agent's command line and
// output shapes; it knows nothing about probing, flags or output formats. Nothing the agent says is
// trusted: each command is bounded in time (Options.Timeout) and output (MaxOutput, MaxStderr), runs
// in a process tree that is killed whole, and what is kept of its words is escaped and bounded
// (MaxValue, MaxQuote).
package agent

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/arccheck/arccheck/internal/safetext"
)

// DefaultTimeout bounds each azcmagent command, from its start to the last byte of its answer read:
// the 3 seconds the README promises.
const DefaultTimeout = 3 * time.Second

// Options say how to find and run azcmagent. The zero value runs the real one found on PATH or at its
// documented install location.
type Options struct {
	// Getenv reads the environment (PATH, ProgramW6432); nil means os.Getenv.
	Getenv func(string) string
	// GOOS is the operating system ("linux", "windows"); "" means the one running.
	GOOS string
	// Timeout bounds each command, reading and waiting included; zero means DefaultTimeout.
	Timeout time.Duration
	// Run runs a command and returns its standard output, stopping when ctx ends; nil runs it as a
	// process, bounded as runProcess says. An answer longer than MaxOutput is refused either way.
	Run func(ctx context.Context, path string, args ...string) ([]byte, error)
}

// Settings are what the agent says about itself. Empty fields are settings it did not report.
type Settings struct {
	// Path is the azcmagent that was run.
	Path string
	// Version and Status are the agent's version and connection status ("Connected").
	Version, Status string
	// OS is the operating system the agent runs on ("windows", "linux"): this machine's, since
	// azcmagent is the local agent.
	OS string
	// Cloud and Location are the agent's cloud (AzureCloud, …) and the server's region.
	Cloud, Location string
	// GatewayURL is set in gateway mode; PrivateLinkScope when the agent uses a Private Link Scope.
	GatewayURL, PrivateLinkScope string
	// HTTPSProxy is the proxy the agent uses (in gateway mode, the local Arc proxy); UpstreamProxy is
	// the enterprise proxy behind the gateway's local proxy.
	HTTPSProxy, UpstreamProxy string
	// ProxyURL is the agent's own proxy.url setting; ProxyBypass its proxy.bypass categories.
	ProxyURL    string
	ProxyBypass []string
	// Extensions are the installed extensions as scenarios (ama, mde, sql, …), sorted.
	Extensions []string
	// ProxyKnown is set when the commands that say which proxy the agent uses (show -j and config get
	// proxy.url) were both read: only then is an empty proxy the agent's word that it uses none.
	ProxyKnown bool
	// WinHTTPProxy is Windows' system proxy (netsh winhttp show proxy), which Windows uses for
	// certificate revocation checks though the agent does not; "" when direct or not on Windows.
	WinHTTPProxy string
}

// arcProxyPort is where the agent's own local Arc proxy listens in gateway mode.
const arcProxyPort = "40343"

// UsedProxy is the proxy the agent uses, as it chooses it, beyond its own local Arc proxy: in gateway
// mode the enterprise proxy behind that local proxy, else the proxy it reports using, else its
// proxy.url setting. "" means none.
func (s Settings) UsedProxy() string {
	if s.GatewayURL != "" {
		return s.UpstreamProxy
	}
	for _, p := range []string{s.HTTPSProxy, s.ProxyURL} {
		if p != "" && !isArcProxy(p) {
			return p
		}
	}
	return ""
}

// isArcProxy tells whether p is the agent's local Arc proxy on this machine.
func isArcProxy(p string) bool {
	u, err := url.Parse(p)
	return err == nil && u.Port() == arcProxyPort && slices.Contains([]string{"localhost", "127.0.0.1", "::1"}, u.Hostname())
}

// Problem is a part of the agent's settings that could not be read: the command and why.
type Problem struct {
	Command string
	Err     error
}

// Error is one line, safe to show: whatever Err says is escaped.
func (p Problem) Error() string { return p.Command + ": " + safetext.Line(p.Err.Error()) }

// Unwrap lets errors.Is and errors.As see Err (ErrNoAnswer, *OutputLimitError, context.Canceled).
func (p Problem) Unwrap() error { return p.Err }

// ErrNotFound is returned by Find when azcmagent is not installed: the normal case before onboarding.
var ErrNotFound = errors.New("azcmagent is not installed")

// Find returns the path of azcmagent: on PATH, or at its documented install location
// (%ProgramW6432%\AzureConnectedMachineAgent\azcmagent.exe on Windows, /opt/azcmagent/bin/azcmagent
// on Linux).
func Find(o Options) (string, error) {
	o = o.withDefaults()
	name := "azcmagent"
	if o.GOOS == "windows" {
		name = "azcmagent.exe"
	}
	for _, dir := range filepath.SplitList(o.Getenv("PATH")) {
		if p := filepath.Join(dir, name); dir != "" && isExecutable(p) {
			return p, nil
		}
	}
	for _, p := range installLocations(o) {
		if isExecutable(p) {
			return p, nil
		}
	}
	return "", ErrNotFound
}

func installLocations(o Options) []string {
	if o.GOOS == "windows" {
		if pf := o.Getenv("ProgramW6432"); pf != "" {
			return []string{filepath.Join(pf, "AzureConnectedMachineAgent", "azcmagent.exe")}
		}
		return nil
	}
	return []string{"/opt/azcmagent/bin/azcmagent"}
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && (fi.Mode()&0o111 != 0 || strings.HasSuffix(p, ".exe"))
}

func (o Options) withDefaults() Options {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.GOOS == "" {
		o.GOOS = runtime.GOOS
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Run == nil {
		o.Run = runProcess
	}
	return o
}

// ErrNoAnswer is a command that did not answer within the timeout: it was stopped, with its children.
var ErrNoAnswer = errors.New("no answer")

// stopGrace is how long Read still waits for a command after its timeout, or after the caller's
// context ended, for it to be stopped; a command not back by then is left to end on its own.
const stopGrace = 100 * time.Millisecond

// read is one command and how to read its answer.
type read struct {
	name  string
	path  string
	args  []string
	parse func(*Settings, []byte) error
}

// answer is what one command returned.
type answer struct {
	i   int
	out []byte
	err error
}

// Read runs azcmagent show -j, config get proxy.url, config get proxy.bypass and extension list (and,
// on Windows, netsh winhttp show proxy) at once, each within the timeout, and returns what they say.
// A command that fails, hangs, writes more than MaxOutput or answers something unreadable is a
// Problem; the rest is still used. Read returns at the latest shortly after the timeout, or shortly
// after ctx ends.
func Read(ctx context.Context, path string, o Options) (Settings, []Problem) {
	o = o.withDefaults()
	reads := []read{
		{"azcmagent show -j", path, []string{"show", "-j"}, parseShow},
		{"azcmagent config get proxy.url", path, []string{"config", "get", "proxy.url"}, parseProxyURL},
		{"azcmagent config get proxy.bypass", path, []string{"config", "get", "proxy.bypass"}, parseBypass},
		{"azcmagent extension list", path, []string{"extension", "list"}, parseExtensions},
	}
	if o.GOOS == "windows" {
		reads = append(reads, read{"netsh winhttp show proxy", "netsh", []string{"winhttp", "show", "proxy"}, parseWinHTTP})
	}
	answers := make(chan answer, len(reads)) // buffered: a command given up on never blocks
	for i, r := range reads {
		go func() {
			cctx, cancel := context.WithTimeoutCause(ctx, o.Timeout, ErrNoAnswer)
			defer cancel()
			out, err := o.Run(cctx, r.path, r.args...)
			answers <- answer{i, out, checkAnswer(cctx, out, err, o.Timeout)}
		}()
	}
	got := collect(ctx, answers, len(reads), o.Timeout)

	s := Settings{Path: path, OS: o.GOOS, ProxyKnown: true}
	var problems []Problem
	for i, r := range reads {
		err := got[i].err
		if err == nil {
			err = r.parse(&s, got[i].out)
		}
		if err != nil {
			problems = append(problems, Problem{Command: r.name, Err: err})
			if i < 2 { // show -j, config get proxy.url
				s.ProxyKnown = false
			}
		}
	}
	return s, problems
}

// checkAnswer is the error of a command's answer: its own, or the timeout's, or that it is too long
// (a Run other than the process's own may return more than MaxOutput).
func checkAnswer(ctx context.Context, out []byte, err error, timeout time.Duration) error {
	var limit *OutputLimitError
	switch {
	case err == nil && len(out) > MaxOutput:
		return &OutputLimitError{Stream: "stdout", Limit: MaxOutput}
	case err == nil, errors.As(err, &limit):
		return err
	case errors.Is(err, ErrNoAnswer), errors.Is(context.Cause(ctx), ErrNoAnswer):
		return noAnswer(timeout)
	case ctx.Err() != nil && !errors.Is(err, context.Cause(ctx)):
		return interrupted(context.Cause(ctx))
	}
	return err
}

func noAnswer(timeout time.Duration) error { return fmt.Errorf("%w within %s", ErrNoAnswer, timeout) }

// interrupted is the error of a command stopped because the caller's context ended.
func interrupted(cause error) error { return fmt.Errorf("interrupted: %w", cause) }

// collect waits for n answers, but no longer than the timeout, or than the caller's context, and a
// grace each: a command not back by then has the error it would have had.
func collect(ctx context.Context, answers <-chan answer, n int, timeout time.Duration) []answer {
	got := make([]answer, n)
	back := make([]bool, n)
	giveUp := time.NewTimer(timeout + stopGrace)
	defer giveUp.Stop()
	done := ctx.Done()
	for left := n; left > 0; {
		select {
		case a := <-answers:
			got[a.i], back[a.i] = a, true
			left--
		case <-done:
			done = nil
			giveUp.Reset(stopGrace)
		case <-giveUp.C:
			err := noAnswer(timeout)
			if ctx.Err() != nil {
				err = interrupted(context.Cause(ctx))
			}
			for i := range got {
				if !back[i] {
					got[i] = answer{i: i, err: err}
				}
			}
			return got
		}
	}
	return got
}
