package endpoints

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRegionOfAnotherCloudNamesIt: a region of another cloud of the catalog is refused naming that cloud
// and its short name to choose it; a region of no cloud is unknown, with the nearest names.
func TestRegionOfAnotherCloudNamesIt(t *testing.T) {
	c, err := Load()
	require.NoError(t, err)
	for _, tc := range []struct {
		sel  Selection
		want SelectionError
		msg  string
	}{
		{Selection{Location: "usgovvirginia"},
			SelectionError{Field: FieldLocation, Value: "usgovvirginia", Reason: "is a region of Azure Government (AzureUSGovernment), not of AzureCloud",
				Instead: FieldCloud, InsteadValue: "usgov"},
			`location: "usgovvirginia" is a region of Azure Government (AzureUSGovernment), not of AzureCloud: give cloud usgov`},
		{Selection{Cloud: "usgov", Location: "West Europe"},
			SelectionError{Field: FieldLocation, Value: "West Europe", Reason: "is a region of Azure Cloud (AzureCloud), not of AzureUSGovernment",
				Instead: FieldCloud, InsteadValue: "public"},
			`location: "West Europe" is a region of Azure Cloud (AzureCloud), not of AzureUSGovernment: give cloud public`},
		{Selection{Cloud: "AzureCloud", Location: "chinaeast2"},
			SelectionError{Field: FieldLocation, Value: "chinaeast2", Reason: "is a region of Microsoft Azure operated by 21Vianet (AzureChinaCloud), not of AzureCloud",
				Instead: FieldCloud, InsteadValue: "china"},
			`location: "chinaeast2" is a region of Microsoft Azure operated by 21Vianet (AzureChinaCloud), not of AzureCloud: give cloud china`},
	} {
		_, err := c.Select(tc.sel)
		var se *SelectionError
		require.True(t, errors.As(err, &se), "%+v: %v", tc.sel, err)
		assert.Equal(t, tc.want, *se)
		assert.Equal(t, tc.msg, se.Error())
		assert.ErrorIs(t, err, ErrBadSelection)
	}
	_, err = c.Select(Selection{Location: "atlantis"})
	var se *SelectionError
	require.True(t, errors.As(err, &se))
	assert.Empty(t, se.Instead, "a region of no cloud")
	assert.Equal(t, "unknown AzureCloud region", se.Reason)
}

// TestModeAndProfileInAnyCase: the fixed values of a selection match in any case, as the flags do.
func TestModeAndProfileInAnyCase(t *testing.T) {
	c, err := Load()
	require.NoError(t, err)
	p, err := c.Select(Selection{Mode: "Private-Link"})
	require.NoError(t, err)
	assert.Equal(t, ModePrivateLink, p.Mode)
	p, err = c.Select(Selection{Profile: "LEGACY-PREVIEW"})
	require.NoError(t, err)
	assert.Equal(t, ProfileLegacyPreview, p.List)
}
