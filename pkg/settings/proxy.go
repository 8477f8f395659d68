package settings

import (
	"github.com/arccheck/arccheck/pkg/probe"
)

// agentProxyVariables are the variables of a shell's proxy that the Arc agent may not share: a proxy set
// there that the agent does not use is not the agent's path.
var agentProxyVariables = []string{"HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"}

// resolveProxy chooses the proxy: the user's when given; else the agent's, as the agent chooses it (see
// agent.Settings.UsedProxy), when the agent's proxy settings could be read; else the environment's.
func (p *Plan) resolveProxy(in Input) error {
	if a := in.Agent; a != nil && a.ProxyKnown {
		if !in.Proxy.Given {
			return p.agentProxy(in)
		}
		p.compareWithAgent(in.Proxy, a.UsedProxy())
	}
	pi := in.Proxy
	if pi.None {
		p.ProxySource = SourceFlag
		return nil
	}
	cfg, err := probe.ChooseProxy(choice(pi, pi.URL, pi.URLSource), in.Getenv)
	switch {
	case err != nil:
		return &ProxyError{Err: err}
	case cfg == nil && pi.NoProxy != nil:
		return ErrNoProxyUnused
	case pi.Given:
		p.ProxySource = SourceFlag
	case cfg != nil && (cfg.HTTPS != nil || cfg.HTTP != nil):
		p.ProxySource = SourceEnvironment
	}
	return p.useProxy(cfg, pi)
}

// compareWithAgent warns when the proxy the user chose (a URL, or none) is not the one the agent uses.
func (p *Plan) compareWithAgent(pi *ProxyInput, used string) {
	switch {
	case !pi.None && pi.URL == "", pi.None && used == "", sameProxy(pi.URL, used):
		return
	}
	p.Warnings = append(p.Warnings, ProxyDiffers{AgentUsesProxy: used != ""})
}

// agentProxy uses the proxy the installed agent uses. A proxy in the environment that the agent does not
// use is ignored, with a warning; an agent's proxy that cannot be parsed leaves the run direct, with a
// warning: the agent's word is never bad input.
func (p *Plan) agentProxy(in Input) error {
	p.ProxySource = SourceAgent
	used := in.Agent.UsedProxy()
	for _, name := range agentProxyVariables {
		if v := in.Getenv(name); v != "" && !sameProxy(v, used) {
			p.Warnings = append(p.Warnings, EnvironmentProxyIgnored{Variable: name, AgentUsesProxy: used != ""})
			break
		}
	}
	if used == "" {
		return unusedProxyInput(in.Proxy)
	}
	if _, err := probe.ParseProxy(used, string(SourceAgent)); err != nil {
		p.Warnings = append(p.Warnings, AgentProxyUnusable{Err: err})
		return unusedProxyInput(in.Proxy)
	}
	cfg, err := probe.ChooseProxy(choice(in.Proxy, used, string(SourceAgent)), in.Getenv)
	if err != nil {
		return &ProxyError{Err: err} // the user's NoProxy: the agent's URL parsed above
	}
	return p.useProxy(cfg, in.Proxy)
}

// unusedProxyInput refuses a bypass list or proxy CAs given for a run that uses no proxy (the agent's
// path is direct): a value given is honoured or refused, never ignored.
func unusedProxyInput(pi *ProxyInput) error {
	switch {
	case pi.NoProxy != nil:
		return ErrNoProxyUnused
	case pi.RootCAs != nil:
		return ErrRootCAsUnused
	}
	return nil
}

// choice is a proxy URL for every target ("" for the environment's) with the user's NoProxy, if given.
func choice(pi *ProxyInput, url, source string) probe.ProxyChoice {
	return probe.ProxyChoice{URL: url, URLSource: source, NoProxy: pi.NoProxy, NoProxySource: pi.NoProxySource}
}

// useProxy makes cfg the proxy in force, its https:// proxies verifying their certificates with the
// user's RootCAs, if given; RootCAs that no https:// proxy uses are refused rather than ignored.
func (p *Plan) useProxy(cfg *probe.ProxyConfig, pi *ProxyInput) error {
	p.Proxy = cfg
	if pi.RootCAs == nil {
		return nil
	}
	var https []*probe.Proxy
	if cfg != nil {
		for _, px := range []*probe.Proxy{cfg.HTTPS, cfg.HTTP} {
			if px != nil && px.Scheme == "https" {
				https = append(https, px)
			}
		}
	}
	if len(https) == 0 {
		return ErrRootCAsUnused // refused before the file is read: it is not used
	}
	pool, err := pi.RootCAs()
	if err != nil {
		return err
	}
	for _, px := range https {
		px.RootCAs = pool
	}
	return nil
}

// sameProxy compares two proxy URLs by scheme, host and port (never by their credentials).
func sameProxy(a, b string) bool {
	pa, errA := probe.ParseProxy(a, "")
	pb, errB := probe.ParseProxy(b, "")
	return errA == nil && errB == nil && pa.String() == pb.String()
}
