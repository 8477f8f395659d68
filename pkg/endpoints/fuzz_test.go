package endpoints

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// Fuzz targets for the parsers of this package that read untrusted input: the catalog format, URLs
// (--endpoint, Target lines) and the answers of discovery calls. Each asserts properties, not just the
// absence of a panic; the seeds are inputs of the unit tests and the embedded catalog. .ci/run runs each
// for a few seconds; run one longer with, e.g.:
//
//	go test -run '^$' -fuzz '^FuzzParseTarget$' -fuzztime 10m ./pkg/endpoints

// FuzzParseTarget: a parsed URL writes back to one that parses the same, with an explicit valid port,
// a lower-case host and never any user information.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"https://Example.com:8443/a/b", "https://gbl.his.arc.azure.com/discovery?location=westeurope&api-version=1.1-preview",
		"https://x.example?a=1", "http://www.microsoft.com/pkiops/certs", "https://[::1]:8443/", "Login.Microsoftonline.com",
		"workspace.example:8080", "127.0.0.1:443", "https://Bücher.example/x", "https://a..b", "ftp://x", "https://*.x.com",
		"https://", "", "https://x:0", "x:99999", "not a url", "https://bob:Secr3t@host", "bob:Secr3t@host:8443/p?q=1",
		"https://bob:Secr3t%zz@host/", "https://x.example/%zz", "https://x.example#frag",
		"https://[fe80::1%25eth0]:8443/x", "http://[2001:db8::1]:80/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		tg, err := ParseTarget(raw)
		if err != nil {
			return
		}
		if tg.URL != tg.String() {
			t.Fatalf("%q: URL %q but String %q", raw, tg.URL, tg.String())
		}
		again, err := ParseTarget(tg.URL)
		if err != nil || again != tg {
			t.Fatalf("%q parsed as %+v; written back as %q it parses as %+v, %v", raw, tg, tg.URL, again, err)
		}
		addr, _, _ := strings.Cut(tg.Host, "%") // an IPv6 zone is the interface's name, as given
		switch {
		case tg.Scheme != "https" && tg.Scheme != "http", tg.Port < 1, tg.Port > 65535, addr != strings.ToLower(addr),
			strings.Contains(tg.URL, "@") && !strings.Contains(tg.Path, "@"):
			t.Fatalf("%q parsed as %+v", raw, tg)
		}
	})
}

// FuzzParseTargetSecret: the password of a URL's user information changes nothing in the error, so no
// part of it can appear there. It is compared with a stand-in of the same shape (each character swapped
// for another of its kind), which a URL parser treats alike.
func FuzzParseTargetSecret(f *testing.F) {
	f.Add("https", "Secr3t", "host")
	f.Add("https", "Secr3t", "host:bad")
	f.Add("https", "Secr3t", "ho st")
	f.Add("https", "Secr3t%zz", "host/")
	f.Add("ftp", "Secr3t", "host")
	f.Add("http", "Secr3t", "*.example.com")
	f.Fuzz(func(t *testing.T, scheme, secret, rest string) {
		if strings.ContainsAny(secret, "/?#@") {
			t.Skip("it ends the user information: then it is no password")
		}
		show := func(pw string) string {
			_, err := ParseTarget(scheme + "://bob:" + pw + "@" + rest)
			return fmt.Sprint(err)
		}
		if got, want := show(secret), show(sameShape(secret)); got != want {
			t.Fatalf("the password changes the error:\n%s\n%s", got, want)
		}
	})
}

// sameShape swaps each hex letter, other letter and digit of s for another of its kind.
func sameShape(s string) string {
	return strings.Map(func(r rune) rune {
		switch l := r | 0x20; {
		case 'a' <= l && l <= 'f':
			return r - l + 'a' + (l-'a'+1)%6
		case 'g' <= l && l <= 'z':
			return r - l + 'g' + (l-'g'+1)%20
		case '0' <= r && r <= '9':
			return '0' + (r-'0'+1)%10
		}
		return r
	}, s)
}

// FuzzCatalog: the catalog format writes back to text that parses the same; a catalog file parses or
// fails with ErrInvalidCatalog; and every target a valid catalog selects is a URL that parses back to
// itself, so it can be probed.
func FuzzCatalog(f *testing.F) {
	f.Add([]byte(goodCloud+"# comment\n"+goodEntry), []byte(goodRegions))
	f.Add([]byte(goodCloud+goodEntry+"\n"+goodEntry), []byte(goodRegions+"Region: westus\n"))
	f.Add([]byte("Cloud: AzureCloud\nAliases: Public, azure\nIssuers: Microsoft Corporation, DigiCert Inc\n"+
		"HISDiscovery: https://his.example/d?location=<region>\n\n"+goodEntry), []byte(goodRegions+"PreviewRegions: westus2\n"))
	f.Add([]byte(goodCloud+strings.Replace(goodEntry, "Endpoint: example.com", "Endpoint: <region>.example.com\nTarget: https://<region>.example.com/x", 1)),
		[]byte(goodRegions))
	if data, err := os.ReadFile(filepath.Join("..", "..", "data", "azurechinacloud.txt")); err == nil {
		regions, _ := os.ReadFile(filepath.Join("..", "..", "data", "regions.txt"))
		f.Add(data, regions)
	}
	// The sources table is the embedded one (which has goodEntry's page), not fuzzed.
	pages := []byte(goodPage)
	if data, err := os.ReadFile(filepath.Join("..", "..", "data", pagesFile)); err == nil {
		pages = data
	}
	f.Fuzz(func(t *testing.T, cloud, regions []byte) {
		checkStanzasWriteBack(t, cloud)
		c, err := Parse(fstest.MapFS{"cloud.txt": {Data: cloud}, "regions.txt": {Data: regions}, pagesFile: {Data: pages}})
		if err != nil {
			if !errors.Is(err, ErrInvalidCatalog) {
				t.Fatalf("not an ErrInvalidCatalog: %v", err)
			}
			return
		}
		for _, cl := range c.Clouds {
			sel := Selection{Cloud: cl.Name, Extensions: []string{"all"}}
			if len(cl.Regions) > 0 {
				sel.Location = cl.Regions[0]
			}
			plan, err := c.Select(sel)
			if err != nil {
				continue
			}
			for _, ep := range plan.Endpoints {
				for _, tg := range ep.Targets {
					if again, err := ParseTarget(tg.URL); err != nil || again != tg {
						t.Fatalf("entry %q selects the target %+v, whose URL parses as %+v, %v", ep.Entry.Endpoint, tg, again, err)
					}
				}
			}
		}
	})
}

// checkStanzasWriteBack parses the stanza format, writes the stanzas back and parses them again.
func checkStanzasWriteBack(t *testing.T, data []byte) {
	stanzas, err := parseStanzas("cloud.txt", data)
	if err != nil {
		return
	}
	var b strings.Builder
	for _, s := range stanzas {
		for _, fl := range s.fields {
			b.WriteString(fl.key + ": " + fl.value + "\n")
		}
		b.WriteString("\n")
	}
	again, err := parseStanzas("cloud.txt", []byte(b.String()))
	if err != nil || len(again) != len(stanzas) {
		t.Fatalf("written back as %q, the stanzas parse as %d stanzas, %v", b.String(), len(again), err)
	}
	for i := range stanzas {
		if !slices.EqualFunc(stanzas[i].fields, again[i].fields, func(a, b field) bool { return a.key == b.key && a.value == b.value }) {
			t.Fatalf("stanza %d written back parses as %+v, not %+v", i, again[i].fields, stanzas[i].fields)
		}
	}
}

// FuzzDiscovery: a discovery answer yields only lower-case host names that are targets as they are.
func FuzzDiscovery(f *testing.F) {
	for _, s := range []string{`"https://weu.his.arc.azure.com"`, "https://uks.his.arc.azure.com\n", ` "https://WEU.his.arc.azure.com/" `,
		"weu.his.arc.azure.com", "weu.his.arc.azure.com:443", "", `{"url": 1}`, `"not a host"`, "<html>error</html>", `"https://"`,
		`["azgn-a.servicebus.windows.net","AZGN-B.servicebus.windows.net","azgn-a.servicebus.windows.net"]`, `[]`, `"x"`,
		`["not a host"]`, `{"a":1}`, `["https://azgn-c.servicebus.windows.net:443/x"]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var hosts []string
		if h, err := ParseHISDiscovery(body); err == nil {
			hosts = append(hosts, h)
		}
		if list, err := ParseNotificationAllowlist(body); err == nil {
			if len(list) == 0 || len(slices.Compact(slices.Sorted(slices.Values(list)))) != len(list) {
				t.Fatalf("%q: an empty list or one with duplicates: %q", body, list)
			}
			hosts = append(hosts, list...)
		}
		for _, h := range hosts {
			tg, err := ParseTarget("https://" + h)
			if err != nil || tg.Host != h || h != strings.ToLower(h) {
				t.Fatalf("%q yields the host %q, which as a target is %+v, %v", body, h, tg, err)
			}
			InDomainOf(h, "*.his.arc.azure.com")
			InDomainOf(h, "azgn*.servicebus.windows.net")
		}
	})
}
