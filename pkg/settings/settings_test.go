package settings

import (
	"crypto/x509"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/agent"
	"github.com/arccheck/arccheck/pkg/endpoints"
)

// outcome is what a test reads of a plan: the selection in force, the proxy, the sources, the warnings.
type outcome struct {
	cloud, location string
	mode            endpoints.Mode
	gateway         string
	scenarios       []string
	bypass          []string
	proxy           string // the https proxy, "" for direct
	proxySource     Source
	sources         map[endpoints.Field]Source
	warnings        []Warning
}

func outcomeOf(p *Plan) outcome {
	o := outcome{proxySource: p.ProxySource, sources: p.Sources, warnings: p.Warnings}
	if ep := p.Endpoints; ep != nil {
		o.cloud, o.location, o.mode, o.gateway, o.scenarios, o.bypass = ep.Cloud.Name, ep.Location, ep.Mode, ep.GatewayURL, ep.Scenarios, ep.ProxyBypass
	}
	if p.Proxy != nil && p.Proxy.HTTPS != nil {
		o.proxy = p.Proxy.HTTPS.String()
	}
	return o
}

// onboarded is an agent in westeurope on AzureCloud, with the proxy given, Arc bypassed and AMA installed.
func onboarded(proxy string) *agent.Settings {
	return &agent.Settings{Path: "/opt/azcmagent/bin/azcmagent", Cloud: "AzureCloud", Location: "westeurope",
		HTTPSProxy: proxy, ProxyURL: proxy, ProxyBypass: []string{"Arc"}, Extensions: []string{"ama"}, ProxyKnown: true}
}

// given marks parts of the selection as given by the user.
func given(fields ...endpoints.Field) map[endpoints.Field]bool {
	out := map[endpoints.Field]bool{}
	for _, f := range fields {
		out[f] = true
	}
	return out
}

// env is an environment of the variables given.
func env(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }

func TestResolve(t *testing.T) {
	cat, err := endpoints.Load()
	require.NoError(t, err)
	flagProxy := func(url string) *ProxyInput {
		return &ProxyInput{Given: true, URL: url, URLSource: "--proxy", NoProxySource: "--no-proxy"}
	}
	noFlags := &ProxyInput{URLSource: "--proxy", NoProxySource: "--no-proxy"}
	cases := []struct {
		name   string
		sel    endpoints.Selection
		given  map[endpoints.Field]bool
		agent  *agent.Settings
		proxy  *ProxyInput
		getenv map[string]string
		want   outcome
	}{
		{
			name: "flags only", sel: endpoints.Selection{Cloud: "AzureCloud", Location: "northeurope", Extensions: []string{"sql"}},
			given: given(endpoints.FieldLocation, endpoints.FieldExtensions), proxy: flagProxy("http://corp:3128"),
			want: outcome{cloud: "AzureCloud", location: "northeurope", mode: endpoints.ModeDirect, scenarios: []string{"sql"},
				proxy: "http://corp:3128", proxySource: SourceFlag,
				sources: map[endpoints.Field]Source{endpoints.FieldLocation: SourceFlag, endpoints.FieldExtensions: SourceFlag}},
		},
		{
			name: "environment proxy without an agent", sel: endpoints.Selection{Location: "westeurope"}, given: given(endpoints.FieldLocation),
			proxy: noFlags, getenv: map[string]string{"HTTPS_PROXY": "http://env:8080"},
			want: outcome{cloud: "AzureCloud", location: "westeurope", mode: endpoints.ModeDirect, proxy: "http://env:8080",
				proxySource: SourceEnvironment, sources: map[endpoints.Field]Source{endpoints.FieldLocation: SourceFlag}},
		},
		{
			name: "agent only", agent: onboarded("http://corp:3128"), proxy: noFlags,
			want: outcome{cloud: "AzureCloud", location: "westeurope", mode: endpoints.ModeDirect, scenarios: []string{"ama"},
				bypass: []string{"Arc"}, proxy: "http://corp:3128", proxySource: SourceAgent,
				sources: map[endpoints.Field]Source{endpoints.FieldCloud: SourceAgent, endpoints.FieldLocation: SourceAgent,
					endpoints.FieldProxyBypass: SourceAgent, endpoints.FieldExtensions: SourceAgent}},
		},
		{
			name: "flags override the agent; --proxy that differs is a warning", agent: onboarded("http://corp:3128"),
			sel: endpoints.Selection{Location: "northeurope"}, given: given(endpoints.FieldLocation), proxy: flagProxy("http://other:3128"),
			want: outcome{cloud: "AzureCloud", location: "northeurope", mode: endpoints.ModeDirect, scenarios: []string{"ama"},
				bypass: []string{"Arc"}, proxy: "http://other:3128", proxySource: SourceFlag,
				sources: map[endpoints.Field]Source{endpoints.FieldCloud: SourceAgent, endpoints.FieldLocation: SourceFlag,
					endpoints.FieldProxyBypass: SourceAgent, endpoints.FieldExtensions: SourceAgent},
				warnings: []Warning{ProxyDiffers{AgentUsesProxy: true}}},
		},
		{
			name: "--proxy the agent's own proxy (other credentials): no warning", agent: onboarded("http://corp:3128"),
			proxy: flagProxy("http://user:pw@corp:3128"),
			want: outcome{cloud: "AzureCloud", location: "westeurope", mode: endpoints.ModeDirect, scenarios: []string{"ama"},
				bypass: []string{"Arc"}, proxy: "http://corp:3128", proxySource: SourceFlag,
				sources: map[endpoints.Field]Source{endpoints.FieldCloud: SourceAgent, endpoints.FieldLocation: SourceAgent,
					endpoints.FieldProxyBypass: SourceAgent, endpoints.FieldExtensions: SourceAgent}},
		},
		{
			name: "--proxy none on a direct agent: no warning", agent: &agent.Settings{Location: "westeurope", ProxyKnown: true},
			proxy: &ProxyInput{Given: true, None: true}, getenv: map[string]string{"HTTPS_PROXY": "http://env:8080"},
			want: outcome{cloud: "AzureCloud", location: "westeurope", mode: endpoints.ModeDirect, proxySource: SourceFlag,
				sources: map[endpoints.Field]Source{endpoints.FieldLocation: SourceAgent}},
		},
		{
			name:  "the agent's unknown cloud and region are dropped with typed warnings",
			agent: &agent.Settings{Cloud: "Azure.Local", Location: "atlantis", Extensions: []string{"ama"}},
			want: outcome{cloud: "AzureCloud", mode: endpoints.ModeDirect, scenarios: []string{"ama"},
				sources:  map[endpoints.Field]Source{endpoints.FieldExtensions: SourceAgent},
				warnings: []Warning{refused(endpoints.FieldCloud, "Azure.Local"), refused(endpoints.FieldLocation, "atlantis")}},
		},
		{
			name:  "the agent's gateway in a cloud without one is dropped, its region kept",
			agent: &agent.Settings{Cloud: "AzureUSGovernment", Location: "usgovvirginia", GatewayURL: "https://contoso.gw.arc.azure.com"},
			want: outcome{cloud: "AzureUSGovernment", location: "usgovvirginia", mode: endpoints.ModeDirect,
				sources:  map[endpoints.Field]Source{endpoints.FieldCloud: SourceAgent, endpoints.FieldLocation: SourceAgent},
				warnings: []Warning{refused(endpoints.FieldGatewayURL, "gateway")}},
		},
		{
			name: "the agent's Private Link Scope is private-link mode", agent: &agent.Settings{Location: "westeurope", PrivateLinkScope: "/subscriptions/x"},
			want: outcome{cloud: "AzureCloud", location: "westeurope", mode: endpoints.ModePrivateLink,
				sources: map[endpoints.Field]Source{endpoints.FieldLocation: SourceAgent, endpoints.FieldMode: SourceAgent}},
		},
		{
			name: "a mode given leaves the agent's gateway out", agent: &agent.Settings{GatewayURL: "https://contoso.gw.arc.azure.com"},
			sel: endpoints.Selection{Mode: endpoints.ModePrivateLink}, given: given(endpoints.FieldMode),
			want: outcome{cloud: "AzureCloud", mode: endpoints.ModePrivateLink, sources: map[endpoints.Field]Source{endpoints.FieldMode: SourceFlag}},
		},
		{
			name: "gateway mode: the upstream proxy behind the agent's local Arc proxy, and no bypass",
			agent: &agent.Settings{Location: "westeurope", GatewayURL: "https://contoso.gw.arc.azure.com", HTTPSProxy: "http://localhost:40343",
				UpstreamProxy: "http://corp:3128", ProxyURL: "http://localhost:40343", ProxyBypass: []string{"Arc"}, ProxyKnown: true},
			proxy: noFlags, getenv: map[string]string{"HTTPS_PROXY": "http://localhost:40343"},
			want: outcome{cloud: "AzureCloud", location: "westeurope", mode: endpoints.ModeGateway, gateway: "https://contoso.gw.arc.azure.com",
				proxy: "http://corp:3128", proxySource: SourceAgent,
				sources: map[endpoints.Field]Source{endpoints.FieldLocation: SourceAgent, endpoints.FieldGatewayURL: SourceAgent},
				warnings: []Warning{AgentBypassInGateway{Categories: []string{"Arc"}},
					EnvironmentProxyIgnored{Variable: "HTTPS_PROXY", AgentUsesProxy: true}}},
		},
		{
			name: "a gateway URL given leaves the agent's bypass out", agent: &agent.Settings{ProxyBypass: []string{"AAD"}},
			sel: endpoints.Selection{GatewayURL: "https://contoso.gw.arc.azure.com"}, given: given(endpoints.FieldGatewayURL),
			want: outcome{cloud: "AzureCloud", mode: endpoints.ModeGateway, gateway: "https://contoso.gw.arc.azure.com",
				sources:  map[endpoints.Field]Source{endpoints.FieldGatewayURL: SourceFlag},
				warnings: []Warning{AgentBypassInGateway{Categories: []string{"AAD"}}}},
		},
		{
			name: "HTTPS_PROXY the direct agent does not use is ignored", agent: onboarded(""), proxy: noFlags,
			getenv: map[string]string{"HTTPS_PROXY": "http://env:8080"},
			want: outcome{cloud: "AzureCloud", location: "westeurope", mode: endpoints.ModeDirect, scenarios: []string{"ama"},
				bypass: []string{"Arc"}, proxySource: SourceAgent,
				sources: map[endpoints.Field]Source{endpoints.FieldCloud: SourceAgent, endpoints.FieldLocation: SourceAgent,
					endpoints.FieldProxyBypass: SourceAgent, endpoints.FieldExtensions: SourceAgent},
				warnings: []Warning{EnvironmentProxyIgnored{Variable: "HTTPS_PROXY"}}},
		},
		{
			name: "ALL_PROXY unlike the agent's proxy is ignored", agent: &agent.Settings{ProxyURL: "http://corp:3128", ProxyKnown: true},
			proxy: noFlags, getenv: map[string]string{"HTTPS_PROXY": "http://corp:3128", "ALL_PROXY": "socks5://env:1080"},
			want: outcome{cloud: "AzureCloud", mode: endpoints.ModeDirect, proxy: "http://corp:3128", proxySource: SourceAgent,
				sources:  map[endpoints.Field]Source{},
				warnings: []Warning{EnvironmentProxyIgnored{Variable: "ALL_PROXY", AgentUsesProxy: true}}},
		},
		{
			name:  "an agent whose proxy could not be read leaves the choice to the environment",
			agent: &agent.Settings{Location: "westeurope"}, proxy: noFlags, getenv: map[string]string{"HTTPS_PROXY": "http://env:8080"},
			want: outcome{cloud: "AzureCloud", location: "westeurope", mode: endpoints.ModeDirect, proxy: "http://env:8080",
				proxySource: SourceEnvironment, sources: map[endpoints.Field]Source{endpoints.FieldLocation: SourceAgent}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Resolve(Input{Selection: c.sel, Given: c.given, Catalog: cat, Agent: c.agent, Proxy: c.proxy, Getenv: env(c.getenv)})
			require.NoError(t, err)
			got := outcomeOf(p)
			// Compare the refused values by what the catalog said of them.
			for i, w := range got.warnings {
				if r, ok := w.(AgentValueRefused); ok {
					got.warnings[i] = refused(r.Field, r.Err.Value)
				}
			}
			assert.Equal(t, c.want, got)
		})
	}
}

// refused is an AgentValueRefused reduced to its field and value, for comparing.
func refused(f endpoints.Field, value string) AgentValueRefused {
	return AgentValueRefused{Field: f, Err: &endpoints.SelectionError{Value: value}}
}

func TestFromAgent(t *testing.T) {
	p := &Plan{Sources: map[endpoints.Field]Source{endpoints.FieldLocation: SourceAgent, endpoints.FieldCloud: SourceAgent,
		endpoints.FieldExtensions: SourceFlag}}
	assert.Equal(t, []endpoints.Field{endpoints.FieldCloud, endpoints.FieldLocation}, p.FromAgent())
}

// TestResolveErrors: what the user gave that cannot be used is an error; what the agent said never is.
func TestResolveErrors(t *testing.T) {
	cat, err := endpoints.Load()
	require.NoError(t, err)
	pool := func() (*x509.CertPool, error) { return x509.NewCertPool(), nil }
	noProxy := "corp.example"
	badList := "10.0.0.0/99"
	cases := []struct {
		name   string
		sel    endpoints.Selection
		agent  *agent.Settings
		proxy  ProxyInput
		getenv map[string]string
		is     error
		as     any
	}{
		{name: "a region given that the catalog does not know", sel: endpoints.Selection{Location: "westeurop"},
			agent: onboarded(""), as: new(*endpoints.SelectionError)},
		{name: "a malformed --proxy", proxy: ProxyInput{Given: true, URL: "ftp://corp:21", URLSource: "--proxy"}, as: new(*ProxyError)},
		{name: "a malformed HTTPS_PROXY", getenv: map[string]string{"HTTPS_PROXY": "ftp://corp:21"}, as: new(*ProxyError)},
		{name: "a bypass list without a proxy", proxy: ProxyInput{NoProxy: &noProxy}, is: ErrNoProxyUnused},
		{name: "proxy CAs without an https proxy", proxy: ProxyInput{Given: true, URL: "http://corp:3128", RootCAs: pool}, is: ErrRootCAsUnused},
		{name: "a malformed bypass list with the agent's proxy", agent: onboarded("http://corp:3128"),
			proxy: ProxyInput{NoProxy: &badList, NoProxySource: "--no-proxy"}, as: new(*ProxyError)},
		{name: "a bypass list when the agent's path is direct", agent: onboarded(""),
			proxy: ProxyInput{NoProxy: &noProxy, NoProxySource: "--no-proxy"}, is: ErrNoProxyUnused},
		{name: "proxy CAs that cannot be read, with no proxy: unused first", proxy: ProxyInput{
			RootCAs: func() (*x509.CertPool, error) { return nil, errCAFile }}, is: ErrRootCAsUnused},
		{name: "proxy CAs when the agent's path is direct", agent: onboarded(""), proxy: ProxyInput{RootCAs: pool}, is: ErrRootCAsUnused},
		{name: "the CA file's own error", proxy: ProxyInput{Given: true, URL: "https://corp:3128",
			RootCAs: func() (*x509.CertPool, error) { return nil, errCAFile }}, is: errCAFile},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sel := c.sel
			if sel.Location == "" {
				sel.Location = "westeurope"
			}
			_, err := Resolve(Input{Selection: sel, Given: given(endpoints.FieldLocation), Catalog: cat, Agent: c.agent,
				Proxy: &c.proxy, Getenv: env(c.getenv)})
			require.Error(t, err)
			if c.is != nil {
				assert.ErrorIs(t, err, c.is)
			}
			if c.as != nil {
				assert.ErrorAs(t, err, c.as)
			}
		})
	}
}

var errCAFile = errors.New("no such file")

// TestResolveProxyRoots: the proxy CAs verify the https proxies in force, whoever chose them.
func TestResolveProxyRoots(t *testing.T) {
	pool := x509.NewCertPool()
	roots := func() (*x509.CertPool, error) { return pool, nil }
	for _, c := range []struct {
		name  string
		agent *agent.Settings
		proxy ProxyInput
	}{
		{"the user's", nil, ProxyInput{Given: true, URL: "https://corp:3128", RootCAs: roots}},
		{"the agent's", onboarded("https://corp:3128"), ProxyInput{RootCAs: roots}},
	} {
		p, err := Resolve(Input{Agent: c.agent, Proxy: &c.proxy})
		require.NoError(t, err, c.name)
		assert.Same(t, pool, p.Proxy.HTTPS.RootCAs, c.name)
	}
}

// TestAgentProxyUnusable: an agent's proxy that cannot be parsed leaves the run direct, with a warning;
// never bad input.
func TestAgentProxyUnusable(t *testing.T) {
	p, err := Resolve(Input{Agent: onboarded("ftp://corp:21"), Proxy: &ProxyInput{}})
	require.NoError(t, err)
	assert.Nil(t, p.Proxy)
	assert.Equal(t, SourceAgent, p.ProxySource)
	require.Len(t, p.Warnings, 1)
	assert.IsType(t, AgentProxyUnusable{}, p.Warnings[0])
	assert.Nil(t, p.Endpoints, "no catalog, no selection")
}

// TestGatewayURLMissing: a run that probes needs the gateway's URL in gateway mode; a listing does not.
func TestGatewayURLMissing(t *testing.T) {
	cat, err := endpoints.Load()
	require.NoError(t, err)
	in := Input{Selection: endpoints.Selection{Mode: endpoints.ModeGateway, Location: "westeurope"},
		Given: given(endpoints.FieldLocation, endpoints.FieldMode), Catalog: cat}
	_, err = Resolve(in)
	require.NoError(t, err, "list: the gateway stays a placeholder")
	in.Probing = true
	_, err = Resolve(in)
	assert.ErrorIs(t, err, ErrGatewayURLMissing)
	in.Selection.GatewayURL = "https://contoso.gw.arc.azure.com"
	_, err = Resolve(in)
	assert.NoError(t, err)
}
