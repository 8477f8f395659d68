package report

import (
	"fmt"

	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/probe"
)

// boundHints are the words of the classes that are not a firewall's verdict: this machine's own limits
// (no route, no file descriptors left) and a peer that broke the bounds arccheck reads answers within.
// None of them tells the user to open a firewall: that would not help.
var boundHints = map[probe.Class]hint{
	probe.ClassHTTPTooLarge: {
		action: func(w fixWords) string {
			if w.Proxy != "" {
				return "Find and fix or bypass the proxy " + w.proxy + ", or the device behind it, that sends oversized answers"
			}
			return "Find and fix or bypass the device in the path that sends oversized answers"
		},
		hint: func(w fixWords) string {
			return fmt.Sprintf("an oversized answer came for %s (a head past 64 KiB, or a body past its bound), which the endpoint never sends: find %s (the message says which phase: proxy = the proxy's reply to CONNECT) and fix or bypass it",
				w.Host, oversizedBox(w))
		},
		result: func(f check.Finding) string {
			if f.Phase == probe.PhaseProxy {
				return "oversized reply to CONNECT: a broken or hostile proxy"
			}
			return "oversized answer (" + string(f.Phase) + " phase): a broken or hostile box in the path"
		}},
	probe.ClassNoRoute: {
		action: func(w fixWords) string {
			return "Add a route (or default gateway) on this server to these addresses, or use a proxy it can reach"
		},
		hint: func(w fixWords) string {
			how := "Linux: ip route get ADDRESS; Windows: route print, or Find-NetRoute -RemoteIPAddress ADDRESS, with the address in the message"
			if w.Address.IsValid() {
				ip := w.Address.Addr().String()
				how = "Linux: ip route get " + ip + "; Windows: route print, or Find-NetRoute -RemoteIPAddress " + ip
			}
			return fmt.Sprintf("this server has no route to %s: its own network stack refused, no firewall was asked; add a route or default gateway for it (%s), or go through a proxy this server can reach",
				routeAddress(w), how)
		},
		result: func(f check.Finding) string {
			return "this server has no route to " + routeAddress(wordsOf(f.Fix)) + " (local routing, not a firewall)"
		}},
	probe.ClassLocalResources: {
		action: func(fixWords) string {
			return "Raise the open-files limit (ulimit -n, LimitNOFILE=) or lower --concurrency, then run the check again"
		},
		hint: func(w fixWords) string {
			return fmt.Sprintf("%s was not tested: this server ran out of file descriptors or socket buffers (no verdict on the endpoint); raise the open-files limit (ulimit -n, or LimitNOFILE= in the service's unit) or lower --concurrency, and run the check again", w.Host)
		},
		result: func(check.Finding) string { return "not tested: out of file descriptors or buffers here" },
		fleet:  "not tested: the server ran out of file descriptors or buffers"},
}

// oversizedBox names the box that sent an oversized answer: the proxy when one was used, else the device
// that answers for the host.
func oversizedBox(w fixWords) string {
	if w.Proxy != "" {
		return "the proxy " + w.proxy + " or a device behind it"
	}
	return "the device answering for " + w.Host
}

// routeAddress is the address this server has no route to, with its host: "10.1.2.3 (HOST's address)",
// or the host's addresses when none is known.
func routeAddress(w fixWords) string {
	if w.Address.IsValid() {
		return w.Address.Addr().String() + " (" + w.Host + "'s address)"
	}
	return w.Host + "'s addresses"
}
