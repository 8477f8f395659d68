package main

import (
	"crypto/x509"
	"errors"
	"strings"

	"github.com/arccheck/arccheck/pkg/probe"
	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/settings"
)

// proxyInput is the proxy the flags give, for pkg/settings to resolve with the agent's and the
// environment's; flags that mean nothing together are refused here.
func (o *checkOptions) proxyInput() (*settings.ProxyInput, error) {
	pi := &settings.ProxyInput{Given: o.given("proxy"), URL: o.Proxy, URLSource: "--proxy", NoProxySource: "--no-proxy"}
	if o.proxyNone() {
		for _, name := range []string{"no-proxy", "proxy-ca-file"} {
			if o.given(name) {
				return nil, badInput("--%s: means nothing with --proxy none", name)
			}
		}
		pi.URL, pi.None = "", true
	}
	if o.given("no-proxy") {
		pi.NoProxy = &o.NoProxy
	}
	if file := o.ProxyCAFile; file != "" {
		pi.RootCAs = func() (*x509.CertPool, error) {
			certs, err := readCerts(file)
			if err != nil {
				return nil, badInput("--proxy-ca-file: %v", err)
			}
			return probe.SystemRootsWith(certs...).Pool(), nil // crypto/tls verifies the proxy with it
		}
	}
	return pi, nil
}

// proxyNone reports whether --proxy none asks for no proxy at all.
func (o *checkOptions) proxyNone() bool { return strings.EqualFold(o.Proxy, "none") }

// proxySetting records the proxy in force for the JSON report, and who chose none when one did.
func (o *checkOptions) proxySetting(p *settings.Plan) report.ProxySetting {
	s := report.NewProxySetting(p.Proxy)
	switch {
	case p.Proxy != nil:
	case o.proxyNone():
		s.Source = "--proxy none"
	case p.ProxySource == settings.SourceAgent:
		s.Source = string(settings.SourceAgent)
	}
	return s
}

// settingsError words an error of the settings' resolution with the flags that caused it. A selection
// error is worded where every error is (exitCode); the proxy CA file's errors already are.
func settingsError(err error) error {
	var pe *settings.ProxyError
	switch {
	case errors.As(err, &pe):
		return badInput("%v", pe.Err)
	case errors.Is(err, settings.ErrGatewayURLMissing):
		return badInput("--mode gateway: give your gateway's URL with --gateway-url (https://<prefix>.gw.arc.azure.com, " +
			"from 'az arcgateway list'); without it the gateway every request goes through cannot be checked")
	case errors.Is(err, settings.ErrNoProxyUnused):
		return badInput("--no-proxy: no proxy is in use (from --proxy, the agent, or HTTPS_PROXY/HTTP_PROXY) for it to bypass")
	case errors.Is(err, settings.ErrRootCAsUnused):
		return badInput("--proxy-ca-file: no https:// proxy is in use (from --proxy, the agent, or HTTPS_PROXY/HTTP_PROXY) to verify with it")
	}
	return err
}
