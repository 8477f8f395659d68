package report

import (
	"io"
	"strconv"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/probe"
)

// CheckPrometheus writes the results in the Prometheus text format (version 0.0.4), for node_exporter's
// textfile collector: per endpoint whether it is reachable (with its failure class as a label), its phase
// durations, TLS version and certificate expiry; per run its duration, counts and time. The families are
// gauges written by promtext.go, as client_golang's registry would write them (the tests read them back
// with Prometheus' own parser).
func CheckPrometheus(w io.Writer, rep *check.Report, v Verdict) error {
	labels := []string{"endpoint", "pattern", "required"}
	reachable := newGauge("arccheck_endpoint_reachable",
		"1 when the endpoint was reachable with a verified handshake, 0 when not; class is the failure class.",
		append(labels, "class")...)
	phase := newGauge("arccheck_endpoint_phase_duration_seconds", "Time each phase of the probe took.", "endpoint", "phase")
	tlsVersion := newGauge("arccheck_endpoint_tls_version_info", "The TLS version negotiated with the endpoint (value 1).",
		"endpoint", "version")
	expiry := newGauge("arccheck_endpoint_certificate_expiry_timestamp_seconds",
		"When the endpoint's certificate expires, in Unix seconds.", "endpoint")
	warnings := newGauge("arccheck_endpoint_warnings", "Warnings on a reachable endpoint, by class.", "endpoint", "class")
	run := newGauge("arccheck_run_endpoints",
		"Endpoints of the last run by state; required_needs_region: required patterns not tested for want of a region (-l/--location), which fail the run.",
		"state")
	duration := newGauge("arccheck_run_duration_seconds", "How long the last run took.")
	last := newGauge("arccheck_run_timestamp_seconds", "When the last run started, in Unix seconds.")
	success := newGauge("arccheck_run_success",
		"1 exactly when arccheck check exited 0: every required endpoint probed and reachable, every required pattern named, not interrupted, and no warning with --fail-on warning.")
	revocation := newGauge("arccheck_revocation_reachable",
		"1 when a CRL, OCSP or CA-issuer URL named by a presented chain answered, 0 when not; a URL arccheck did not probe has no sample (see arccheck_endpoint_warnings{class=\"revocation_not_probed\"}).",
		"url", "kind")
	clock := newGauge("arccheck_run_clock_offset_seconds",
		"How far this machine's clock is behind the servers' Date headers (negative: ahead).")
	runWarnings := newGauge("arccheck_run_warnings", "Warnings about the whole run, by class (clock_skew).", "class")
	for _, rv := range rep.Revocation {
		if f := rv.Probe.Failure; f != nil && f.Class == check.ClassRevocationNotProbed {
			continue // unknown: neither 1 nor 0 (the rows' revocation_not_probed warnings count it)
		}
		revocation.set(boolGauge(rv.Probe.Reachable), label(rv.URL), label(string(rv.Kind)))
	}
	if rep.Clock != nil {
		clock.set(rep.Clock.Offset.Seconds())
	}
	for _, w := range rep.Warnings {
		runWarnings.add(1, label(string(w.Class)))
	}

	em := endpointMetrics{reachable: reachable, phase: phase, tlsVersion: tlsVersion, expiry: expiry, warnings: warnings}
	for i := range rep.Results {
		em.add(&rep.Results[i])
	}
	s := rep.Summary()
	for state, n := range map[string]int{"reachable": s.Reachable, "unreachable": s.Unreachable, "not_probed": s.Canceled,
		"not_tested": s.NotTested, "required_unreachable": s.RequiredUnreachable, needsRegionState: len(rep.RegionMissing())} {
		run.set(float64(n), state)
	}
	duration.set(rep.Duration.Seconds())
	last.set(float64(rep.Start.Unix()))
	success.set(boolGauge(v.Passed)) // the command's verdict: 1 exactly when it exits 0

	return writeGauges(w, reachable, phase, tlsVersion, expiry, warnings, run, duration, last, success, revocation,
		clock, runWarnings)
}

// endpointMetrics are the metrics of each endpoint.
type endpointMetrics struct {
	reachable, phase, tlsVersion, expiry, warnings *gauge
}

// add records one endpoint's metrics, every label escaped.
func (m endpointMetrics) add(r *check.Result) {
	u := label(r.URL())
	class := ""
	if r.Failure != nil {
		class = label(string(r.Failure.Class))
	}
	m.reachable.set(boolGauge(r.Reachable), u, label(r.Pattern), strconv.FormatBool(r.Required), class)
	for name, d := range phaseDurations(&r.Probe) {
		m.phase.set(d, u, name)
	}
	if t := r.Probe.TLS; t != nil && t.Version != 0 {
		m.tlsVersion.set(1, u, tlsVersionName(t.Version))
	}
	if t := r.Probe.TLS; t != nil && t.Leaf != nil {
		m.expiry.set(float64(t.Leaf.NotAfter.Unix()), u)
	}
	for _, w := range r.Warnings {
		m.warnings.add(1, u, label(string(w.Class)))
	}
}

// label makes text a label value: escaped (safetext), so that neither a terminal showing the file nor
// a Prometheus parser, which refuses a value that is not UTF-8, meets a raw control or invalid byte.
func label(s string) string { return safetext.Escape(s) }

// phaseDurations are the durations of the phases that ran, in seconds.
func phaseDurations(r *probe.Result) map[string]float64 {
	out := map[string]float64{"total": r.Duration.Seconds()}
	if r.DNS != nil {
		out["dns"] = r.DNS.Duration.Seconds()
	}
	if r.TCP != nil {
		out["connect"] = r.TCP.Duration.Seconds()
	}
	if r.Proxy != nil {
		out["proxy"] = r.Proxy.Duration.Seconds()
	}
	if r.TLS != nil {
		out["tls"] = r.TLS.Duration.Seconds()
	}
	if r.HTTP != nil {
		out["http"] = r.HTTP.Duration.Seconds()
	}
	return out
}

func boolGauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
