package report

import (
	"bufio"
	"cmp"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The Prometheus text exposition format (version 0.0.4), written as client_golang's registry and
// prometheus/common/expfmt write it: families sorted by name, each with its HELP and TYPE lines, a
// family without samples left out; each sample's labels sorted by name, the samples sorted by their label
// values in that order; values as Go's shortest 'g' form, 1 and 0 bare. arccheck writes it itself rather
// than link those libraries, whose package initialisation (protobuf descriptors, procfs) cost more CPU
// at every start than the rest of `arccheck --version` (docs/development.md, Benchmarks).

// gauge is one metric family of gauges, its samples keyed by their label values.
type gauge struct {
	name, help string
	labels     []string // label names, in the order values are given
	samples    map[string]*sample
}

// sample is one line of a family: its label values, in the order of gauge.labels, and its value.
type sample struct {
	values []string
	value  float64
}

// newGauge is a family of gauges with the given label names.
func newGauge(name, help string, labels ...string) *gauge {
	return &gauge{name: name, help: help, labels: labels, samples: map[string]*sample{}}
}

// set sets the value of the sample with these label values (one per label name).
func (g *gauge) set(v float64, values ...string) { g.at(values).value = v }

// add adds to the value of the sample with these label values.
func (g *gauge) add(v float64, values ...string) { g.at(values).value += v }

// at is the sample with these label values, created at 0.
func (g *gauge) at(values []string) *sample {
	if len(values) != len(g.labels) {
		panic("report: " + g.name + ": " + strconv.Itoa(len(values)) + " label values for " + strconv.Itoa(len(g.labels)) + " labels")
	}
	key := strings.Join(values, "\xff")
	s, ok := g.samples[key]
	if !ok {
		s = &sample{values: slices.Clone(values)}
		g.samples[key] = s
	}
	return s
}

// writeGauges writes the families in the text format.
func writeGauges(w io.Writer, families ...*gauge) error {
	families = slices.Clone(families)
	slices.SortFunc(families, func(a, b *gauge) int { return cmp.Compare(a.name, b.name) })
	bw := bufio.NewWriter(w)
	for _, g := range families {
		if len(g.samples) > 0 {
			g.write(bw)
		}
	}
	return bw.Flush()
}

// write writes one family: HELP, TYPE and its samples in order.
func (g *gauge) write(w *bufio.Writer) {
	order := make([]int, len(g.labels)) // label indexes sorted by name
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(g.labels[a], g.labels[b]) })
	samples := make([]*sample, 0, len(g.samples))
	for _, s := range g.samples {
		samples = append(samples, s)
	}
	slices.SortFunc(samples, func(a, b *sample) int {
		for _, i := range order {
			if c := cmp.Compare(a.values[i], b.values[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	w.WriteString("# HELP " + g.name + " " + helpEscaper.Replace(g.help) + "\n# TYPE " + g.name + " gauge\n")
	for _, s := range samples {
		w.WriteString(g.name)
		sep := "{"
		for _, i := range order {
			w.WriteString(sep + g.labels[i] + `="` + labelEscaper.Replace(s.values[i]) + `"`)
			sep = ","
		}
		if len(order) > 0 {
			w.WriteByte('}')
		}
		w.WriteString(" " + promFloat(s.value) + "\n")
	}
}

// helpEscaper and labelEscaper escape HELP text and label values as the text format requires.
var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

// promFloat writes a value as expfmt does.
func promFloat(f float64) string {
	switch {
	case f == 0:
		return "0" // -0 too
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, +1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
