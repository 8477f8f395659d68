package probe

import (
	"cmp"
	"encoding/base64"
	"errors"
	"html"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/arccheck/arccheck/internal/safetext"
)

// redactionMarks stand in for a secret a peer quoted: the first that holds no form of the secret.
var redactionMarks = []string{"[redacted]", "[REDACTED]", "***", "###", ""}

// scrubber removes every form of the proxies' passwords from what peers say: a proxy may quote the
// credentials it received (in its status line, a header, an error page), and a secret never prints. The
// forms are the password and user:password as they are, percent-encoded (query, path and userinfo
// escaping, upper- and lower-case hex), in base64 (standard and URL alphabets, padded or not), quoted
// (Go's %q), HTML-escaped and as safetext.Escape writes them.
type scrubber struct {
	// forms are held as Secrets, longest first, so that printing a scrubber shows none of them.
	forms []Secret
	// mark replaces each form.
	mark string
}

// newScrubber returns the scrubber of the proxies' passwords; nil when none has one.
func newScrubber(proxies ...*Proxy) *scrubber {
	var raw []string
	for _, px := range proxies {
		if px == nil || px.Password.IsZero() {
			continue
		}
		raw = append(raw, secretForms(px.Username, px.Password.Reveal())...)
	}
	if len(raw) == 0 {
		return nil
	}
	slices.SortFunc(raw, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	raw = slices.Compact(raw)
	s := &scrubber{}
	for _, f := range raw {
		s.forms = append(s.forms, NewSecret(f))
	}
	for _, m := range redactionMarks {
		if !s.found(m) {
			s.mark = m
			break
		}
	}
	return s
}

// secretForms are the forms of a password, and of user:password, in which a peer may quote them.
func secretForms(user, password string) []string {
	var forms []string
	for _, v := range []string{password, user + ":" + password} {
		userinfo := url.UserPassword(user, password).String()
		if v == password {
			userinfo = strings.TrimPrefix(url.UserPassword("", password).String(), ":")
		}
		escaped := []string{url.QueryEscape(v), url.PathEscape(v), userinfo}
		for _, e := range escaped {
			forms = append(forms, e, lowerHex(e))
		}
		q := strconv.Quote(v)
		forms = append(forms, v, q[1:len(q)-1], html.EscapeString(v), safetext.Escape(v),
			base64.StdEncoding.EncodeToString([]byte(v)), base64.URLEncoding.EncodeToString([]byte(v)),
			base64.RawStdEncoding.EncodeToString([]byte(v)), base64.RawURLEncoding.EncodeToString([]byte(v)))
	}
	forms = append(forms, fragments(password)...)
	return slices.DeleteFunc(forms, func(f string) bool { return f == "" })
}

// minFragment is the shortest run of a password's characters that is scrubbed on its own: a peer that
// quotes part of the password (a prefix, the password cut by its own length limit) prints no part of it.
// maxFragmented bounds the passwords whose every run is a form (their count grows with the square).
const (
	minFragment   = 4
	maxFragmented = 128
)

// fragments are the runs of at least minFragment characters of a password (of at most maxFragmented
// bytes), and of at least a quarter of its length, so that a long password's common parts stay readable.
func fragments(password string) []string {
	r := []rune(password)
	if len(password) > maxFragmented || len(r) <= minFragment {
		return nil
	}
	least := max(minFragment, len(r)/4)
	var out []string
	for n := least; n < len(r); n++ {
		for i := 0; i+n <= len(r); i++ {
			out = append(out, string(r[i:i+n]))
		}
	}
	return out
}

// lowerHex writes the hex digits of s's percent-escapes in lower case (%2F → %2f).
func lowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lowerASCII(b[i+1]), lowerASCII(b[i+2])
		}
	}
	return string(b)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// found reports whether text holds any form of the secrets.
func (s *scrubber) found(text string) bool {
	for _, f := range s.forms {
		if strings.Contains(text, f.Reveal()) {
			return true
		}
	}
	return false
}

// maxScrubRounds bounds the rounds of replacement: a form may be made again where a mark meets the text
// around it; after these, the whole text is withheld.
const maxScrubRounds = 8

// scrub replaces every form of the secrets in text with the mark.
func (s *scrubber) scrub(text string) string {
	if s == nil {
		return text
	}
	for range maxScrubRounds {
		if !s.found(text) {
			return text
		}
		for _, f := range s.forms {
			text = strings.ReplaceAll(text, f.Reveal(), s.mark)
		}
	}
	if s.found(text) {
		return s.mark
	}
	return text
}

// clean makes text that may carry a peer's words fit to store in a Result: no secret, and no control or
// bidirectional character (escaped, see safetext). A nil scrubber only escapes.
func (s *scrubber) clean(text string) string {
	return s.scrub(safetext.Escape(s.scrub(text)))
}

// cleanAll cleans a list, in a new slice when anything changes: the list may be a certificate's own.
func (s *scrubber) cleanAll(list []string) []string {
	var out []string
	for i, v := range list {
		if c := s.clean(v); c != v && out == nil {
			out = slices.Clone(list)
			out[i] = c
		} else if out != nil {
			out[i] = c
		}
	}
	if out == nil {
		return list
	}
	return out
}

// result cleans every string of r that can carry what a peer said: the findings, the HTTP answer's
// words, the proxy's, the connection attempts' errors, the certificates' names and URLs.
func (s *scrubber) result(r *Result) {
	s.finding(r.Failure)
	for i := range r.Warnings {
		s.finding(&r.Warnings[i])
	}
	for i := range r.Addresses {
		s.finding(r.Addresses[i].Failure)
	}
	if h := r.HTTP; h != nil {
		h.StatusText, h.Evidence = s.clean(h.StatusText), s.clean(h.Evidence)
		s.answerer(h.BlockedBy)
	}
	if px := r.Proxy; px != nil {
		px.Status, px.ProxyCode, px.AuthSchemes = s.clean(px.Status), s.clean(px.ProxyCode), s.cleanAll(px.AuthSchemes)
		s.attempts(px.Attempts)
	}
	if r.TCP != nil {
		s.attempts(r.TCP.Attempts)
	}
	if r.TLS != nil {
		s.tls(r.TLS)
	}
}

// finding cleans every string of a finding's facts (nil: nothing), those of the findings it holds too.
func (s *scrubber) finding(f *Finding) {
	if f == nil {
		return
	}
	f.Err, f.Detail, f.Ended, f.Host = s.clean(f.Err), s.clean(f.Detail), s.clean(f.Ended), s.clean(f.Host)
	f.Proxy, f.ProxyHost, f.Connect = s.clean(f.Proxy), s.clean(f.ProxyHost), s.clean(f.Connect)
	f.Subject, f.Issuer, f.Interceptor = s.clean(f.Subject), s.clean(f.Issuer), s.clean(f.Interceptor)
	if a := f.Answer; a != nil {
		a.Status, a.Via, a.Server, a.SquidError = s.clean(a.Status), s.clean(a.Via), s.clean(a.Server), s.clean(a.SquidError)
		a.TransformedFrom, a.Location = s.clean(a.TransformedFrom), s.clean(a.Location)
	}
	s.answerer(f.By)
	if rf := f.Refusal; rf != nil {
		rf.Status, rf.ProxyCode, rf.AuthSchemes = s.clean(rf.Status), s.clean(rf.ProxyCode), s.cleanAll(rf.AuthSchemes)
	}
	if f.Gap != nil {
		f.Gap.Subject = s.clean(f.Gap.Subject)
	}
	if f.Legacy != nil {
		f.Legacy.Error = s.clean(f.Legacy.Error)
	}
	if c := f.Curl; c != nil {
		c.Proxy, c.Entry = s.clean(c.Proxy), s.clean(c.Entry)
	}
	s.finding(f.Cut)
	for _, ar := range slices.Concat(f.Failed, f.All) {
		s.finding(ar.Failure)
	}
}

// answerer cleans the names of who answered (nil: nothing).
func (s *scrubber) answerer(a *Answerer) {
	if a != nil {
		a.Server, a.Via, a.Portal = s.clean(a.Server), s.clean(a.Via), s.clean(a.Portal)
		a.Interceptor, a.Proxy = s.clean(a.Interceptor), s.clean(a.Proxy)
	}
}

func (s *scrubber) attempts(list []Attempt) {
	for i := range list {
		list[i].Error = s.clean(list[i].Error)
	}
}

func (s *scrubber) tls(t *TLSPhase) {
	t.Interceptor = s.clean(t.Interceptor)
	if t.Leaf != nil {
		leaf := s.certificate(*t.Leaf)
		t.Leaf = &leaf
	}
	if len(t.Chain) > 0 {
		chain := make([]Certificate, len(t.Chain))
		for i, c := range t.Chain {
			chain[i] = s.certificate(c)
		}
		t.Chain = chain
	}
	if t.SuiteRetry != nil {
		t.SuiteRetry.Error = s.clean(t.SuiteRetry.Error)
	}
	if t.Legacy != nil {
		t.Legacy.Error = s.clean(t.Legacy.Error)
	}
}

// certificate cleans a copy of c: its slices may be those of a certificate in a trusted pool.
func (s *scrubber) certificate(c Certificate) Certificate {
	c.Subject, c.Issuer = s.clean(c.Subject), s.clean(c.Issuer)
	c.SubjectOrg, c.IssuerOrganization, c.DNSNames = s.cleanAll(c.SubjectOrg), s.cleanAll(c.IssuerOrganization), s.cleanAll(c.DNSNames)
	c.CRL, c.OCSP, c.CAIssuers = s.cleanAll(c.CRL), s.cleanAll(c.OCSP), s.cleanAll(c.CAIssuers)
	return c
}

// scrubbedError is an error whose text held a secret or a control character: only the cleaned text is
// kept, and nothing to unwrap, as the error it stands for would show the secret again.
type scrubbedError struct{ msg string }

func (e *scrubbedError) Error() string { return e.msg }

// proxyError cleans a ProxyError's words (as result cleans a Result's), for callers of
// HTTPConnectDialer that print them; any other error is returned as it is.
func (s *scrubber) proxyError(err error) error {
	var pe *ProxyError
	if !errors.As(err, &pe) {
		return err
	}
	pe.Status, pe.ProxyCode, pe.AuthSchemes = s.clean(pe.Status), s.clean(pe.ProxyCode), s.cleanAll(pe.AuthSchemes)
	if pe.Err != nil {
		if msg := pe.Err.Error(); s.clean(msg) != msg {
			pe.Err = &scrubbedError{msg: s.clean(msg)}
		}
	}
	return err
}
