package report

import (
	"bytes"
	"math"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPromText: what the text writer writes, Prometheus' own parser reads back as written: special
// values, escaped HELP text and label values, labels sorted by name, samples by their values, added
// values summed, an empty family left out.
func TestPromText(t *testing.T) {
	a := newGauge("b_family", "help with \\ and\nnewline", "zeta", "alpha")
	a.set(math.Inf(+1), "z1", `quote " back \ nl`+"\n")
	a.set(math.NaN(), "z0", "a")
	a.add(2, "z2", "a")
	a.add(0.25, "z2", "a")
	one := newGauge("a_single", "one sample")
	one.set(-1.5e-9)
	zero := newGauge("d_zero", "negative zero")
	zero.set(math.Copysign(0, -1))
	empty := newGauge("c_empty", "no sample", "x")
	var buf bytes.Buffer
	require.NoError(t, writeGauges(&buf, a, empty, one, zero))
	assert.Equal(t, `# HELP a_single one sample
# TYPE a_single gauge
a_single -1.5e-09
# HELP b_family help with \\ and\nnewline
# TYPE b_family gauge
b_family{alpha="a",zeta="z0"} NaN
b_family{alpha="a",zeta="z2"} 2.25
b_family{alpha="quote \" back \\ nl\n",zeta="z1"} +Inf
# HELP d_zero negative zero
# TYPE d_zero gauge
d_zero 0
`, buf.String())

	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(&buf)
	require.NoError(t, err)
	require.Len(t, families, 3)
	assert.Equal(t, "help with \\ and\nnewline", families["b_family"].GetHelp())
	m := families["b_family"].GetMetric()
	require.Len(t, m, 3)
	assert.Equal(t, "quote \" back \\ nl\n", m[2].GetLabel()[0].GetValue())
	assert.True(t, math.IsInf(m[2].GetGauge().GetValue(), +1))
}
