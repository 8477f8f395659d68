package report

import (
	"io"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/probe"
)

// CheckPrometheus writes the results in the Prometheus text format, for node_exporter's textfile
// collector: per endpoint whether it is reachable (with its failure class as a label), its phase
// durations, TLS version and certificate expiry; per run its duration, counts and time. The metrics are
// built and written by github.com/prometheus/client_golang and prometheus/common/expfmt.
func CheckPrometheus(w io.Writer, rep *check.Report, v Verdict) error {
	reg := prometheus.NewRegistry()
	labels := []string{"endpoint", "pattern", "required"}
	reachable := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "arccheck_endpoint_reachable",
		Help: "1 when the endpoint was reachable with a verified handshake, 0 when not; class is the failure class."},
		append(labels, "class"))
	phase := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "arccheck_endpoint_phase_duration_seconds",
		Help: "Time each phase of the probe took."}, []string{"endpoint", "phase"})
	tlsVersion := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "arccheck_endpoint_tls_version_info",
		Help: "The TLS version negotiated with the endpoint (value 1)."}, []string{"endpoint", "version"})
	expiry := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "arccheck_endpoint_certificate_expiry_timestamp_seconds",
		Help: "When the endpoint's certificate expires, in Unix seconds."}, []string{"endpoint"})
	warnings := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "arccheck_endpoint_warnings",
		Help: "Warnings on a reachable endpoint, by class."}, []string{"endpoint", "class"})
	run := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "arccheck_run_endpoints",
		Help: "Endpoints of the last run by state; required_needs_region: required patterns not tested for want of a region (-l/--location), which fail the run."},
		[]string{"state"})
	duration := prometheus.NewGauge(prometheus.GaugeOpts{Name: "arccheck_run_duration_seconds", Help: "How long the last run took."})
	last := prometheus.NewGauge(prometheus.GaugeOpts{Name: "arccheck_run_timestamp_seconds", Help: "When the last run started, in Unix seconds."})
	success := prometheus.NewGauge(prometheus.GaugeOpts{Name: "arccheck_run_success",
		Help: "1 exactly when arccheck check exited 0: every required endpoint probed and reachable, every required pattern named, not interrupted, and no warning with --fail-on warning."})
	revocation := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "arccheck_revocation_reachable",
		Help: "1 when a CRL, OCSP or CA-issuer URL named by a presented chain answered, 0 when not; a URL arccheck did not probe has no sample (see arccheck_endpoint_warnings{class=\"revocation_not_probed\"})."},
		[]string{"url", "kind"})
	clock := prometheus.NewGauge(prometheus.GaugeOpts{Name: "arccheck_run_clock_offset_seconds",
		Help: "How far this machine's clock is behind the servers' Date headers (negative: ahead)."})
	runWarnings := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "arccheck_run_warnings",
		Help: "Warnings about the whole run, by class (clock_skew)."}, []string{"class"})
	reg.MustRegister(reachable, phase, tlsVersion, expiry, warnings, run, duration, last, success, revocation, runWarnings)
	for _, rv := range rep.Revocation {
		if f := rv.Probe.Failure; f != nil && f.Class == check.ClassRevocationNotProbed {
			continue // unknown: neither 1 nor 0 (the rows' revocation_not_probed warnings count it)
		}
		revocation.WithLabelValues(label(rv.URL), label(string(rv.Kind))).Set(boolGauge(rv.Probe.Reachable))
	}
	if rep.Clock != nil {
		reg.MustRegister(clock)
		clock.Set(rep.Clock.Offset.Seconds())
	}
	for _, w := range rep.Warnings {
		runWarnings.WithLabelValues(label(string(w.Class))).Inc()
	}

	em := endpointMetrics{reachable: reachable, phase: phase, tlsVersion: tlsVersion, expiry: expiry, warnings: warnings}
	for i := range rep.Results {
		em.add(&rep.Results[i])
	}
	s := rep.Summary()
	for state, n := range map[string]int{"reachable": s.Reachable, "unreachable": s.Unreachable, "not_probed": s.Canceled,
		"not_tested": s.NotTested, "required_unreachable": s.RequiredUnreachable, needsRegionState: len(rep.RegionMissing())} {
		run.WithLabelValues(state).Set(float64(n))
	}
	duration.Set(rep.Duration.Seconds())
	last.Set(float64(rep.Start.Unix()))
	success.Set(boolGauge(v.Passed)) // the command's verdict: 1 exactly when it exits 0

	families, err := reg.Gather()
	if err != nil {
		return err
	}
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range families {
		if err := enc.Encode(f); err != nil {
			return err
		}
	}
	return nil
}

// endpointMetrics are the metrics of each endpoint.
type endpointMetrics struct {
	reachable, phase, tlsVersion, expiry, warnings *prometheus.GaugeVec
}

// add records one endpoint's metrics, every label escaped.
func (m endpointMetrics) add(r *check.Result) {
	u := label(r.URL())
	class := ""
	if r.Failure != nil {
		class = label(string(r.Failure.Class))
	}
	m.reachable.WithLabelValues(u, label(r.Pattern), strconv.FormatBool(r.Required), class).Set(boolGauge(r.Reachable))
	for name, d := range phaseDurations(&r.Probe) {
		m.phase.WithLabelValues(u, name).Set(d)
	}
	if t := r.Probe.TLS; t != nil && t.Version != 0 {
		m.tlsVersion.WithLabelValues(u, tlsVersionName(t.Version)).Set(1)
	}
	if t := r.Probe.TLS; t != nil && t.Leaf != nil {
		m.expiry.WithLabelValues(u).Set(float64(t.Leaf.NotAfter.Unix()))
	}
	for _, w := range r.Warnings {
		m.warnings.WithLabelValues(u, label(string(w.Class))).Inc()
	}
}

// label makes text a label value: escaped (safetext), so that neither a terminal showing the file nor
// client_golang, which refuses a value that is not UTF-8, meets a raw control or invalid byte.
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
