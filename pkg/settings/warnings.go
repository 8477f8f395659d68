package settings

import (
	"errors"

	"github.com/arccheck/arccheck/pkg/endpoints"
)

// Warning is something the resolution dropped or overrode that the user should know; pkg/report says
// each in words. It is one of AgentValueRefused, AgentBypassInGateway, EnvironmentProxyIgnored,
// AgentProxyUnusable and ProxyDiffers.
type Warning interface{ warning() }

// AgentValueRefused: the catalog refused a value taken from the agent (a cloud or region it does not
// know); the selection was made without it.
type AgentValueRefused struct {
	// Field is the part of the selection dropped: FieldGatewayURL for the gateway mode the agent's
	// gateway URL implied, FieldMode for the private-link mode its Private Link Scope implied.
	Field endpoints.Field
	// Err is why the catalog refused it.
	Err *endpoints.SelectionError
}

// AgentBypassInGateway: the agent's proxy.bypass was not taken, as gateway mode does not support proxy
// bypass.
type AgentBypassInGateway struct {
	// Categories are the agent's proxy.bypass categories.
	Categories []string
}

// EnvironmentProxyIgnored: a proxy variable is set in this environment, but the agent does not use that
// proxy; the agent's path is checked.
type EnvironmentProxyIgnored struct {
	// Variable is the variable's name (HTTPS_PROXY, ALL_PROXY, …).
	Variable string
	// AgentUsesProxy is set when the agent uses a proxy of its own; else it goes direct.
	AgentUsesProxy bool
}

// AgentProxyUnusable: the proxy the agent uses cannot be parsed; the run goes direct.
type AgentProxyUnusable struct {
	// Err is why it cannot be used (the URL is not in it: it may hold a password).
	Err error
}

// ProxyDiffers: the proxy the user gave is not the one the agent uses, so the run tests another path
// than the agent's.
type ProxyDiffers struct {
	// AgentUsesProxy is set when the agent uses a proxy; else it goes direct.
	AgentUsesProxy bool
}

func (AgentValueRefused) warning()       {}
func (AgentBypassInGateway) warning()    {}
func (EnvironmentProxyIgnored) warning() {}
func (AgentProxyUnusable) warning()      {}
func (ProxyDiffers) warning()            {}

// ProxyError is a proxy the user or the environment gave that cannot be used (a malformed URL or
// bypass list): bad input. Err is probe's error, prefixed with where the value came from.
type ProxyError struct {
	Err error
}

func (e *ProxyError) Error() string { return e.Err.Error() }

// Unwrap returns probe's error.
func (e *ProxyError) Unwrap() error { return e.Err }

var (
	// ErrGatewayURLMissing is gateway mode without the gateway's URL for a run that probes: the gateway,
	// which every request goes through, cannot be checked.
	ErrGatewayURLMissing = errors.New("gateway mode without the gateway's URL")
	// ErrNoProxyUnused is a bypass list given (ProxyInput.NoProxy) when no proxy is in use.
	ErrNoProxyUnused = errors.New("a proxy bypass list is given, but no proxy is in use")
	// ErrRootCAsUnused is proxy CAs given (ProxyInput.RootCAs) when no https:// proxy is in use.
	ErrRootCAsUnused = errors.New("proxy CAs are given, but no https:// proxy is in use")
)
