package grid

import (
	"slices"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/stretchr/testify/assert"
)

func TestPieces(t *testing.T) {
	for _, tc := range []struct {
		word string
		want []string
	}{
		{"https://gbl.his.arc.azure.com", []string{"https://", "gbl.his.arc.azure.com"}},
		{"https://gbl.his.arc.azure.com/discovery?location=westeurope", []string{"https://", "gbl.his.arc.azure.com", "/discovery?location=westeurope"}},
		{"http://www.microsoft.com/pkiops/certs", []string{"http://", "www.microsoft.com", "/pkiops", "/certs"}},
		{"www.microsoft.com/pkiops/certs", []string{"www.microsoft.com", "/pkiops", "/certs"}},
		{"*.his.arc.azure.com,", []string{"*.his.arc.azure.com,"}},
		{"ama,benefits,esu:", []string{"ama,", "benefits,", "esu:"}},
		{"Root,O=DigiCert", []string{"Root,", "O=DigiCert"}},
		{"https/443", []string{"https/443"}},
		{"and/or", []string{"and/or"}},
	} {
		assert.Equal(t, tc.want, pieces(tc.word), tc.word)
	}
}

// TestWrapTextBreaksAtSeparators: a paragraph breaks between words and at the slashes of a long URL,
// never inside a host name; only a piece wider than the line makes a line wider than the width.
func TestWrapTextBreaksAtSeparators(t *testing.T) {
	const indent = "      "
	s := "  - Allow outbound TCP 443 in the firewall: *.his.arc.azure.com, agentserviceapi.guestconfiguration.azure.com, " +
		"http://www.microsoft.com/pkiops/crl/Microsoft%20Azure%20RSA%20TLS%20Issuing%20CA%2004.crl (crl)"
	for _, width := range []int{30, 50, 80} {
		got := strings.Split(WrapText(s, width, indent), "\n")
		rejoined := got[0]
		for _, l := range got[1:] {
			l = strings.TrimPrefix(l, indent)
			if !strings.HasSuffix(rejoined, "://") && !strings.HasPrefix(l, "/") {
				rejoined += " "
			}
			rejoined += l
		}
		assert.Equal(t, s, rejoined, "%d: every word, in order, broken only between words or pieces of the URL", width)
		for _, h := range []string{"*.his.arc.azure.com,", "agentserviceapi.guestconfiguration.azure.com,", "www.microsoft.com"} {
			assert.True(t, slices.ContainsFunc(got, func(l string) bool { return strings.Contains(l, h) }), "%d: %s split: %q", width, h, got)
		}
		for _, l := range got {
			if len(strings.Fields(l)) > 1 {
				assert.LessOrEqual(t, DisplayWidth(l), width, "%d: %q", width, l)
			}
		}
	}
	assert.Equal(t, s, WrapText(s, 0, indent), "no width: one line")
}

// TestDisplayWidthAsTwwidth: the count of printable ASCII is twwidth's, and anything else is twwidth's own.
func TestDisplayWidthAsTwwidth(t *testing.T) {
	for _, s := range []string{"", "a", "https://gbl.his.arc.azure.com", " ~!", Red + "false" + Reset, "日本語", "e\u0301",
		"\x7f", "a\tb", "\x00", `\x1b[2J`} {
		assert.Equal(t, twwidth.Width(s), DisplayWidth(s), "%q", s)
	}
}
