// Package agent reads the settings of the Azure Connected Machine agent installed on this server, by
// running azcmagent, so that a check can test exactly the path the agent uses: its cloud, region,
// connection mode, proxy, proxy bypass and installed extensions. It knows the agent's command line and
// output shapes; it knows nothing about probing, flags or output formats.
package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultTimeout bounds each azcmagent command.
const DefaultTimeout = 3 * time.Second

// Options say how to find and run azcmagent. The zero value runs the real one found on PATH or at its
// documented install location.
type Options struct {
	// Getenv reads the environment (PATH, ProgramW6432); nil means os.Getenv.
	Getenv func(string) string
	// GOOS is the operating system ("linux", "windows"); "" means the one running.
	GOOS string
	// Timeout bounds each command; zero means DefaultTimeout.
	Timeout time.Duration
	// Run runs a command and returns its standard output; nil runs it as a process.
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

func (p Problem) Error() string { return p.Command + ": " + p.Err.Error() }

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

// runProcess runs a command and returns its standard output; the process is killed when ctx ends, and
// the call returns soon after even if a child of it keeps the output open.
func runProcess(ctx context.Context, path string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, path, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.WaitDelay = 100 * time.Millisecond
	err := cmd.Run()
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, fmt.Errorf("no answer within %s", timeoutOf(ctx))
	case ctx.Err() != nil:
		return nil, errors.New("interrupted")
	}
	if err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

type timeoutKey struct{}

func timeoutOf(ctx context.Context) time.Duration {
	d, _ := ctx.Value(timeoutKey{}).(time.Duration)
	return d
}

// read is one command and how to read its answer.
type read struct {
	name  string
	path  string
	args  []string
	parse func(*Settings, []byte) error
}

// Read runs azcmagent show -j, config get proxy.url, config get proxy.bypass and extension list (and,
// on Windows, netsh winhttp show proxy) at once, each within the timeout, and returns what they say.
// A command that fails, hangs or answers something unreadable is a Problem; the rest is still used.
func Read(ctx context.Context, path string, o Options) (Settings, []Problem) {
	o = o.withDefaults()
	s := Settings{Path: path, OS: o.GOOS}
	reads := []read{
		{"azcmagent show -j", path, []string{"show", "-j"}, parseShow},
		{"azcmagent config get proxy.url", path, []string{"config", "get", "proxy.url"}, parseProxyURL},
		{"azcmagent config get proxy.bypass", path, []string{"config", "get", "proxy.bypass"}, parseBypass},
		{"azcmagent extension list", path, []string{"extension", "list"}, parseExtensions},
	}
	if o.GOOS == "windows" {
		reads = append(reads, read{"netsh winhttp show proxy", "netsh", []string{"winhttp", "show", "proxy"}, parseWinHTTP})
	}
	outs := make([][]byte, len(reads))
	errs := make([]error, len(reads))
	var wg sync.WaitGroup
	for i, r := range reads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(context.WithValue(ctx, timeoutKey{}, o.Timeout), o.Timeout)
			defer cancel()
			outs[i], errs[i] = o.Run(cctx, r.path, r.args...)
		}()
	}
	wg.Wait()
	var problems []Problem
	s.ProxyKnown = true
	for i, r := range reads {
		err := errs[i]
		if err == nil {
			err = r.parse(&s, outs[i])
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

// parseShow reads azcmagent show -j: a JSON object whose keys are read case-insensitively.
func parseShow(s *Settings, out []byte) error {
	var raw map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(out), &raw); err != nil {
		return fmt.Errorf("not a JSON object (%s)", describe(out))
	}
	get := func(key string) string {
		for k, v := range raw {
			if strings.EqualFold(k, key) {
				if str, ok := v.(string); ok {
					return strings.TrimSpace(str)
				}
			}
		}
		return ""
	}
	s.Version, s.Status = get("agentVersion"), get("status")
	s.Cloud, s.Location = get("cloud"), get("location")
	s.GatewayURL, s.PrivateLinkScope = get("gatewayUrl"), get("privateLinkScope")
	s.HTTPSProxy, s.UpstreamProxy = get("httpsProxy"), get("upstreamProxy")
	return nil
}

// parseProxyURL reads azcmagent config get proxy.url: the value alone, or nothing when it is not set.
func parseProxyURL(s *Settings, out []byte) error {
	v := strings.Trim(strings.TrimSpace(string(out)), `"`)
	if strings.ContainsAny(v, "\n\r\t ") {
		return fmt.Errorf("not a single value (%s)", describe(out))
	}
	s.ProxyURL = v
	return nil
}

var bypassItem = regexp.MustCompile(`^[A-Za-z]+$`)

// parseBypass reads azcmagent config get proxy.bypass: categories as "[AAD, ARM]", `["AAD","ARM"]`,
// "AAD,ARM" or one a line; "[]" or nothing when none.
func parseBypass(s *Settings, out []byte) error {
	v := strings.TrimSpace(string(out))
	v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
	for _, item := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		item = strings.Trim(item, `"'`)
		if !bypassItem.MatchString(item) {
			return fmt.Errorf("an item is not a proxy bypass category (%s)", describe(out))
		}
		s.ProxyBypass = append(s.ProxyBypass, item)
	}
	return nil
}

// extensionScenarios recognises installed extensions by the names their publishers give them.
var extensionScenarios = []struct {
	pattern  *regexp.Regexp
	scenario string
}{
	{regexp.MustCompile(`(?i)AzureMonitor(Windows|Linux)Agent|\bAMA\b`), "ama"},
	{regexp.MustCompile(`(?i)\bMDE\.(Windows|Linux)\b|MDE\.|DefenderForServers|AzureDefender`), "mde"},
	{regexp.MustCompile(`(?i)(Windows|Linux)Agent\.SqlServer|\bSqlServer\b`), "sql"},
	{regexp.MustCompile(`(?i)AdminCenter`), "wac"},
	{regexp.MustCompile(`(?i)KeyVaultFor(Windows|Linux)|\bKeyVault\b`), "keyvault"},
	{regexp.MustCompile(`(?i)HybridWorker`), "hrw"},
	{regexp.MustCompile(`(?i)(Windows|Linux)PatchExtension|UpdateManagement`), "update"},
}

// parseExtensions reads azcmagent extension list: any text or JSON in which installed extensions are
// named; each recognised name becomes its scenario.
func parseExtensions(s *Settings, out []byte) error {
	for _, line := range strings.Split(string(out), "\n") {
		for _, e := range extensionScenarios {
			if e.pattern.MatchString(line) && !slices.Contains(s.Extensions, e.scenario) {
				s.Extensions = append(s.Extensions, e.scenario)
			}
		}
	}
	slices.Sort(s.Extensions)
	return nil
}

var winHTTPServer = regexp.MustCompile(`(?i)Proxy Server\(s\)\s*:\s*(\S+)`)

// parseWinHTTP reads netsh winhttp show proxy: the proxy server, or "" for direct access.
func parseWinHTTP(s *Settings, out []byte) error {
	if m := winHTTPServer.FindSubmatch(out); m != nil {
		s.WinHTTPProxy = string(m[1])
	}
	return nil
}

// describe says what an unreadable answer was like without quoting it: it may hold a proxy password.
func describe(out []byte) string {
	return fmt.Sprintf("%d bytes on %d lines; not shown, as it may hold a password", len(out), bytes.Count(bytes.TrimSpace(out), []byte("\n"))+1)
}
