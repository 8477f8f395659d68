// Package settings resolves what a run uses: the flags the user gave, the installed Arc agent's
// settings and the environment become one selection of catalog endpoints and one proxy, each setting
// with where it came from, and typed warnings for what was dropped or overridden. It holds no flag names
// and no sentences: cmd names the flags, pkg/report says the warnings.
package settings

import (
	"crypto/x509"
	"slices"

	"github.com/arccheck/arccheck/pkg/agent"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/probe"
)

// Source says where a setting in force came from.
type Source string

// The sources of a setting.
const (
	SourceFlag        Source = "flag"        // the user gave it
	SourceAgent       Source = "agent"       // the installed Arc agent's setting
	SourceEnvironment Source = "environment" // HTTPS_PROXY and the other proxy variables
)

// Input is what a run was given, before anything is resolved.
type Input struct {
	// Selection is the selection the flags make, their defaults included.
	Selection endpoints.Selection
	// Given are the parts of Selection the user gave; the agent's values fill only the others.
	Given map[endpoints.Field]bool
	// Catalog is what the selection selects from; nil resolves no selection (check --catalog none).
	Catalog *endpoints.Catalog
	// Agent is the installed agent's settings; nil when there is none or it is ignored (--agent off).
	Agent *agent.Settings
	// Proxy is the proxy the user gave; nil resolves no proxy (list, which sends no traffic).
	Proxy *ProxyInput
	// Getenv reads the environment's proxy variables; nil reads none.
	Getenv func(string) string
	// Probing is set for a run that probes (check): gateway mode then needs the gateway's URL, as every
	// request goes through the gateway (ErrGatewayURLMissing); a listing may leave it a placeholder.
	Probing bool
}

// ProxyInput is the proxy the user gave.
type ProxyInput struct {
	// Given is set when the user chose the proxy (a URL, or None): the agent's proxy is then not used.
	Given bool
	// URL is the proxy for every target; "" leaves the choice to the agent or the environment.
	URL string
	// None is set when the user asked for no proxy, whatever the agent or the environment says.
	None bool
	// NoProxy, when not nil, is the only bypass list, replacing NO_PROXY.
	NoProxy *string
	// RootCAs loads the CAs that verify an https:// proxy's own certificate; nil when none were given.
	// It is called only when a proxy is in use, and its error is returned as it is.
	RootCAs func() (*x509.CertPool, error)
	// URLSource and NoProxySource name where URL and NoProxy came from (cmd's flag names): they become
	// probe's Proxy.Source and NoProxy.Source, and prefix probe's errors.
	URLSource, NoProxySource string
}

// Plan is what a run uses, resolved, with where each setting came from.
type Plan struct {
	// Endpoints is the catalog's selection; nil when Input.Catalog was nil.
	Endpoints *endpoints.Plan
	// Sources says where each part of the selection the agent can set came from (SourceFlag or
	// SourceAgent); a part left at its default is absent.
	Sources map[endpoints.Field]Source
	// Proxy is the proxy configuration in force; nil means direct.
	Proxy *probe.ProxyConfig
	// ProxySource says who chose Proxy: SourceFlag (a URL, or none), SourceAgent (its proxy, or none),
	// SourceEnvironment; "" when nothing chose one (or the proxy was not resolved).
	ProxySource Source
	// Warnings are what the resolution dropped or overrode, in the order it happened.
	Warnings []Warning
}

// FromAgent lists the parts of the selection taken from the agent, sorted.
func (p *Plan) FromAgent() []endpoints.Field {
	var out []endpoints.Field
	for f, s := range p.Sources {
		if s == SourceAgent {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

// Resolve resolves the selection (when in.Catalog is set) and then the proxy (when in.Proxy is set).
// Its errors are the user's: an *endpoints.SelectionError for a value the user gave (the agent's are
// dropped, with a warning), a *ProxyError, ErrNoProxyUnused, ErrRootCAsUnused, or RootCAs' own error.
func Resolve(in Input) (*Plan, error) {
	p := &Plan{Sources: map[endpoints.Field]Source{}}
	if in.Getenv == nil {
		in.Getenv = func(string) string { return "" }
	}
	if in.Catalog != nil {
		if err := p.resolveSelection(in); err != nil {
			return nil, err
		}
		if e := p.Endpoints; in.Probing && e.Mode == endpoints.ModeGateway && e.GatewayURL == "" {
			return nil, ErrGatewayURLMissing
		}
	}
	if in.Proxy != nil {
		if err := p.resolveProxy(in); err != nil {
			return nil, err
		}
	}
	return p, nil
}
