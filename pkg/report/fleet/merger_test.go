package fleet

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/report/internal/reporttest"
)

// TestMergerStreams: reports merged one at a time as they are read (each decoded once) give the view
// that merging them all at once gives; two reports of one host are told apart by their files, and a
// server that fails on an endpoint is named once the names are known; without JUnit cases nothing of the
// results is kept but the counts, and asking twice gives the same view.
func TestMergerStreams(t *testing.T) {
	rep := reporttest.SampleReport(t)
	doc := report.NewCheckDocument(sampleTool, sampleHost, sampleSettings(rep), rep, report.Verdict{})
	other := doc
	other.Host.Hostname = "srv02"
	docs, files := []report.CheckDocument{doc, other, doc}, []string{"a.json", "b.json", "c.json"}
	want := New(docs, files)

	m := NewMerger(false)
	for i, d := range docs {
		data, err := json.Marshal(d)
		require.NoError(t, err)
		require.NoError(t, m.Read(data, files[i]))
	}
	got := m.Fleet()
	assert.Equal(t, 3, m.Len())
	assert.Equal(t, []string{"srv01 (a.json)", "srv02", "srv01 (c.json)"}, []string{got.Servers[0].Name, got.Servers[1].Name, got.Servers[2].Name})
	assert.Equal(t, want.Servers, got.Servers)
	assert.Equal(t, want.Endpoints, got.Endpoints)
	assert.Equal(t, want.Fixes, got.Fixes)
	assert.Equal(t, want.Proxies, got.Proxies)
	assert.Empty(t, got.suites, "no JUnit cases kept unless asked")
	assert.NotEmpty(t, want.suites)
	require.NotEmpty(t, got.Endpoints)
	assert.Contains(t, got.Endpoints[0].FailedOn, "srv01 (a.json)")
	assert.Equal(t, got, m.Fleet(), "the view is the same when asked again")

	var a, b bytes.Buffer
	require.NoError(t, JSON(&a, sampleTool, want))
	require.NoError(t, JSON(&b, sampleTool, got))
	assert.JSONEq(t, a.String(), b.String())

	assert.ErrorIs(t, m.Read([]byte(`{"schema": "arccheck.list/v1"}`), "list.json"), ErrNotACheckReport)
	assert.Equal(t, 3, m.Len(), "a refused file merges nothing")
}
