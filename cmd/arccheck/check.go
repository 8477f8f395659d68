package main

import (
	"cmp"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/arccheck/arccheck/pkg/agent"
	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/settings"
)

// checkOptions are the options of `arccheck check`.
type checkOptions struct {
	selectionFlags
	// outputFlags are -o/--output, -j/--json and --no-color (see checkFormats).
	outputFlags
	// FailOn is --fail-on: error (the default) or warning, which makes warnings fail the run too.
	FailOn string
	// Quiet is -q/--quiet: no live progress line.
	Quiet bool
	*globalOptions
	// Timeout is --timeout, per endpoint.
	Timeout time.Duration
	// ConnectTimeout is --connect-timeout, for TCP within Timeout.
	ConnectTimeout time.Duration
	// Concurrency is --concurrency.
	Concurrency int
	// DNSServer is --dns-server.
	DNSServer string
	// Resolve is --resolve HOST:PORT:ADDR, repeatable.
	Resolve []string
	// CAFile is --ca-file, PEM roots trusted besides the system's.
	CAFile string
	// HTTP is --http: also send a request to https endpoints.
	HTTP bool
	// Endpoints is --endpoint URL, repeatable.
	Endpoints []string
	// Catalog is --catalog: embedded, a catalog file, or none.
	Catalog string
	// Proxy is --proxy: a proxy URL, or "none" to ignore the environment.
	Proxy string
	// NoProxy is --no-proxy, overriding NO_PROXY (when given).
	NoProxy string
	// ProxyCAFile is --proxy-ca-file, PEM roots for an https proxy's own certificate.
	ProxyCAFile string
	// PublicRoots is --public-roots, a PEM file that replaces the embedded reference public roots.
	PublicRoots string
	// PLSCheck is -p/--enable-pls-check, azcmagent's name for --mode private-link.
	PLSCheck bool
	// AllAddresses is --all-addresses: TCP and TLS to every address of each name, all of which must pass.
	AllAddresses bool
	// Watch is --watch INTERVAL: rerun the check a round every INTERVAL (a duration) until Ctrl-C.
	Watch string
	// UntilReachable is --until-reachable: with --watch, end on the first round that passes.
	UntilReachable bool
}

func newCheckCmd(e env, g *globalOptions) *cobra.Command {
	opts := &checkOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Probe every endpoint the agent needs and say which are reachable, and why not",
		Example: "  arccheck check -l westeurope\n" +
			"  arccheck check -l westeurope --proxy http://proxy.corp:3128 -e sql,esu\n" +
			"  arccheck check -l westeurope -o json > arc.json          # for a support ticket\n" +
			"  arccheck check -l westeurope -o junit --fail-on warning  # for a CI pipeline\n" +
			"  arccheck check -l westeurope -o prometheus > /var/lib/node_exporter/textfile/arccheck.prom\n" +
			"  arccheck check --catalog none --endpoint https://contoso.example\n" +
			"  arccheck check -l westeurope --watch 30s --until-reachable  # during a change window",
		Long: "check probes every endpoint of the selection concurrently (DNS, TCP, TLS, HTTP) and prints\n" +
			"azcmagent's Reachable table with arccheck's diagnosis of each failure. Exit code 0: every required\n" +
			"endpoint was probed and is reachable; 1: a required endpoint is not (or was not probed, or could not\n" +
			"be named for want of a region: give -l/--location, or the agent's; or a warning with --fail-on\n" +
			"warning); 2: bad input; 3: the report could not be written; 4: another error;\n" +
			"130, 143, 129: interrupted by Ctrl-C, SIGTERM, SIGHUP. --watch INTERVAL reruns the check until\n" +
			"interrupted, or with --until-reachable until a round passes (exit 0); see docs/watch.md.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(opts, e, versionOf(cmd))
		},
	}
	f := cmd.Flags()
	opts.register(f)
	checkFormats.register(cmd, &opts.outputFlags, true)
	f.StringVar(&opts.FailOn, "fail-on", "error", "what fails the run (exit 1): error, or warning to fail on warnings too")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "no live progress line on the terminal")
	f.DurationVar(&opts.Timeout, "timeout", 10*time.Second, "time allowed for each endpoint (all run at once)")
	f.DurationVar(&opts.ConnectTimeout, "connect-timeout", 0, "time allowed for the TCP connect within --timeout (default: --timeout)")
	f.IntVar(&opts.Concurrency, "concurrency", maxConcurrency, fmt.Sprintf("endpoints probed at once (1-%d); the default covers every selection", maxConcurrency))
	f.StringVar(&opts.DNSServer, "dns-server", "", "send DNS lookups to this server, IP[:PORT], instead of the system resolver")
	f.StringArrayVar(&opts.Resolve, "resolve", nil, "HOST:PORT:ADDRESS: connect to ADDRESS for HOST:PORT without DNS (curl's syntax; PORT may be *); repeatable")
	f.StringVar(&opts.CAFile, "ca-file", "", "PEM file of CA certificates to trust besides the system's")
	f.BoolVar(&opts.HTTP, "http", false, "also send an HTTP request to https endpoints and report the status")
	f.StringArrayVar(&opts.Endpoints, "endpoint", nil, "also check this URL (https://host[:port][/path] or a host name); repeatable")
	f.StringVar(&opts.Catalog, "catalog", "embedded", catalogUsage+"; or none to check only --endpoint URLs")
	f.StringVar(&opts.Proxy, "proxy", "", "proxy URL: http://, https://, socks5:// or socks5h://[user:password@]host:port, or none (default: HTTPS_PROXY, as the agent reads it; curl's ALL_PROXY is not used)")
	f.StringVar(&opts.NoProxy, "no-proxy", "", "comma-separated hosts, domains, IPs or CIDRs that bypass the proxy (overrides NO_PROXY)")
	f.StringVar(&opts.ProxyCAFile, "proxy-ca-file", "", "PEM file of CA certificates that verify an https:// proxy's own certificate")
	f.StringSliceVar(&opts.ProxyBypass, "proxy-bypass", nil, "endpoints that bypass the proxy, as the agent's proxy.bypass: "+strings.Join(endpoints.BypassCategories, ", ")+" (comma-separated)")
	f.StringVar(&opts.PublicRoots, "public-roots", "", "PEM file that replaces the embedded public roots used to detect TLS inspection (labs, air-gapped tests)")
	f.BoolVar(&opts.AllAddresses, "all-addresses", false, "also probe TCP and TLS to every A and AAAA address of each name (direct connections); a row passes only when all do")
	f.BoolVarP(&opts.PLSCheck, "enable-pls-check", "p", false, "check that private-link endpoints resolve to private addresses (same as --mode private-link)")
	f.StringVar(&opts.Watch, "watch", "", fmt.Sprintf("rerun the check every `INTERVAL` (a duration of %s or more, e.g. 30s) until Ctrl-C, marking the rows that changed", minWatchInterval))
	f.BoolVar(&opts.UntilReachable, "until-reachable", false, "with --watch: end (exit 0) on the first round where every required endpoint is reachable")
	completeSelection(cmd, &opts.selectionFlags)
	completeValues(cmd, "fail-on", []string{"error", "warning"})
	completeValues(cmd, "proxy-bypass", endpoints.BypassCategories)
	cmd.PreRun = func(cmd *cobra.Command, args []string) {
		opts.changed = cmd.Flags().Changed
	}
	return cmd
}

// maxConcurrency is the default and the most endpoints probed at once: more than any selection holds,
// so that no endpoint waits for a slot, and within the open-file limit Go raises to the hard limit at
// start-up on Unix.
const maxConcurrency = 1024

// checkRun is a validated check: everything the run needs, built before any traffic is sent.
type checkRun struct {
	// resolved is the selection and proxy in force, with their sources and the warnings to say.
	resolved *settings.Plan
	extra    []endpoints.Target
	prober   probe.Options
	format   *outputFormat[checkOutput]
	settings report.Settings
	// agent is the installed agent's facts for the agent's own rules; nil when there is none.
	agent *agent.Settings
	// watch is --watch's interval; zero runs the check once.
	watch time.Duration
}

// plan is the selection in force; nil before the settings are resolved.
func (r *checkRun) plan() *endpoints.Plan {
	if r.resolved == nil {
		return nil
	}
	return r.resolved.Endpoints
}

// validate checks every option and builds the run; it changes nothing in o. a is the installed agent
// (nil when there is none or --agent off).
func (o *checkOptions) validate(getenv func(string) string, version string, a *agent.Settings) (*checkRun, error) {
	run := &checkRun{agent: a}
	var err error
	if run.format, err = checkFormats.choose(o.outputFlags, o.given("output")); err != nil {
		return nil, err
	}
	if o.FailOn != "error" && o.FailOn != "warning" {
		return nil, badInput("--fail-on: unknown value %q (valid: error, warning)", o.FailOn)
	}
	if err := o.validateLimits(); err != nil {
		return nil, err
	}
	if run.watch, err = o.watchInterval(); err != nil {
		return nil, err
	}
	in := settings.Input{Agent: a, Getenv: getenv, Probing: true}
	if in.Selection, in.Catalog, err = o.catalogInput(); err != nil {
		return nil, err
	}
	in.Given = o.givenFields()
	if run.extra, err = o.extraEndpoints(); err != nil {
		return nil, err
	}
	if run.prober, err = o.proberOptions(version); err != nil {
		return nil, err
	}
	if in.Proxy, err = o.proxyInput(); err != nil {
		return nil, err
	}
	if run.resolved, err = settings.Resolve(in); err != nil {
		return nil, settingsError(err)
	}
	run.prober.Proxy = run.resolved.Proxy
	run.settings = o.settings(run)
	return run, nil
}

func (o *checkOptions) validateLimits() error {
	switch {
	case o.Timeout <= 0:
		return badInput("--timeout: must be positive, got %s (e.g. 10s)", o.Timeout)
	case o.ConnectTimeout < 0:
		return badInput("--connect-timeout: must not be negative, got %s (0 means --timeout)", o.ConnectTimeout)
	case o.Concurrency < 1 || o.Concurrency > maxConcurrency:
		return badInput("--concurrency: must be 1 to %d, got %d", maxConcurrency, o.Concurrency)
	case o.ConnectTimeout > o.Timeout:
		return badInput("--connect-timeout: %s is longer than --timeout %s; it must fit within it", o.ConnectTimeout, o.Timeout)
	}
	return nil
}

// catalogInput is the selection the flags make and the catalog it selects from: none with --catalog none.
func (o *checkOptions) catalogInput() (endpoints.Selection, *endpoints.Catalog, error) {
	sel, err := o.selection()
	if err != nil {
		return sel, nil, err
	}
	if o.PLSCheck {
		if o.Mode != "" && o.Mode != string(endpoints.ModePrivateLink) {
			return sel, nil, badInput("-p/--enable-pls-check: conflicts with --mode %s (it means --mode private-link)", o.Mode)
		}
		sel.Mode = endpoints.ModePrivateLink
	}
	if o.Catalog == "none" {
		if len(o.Endpoints) == 0 {
			return sel, nil, badInput("--catalog none: give the endpoints to check with --endpoint URL")
		}
		if name, ok := o.givenSelectionFlag(); ok {
			return sel, nil, badInput("--%s: selects catalog endpoints, which --catalog none leaves out; drop one of them", name)
		}
		return sel, nil, nil
	}
	cat, err := loadCatalog(o.Catalog)
	return sel, cat, err
}

func (o *checkOptions) extraEndpoints() ([]endpoints.Target, error) {
	var extra []endpoints.Target
	for _, raw := range o.Endpoints {
		t, err := endpoints.ParseTarget(raw)
		if err != nil {
			return nil, badInput("--endpoint: %v", err)
		}
		extra = append(extra, t)
	}
	return extra, nil
}

// proberOptions turns the probing flags into probe options (all but the proxy).
func (o *checkOptions) proberOptions(version string) (probe.Options, error) {
	po := probe.Options{Timeout: o.Timeout, ConnectTimeout: o.ConnectTimeout, HTTPS: o.HTTP, AllAddresses: o.AllAddresses,
		UserAgent: "arccheck/" + strings.TrimPrefix(version, "v"), ReferenceRoots: probe.PublicRoots()}
	var err error
	if o.DNSServer != "" {
		if po.Resolver, err = probe.NewServerResolver(o.DNSServer); err != nil {
			return po, badInput("--dns-server: %v", err)
		}
	}
	for _, s := range o.Resolve {
		key, addrs, err := probe.ParseOverride(s)
		if err != nil {
			return po, badInput("--resolve: %v", err)
		}
		if po.Overrides == nil {
			po.Overrides = probe.Overrides{}
		}
		po.Overrides[key] = addrs
	}
	if o.CAFile != "" {
		certs, err := readCerts(o.CAFile) // read and checked now; the system's store as the run starts (probe.RootSet)
		if err != nil {
			return po, badInput("--ca-file: %v", err)
		}
		po.RootCAs = probe.SystemRootsWith(certs...)
	}
	if o.PublicRoots != "" {
		certs, err := readCerts(o.PublicRoots)
		if err != nil {
			return po, badInput("--public-roots: %v", err)
		}
		po.ReferenceRoots = probe.NewRootSet(certs...)
	}
	return po, nil
}

// settings records how the check runs, for the JSON report. It never holds a password: endpoints are
// the parsed URLs and proxies are shown by their String form.
func (o *checkOptions) settings(run *checkRun) report.Settings {
	s := report.Settings{Proxy: o.proxySetting(run.resolved), PublicRoots: cmp.Or(o.PublicRoots, "embedded"), Catalog: o.Catalog,
		TimeoutMs: o.Timeout.Milliseconds(), ConnectTimeout: o.ConnectTimeout.Milliseconds(),
		Concurrency: o.Concurrency, DNSServer: o.DNSServer, Resolve: o.Resolve, CAFile: o.CAFile, HTTP: o.HTTP,
		AllAddresses: o.AllAddresses, Sources: report.SettingSources(run.resolved), Agent: agentJSON(run.agent)}
	for _, t := range run.extra {
		s.Endpoints = append(s.Endpoints, t.URL)
	}
	if run.plan() != nil {
		sel := report.NewSelectionJSON(run.plan())
		s.Selection = &sel
		s.ProxyBypass = run.plan().ProxyBypass
		s.Catalog, s.CatalogSHA256 = run.plan().Catalog.Name, run.plan().Catalog.SHA256
	}
	return s
}

func runCheck(o *checkOptions, e env, version string) error {
	a, err := o.installedAgent(e)
	if err != nil {
		return err
	}
	run, err := o.validate(e.Getenv, version, a)
	if err != nil {
		return err
	}
	if run.watch > 0 {
		return newWatch(o, e, version, run).loop()
	}
	if err := announce(e, run, run.format.isTable()); err != nil {
		return err
	}
	rep := check.Run(e.Context, o.runOptions(e, run))
	warnUnusedOverrides(e, run, rep)
	if err := run.format.writeOut(e, version, o.NoColor, o.output(run, rep)); err != nil {
		return err
	}
	sayRegionMissing(e, run, rep)
	return o.outcome(e, rep)
}

// output is what check writes of a run's report.
func (o *checkOptions) output(run *checkRun, rep *check.Report) checkOutput {
	return checkOutput{rep: rep, settings: run.settings, failOnWarning: o.FailOn == "warning"}
}

// announce says, once before any traffic, what resolving the settings warned of and the NO_PROXY entries
// left out; agentLine puts the line naming the agent's settings on stdout, above a table.
func announce(e env, run *checkRun, agentLine bool) error {
	if err := reportSettings(e, run.resolved, run.agent, agentLine); err != nil {
		return err
	}
	if c := run.prober.Proxy; c != nil && c.NoProxy != nil {
		for _, entry := range c.NoProxy.Skipped {
			fmt.Fprintf(e.Stderr, "arccheck: warning: %s entry %q is no host, domain, IP or CIDR; it matches nothing (as in curl and Go) and is left out\n",
				c.NoProxy.Source, entry)
		}
	}
	return nil
}

// warnUnusedOverrides says which --resolve entries matched no endpoint of the run.
func warnUnusedOverrides(e env, run *checkRun, rep *check.Report) {
	for _, key := range check.UnusedOverrides(run.prober.Overrides, rep) {
		fmt.Fprintf(e.Stderr, "arccheck: warning: --resolve %s matches no endpoint of this run\n", key)
	}
}

// sayRegionMissing says on stderr, under a format for machines, that required patterns need a region:
// the summaries of the formats for people say it; for a file a job writes, its log says it too.
func sayRegionMissing(e env, run *checkRun, rep *check.Report) {
	if line := report.RegionMissingLine(rep); line != "" && run.format.audience == forMachines {
		fmt.Fprintln(e.Stderr, "arccheck: "+line)
	}
}

// outcome is the run's exit: interrupted; failed as a run (out of local resources: no verdict on the
// network); a required endpoint not reachable (or, with --fail-on warning, a warning); or success.
func (o *checkOptions) outcome(e env, rep *check.Report) error {
	switch n := rep.LocalExhausted(); {
	case rep.Interrupted:
		return interruption(e.Context)
	case n > 0:
		return &exitError{code: exitRuntime, err: fmt.Errorf("this machine ran out of file descriptors or buffers: %d "+
			"endpoints have no verdict (local_resources); raise the open-files limit (ulimit -n, LimitNOFILE=) or lower --concurrency", n)}
	case !rep.Passed(o.FailOn == "warning"):
		return &exitError{code: exitUnreachable}
	}
	return nil
}

// runOptions wires the run to the terminal: -v prints each result on stderr as it comes; on a terminal
// (and without -q) a live progress line shows how far the run is, until the run ends.
func (o *checkOptions) runOptions(e env, run *checkRun) check.Options {
	opts := check.Options{Plan: run.plan(), Extra: run.extra, Prober: probe.New(run.prober), Concurrency: o.Concurrency,
		Agent: run.agent}
	if o.changed == nil || !o.changed("concurrency") {
		opts.Concurrency = min(o.Concurrency, fdConcurrency()) // the default fits the open-file limit
	}
	var mu sync.Mutex
	var live *progress
	if e.StderrIsTerminal && !o.Quiet && !o.Verbose {
		live = startProgress(e.Stderr, e.StderrWidth)
		opts.Queued = live.queued
		opts.Done = live.end
	}
	opts.Progress = func(r check.Result) {
		if live != nil {
			live.result(r)
		}
		if o.Verbose {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintln(e.Stderr, "arccheck: "+report.ProgressLine(&r))
		}
	}
	return opts
}
