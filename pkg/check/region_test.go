package check

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/arccheck/arccheck/pkg/endpoints"
)

// TestRegionMissingFailsTheRun: a required pattern left untested for want of a region fails a run that
// has nothing else wrong; an optional one, or one needing another value, does not.
func TestRegionMissingFailsTheRun(t *testing.T) {
	cases := []struct {
		n    NotTested
		fail bool
	}{
		{NotTested{Pattern: "<region>-gas.guestconfiguration.azure.com", Required: true, Needs: endpoints.FieldLocation}, true},
		{NotTested{Pattern: "*.his.arc.azure.com", Required: true, Needs: endpoints.FieldLocation, Token: endpoints.TokenHISShard}, true},
		{NotTested{Pattern: "<region>.x", Needs: endpoints.FieldLocation}, false},
		{NotTested{Pattern: "x", Required: true, Needs: endpoints.FieldSet, Value: "workspace-id"}, false},
	}
	for _, tc := range cases {
		rep := &Report{NotTested: []NotTested{tc.n}}
		assert.Equal(t, tc.fail, rep.Failed(), tc.n.Pattern)
	}
}
