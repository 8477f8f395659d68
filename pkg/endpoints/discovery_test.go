package endpoints

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseHISDiscovery(t *testing.T) {
	for body, want := range map[string]string{
		`"https://weu.his.arc.azure.com"`:    "weu.his.arc.azure.com",
		"https://uks.his.arc.azure.com\n":    "uks.his.arc.azure.com",
		` "https://WEU.his.arc.azure.com/" `: "weu.his.arc.azure.com",
		"weu.his.arc.azure.com":              "weu.his.arc.azure.com",
		"weu.his.arc.azure.com:443":          "weu.his.arc.azure.com",
	} {
		got, err := ParseHISDiscovery([]byte(body))
		require.NoError(t, err, body)
		assert.Equal(t, want, got)
	}
	for _, bad := range []string{"", `{"url": 1}`, `"not a host"`, "<html>error</html>", `"https://"`} {
		_, err := ParseHISDiscovery([]byte(bad))
		assert.Error(t, err, bad)
	}
}

func TestParseNotificationAllowlist(t *testing.T) {
	got, err := ParseNotificationAllowlist([]byte(`["azgn-a.servicebus.windows.net","AZGN-B.servicebus.windows.net","azgn-a.servicebus.windows.net"]`))
	require.NoError(t, err)
	assert.Equal(t, []string{"azgn-a.servicebus.windows.net", "azgn-b.servicebus.windows.net"}, got)
	for _, bad := range []string{`[]`, `"x"`, `["not a host"]`, `{"a":1}`} {
		_, err := ParseNotificationAllowlist([]byte(bad))
		assert.Error(t, err, bad)
	}
}

func TestInDomainOf(t *testing.T) {
	assert.True(t, InDomainOf("weu.his.arc.azure.com", "*.his.arc.azure.com"))
	assert.True(t, InDomainOf("weu.his.arc.azure.com", "<region>.his.arc.azure.com"))
	assert.True(t, InDomainOf("azgn-x-1.servicebus.windows.net", "azgn*.servicebus.windows.net"))
	assert.False(t, InDomainOf("evil.example", "*.his.arc.azure.com"))
	assert.False(t, InDomainOf("a.b.his.arc.azure.com", "*.his.arc.azure.com"))
	assert.False(t, InDomainOf("his.arc.azure.com", "*.his.arc.azure.com"))
}

func TestDiscoveryErrorsClipTheAnswerByCharacter(t *testing.T) {
	body := strings.Repeat("é", 100) // two bytes each: a byte cut would split one
	_, err := ParseHISDiscovery([]byte(body))
	require.Error(t, err)
	assert.True(t, utf8.ValidString(err.Error()), err.Error())
	assert.Contains(t, err.Error(), strings.Repeat("é", 80), "answers are quoted up to 80 characters")
	assert.NotContains(t, err.Error(), strings.Repeat("é", 81))

	_, err = ParseNotificationAllowlist([]byte(`["` + strings.Repeat("日本", 50) + `"]`))
	require.Error(t, err)
	assert.True(t, utf8.ValidString(err.Error()), err.Error())
}
