package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestBadInputIsRefused walks the values a new user tried that used to be accepted silently: each is
// refused with exit 2, one line on stderr naming the flag, nothing on stdout and no part of a secret.
func TestBadInputIsRefused(t *testing.T) {
	one := []string{"--catalog", "none", "--endpoint", "https://127.0.0.1:1"}
	cases := []struct {
		args []string
		flag string
	}{
		{[]string{"check", "--cloud", ""}, "--cloud"},
		{[]string{"list", "--cloud", ""}, "--cloud"},
		{[]string{"check", "--mode", ""}, "--mode"},
		{[]string{"check", "-e", ""}, "-e/--extensions"},
		{[]string{"list", "-e", ",,"}, "-e/--extensions"},
		{[]string{"check", "--gateway-url", ""}, "--gateway-url"},
		{[]string{"check", "--ca-file", ""}, "--ca-file"},
		{[]string{"list", "--profile", ""}, "--profile"},
		{[]string{"check", "--dns-server", ""}, "--dns-server"},
		{[]string{"check", "--dns-server", "127.0.0.53:0"}, "--dns-server"},
		{[]string{"check", "--endpoint", ""}, "--endpoint"},
		{[]string{"check", "--resolve", ""}, "--resolve"},
		{[]string{"check", "--proxy", "]"}, "--proxy"},
		{[]string{"check", "--proxy", "http://h:3128?x=1"}, "--proxy"},
		{[]string{"check", "--proxy", "http://bob:Secr3t@h:3128/path"}, "--proxy"},
		{[]string{"check", "--proxy-ca-file", "/nonexistent"}, "--proxy-ca-file"},
		{[]string{"check", "--proxy-ca-file", "/nonexistent", "--proxy", "http://127.0.0.1:1"}, "--proxy-ca-file"},
		{[]string{"check", "--gateway-url", "https://example.com"}, "--gateway-url"},
		{[]string{"check", "--no-proxy", "10.0.0.0/99", "--proxy", "http://127.0.0.1:1"}, "--no-proxy"},
		{[]string{"check", "--no-proxy", "corp.example"}, "--no-proxy"},
		{[]string{"check", "--connect-timeout", "5s", "--timeout", "2s"}, "--connect-timeout"},
		{append([]string{"check", "-l", "atlantis"}, one...), "--location"},
		{append([]string{"check", "--mode", "tunnel"}, one...), "--mode"},
		{append([]string{"check", "--cloud", "usgov"}, one...), "--cloud"},
		{append([]string{"check", "-e", "sql"}, one...), "--extensions"},
		{[]string{"check", "--resolve", "+a.example:443:127.0.0.1"}, "--resolve"},
		{[]string{"check", "--resolve", "a.example:443:127.0.0.1,nowhere"}, "--resolve"},
		{[]string{"check", "--endpoint", "https://bob:Secr3t@127.0.0.1:1"}, "--endpoint"},
		{[]string{"check", "-o", "xml"}, "-o/--output"},
	}
	for _, tc := range cases {
		r := runCLI(t, nil, tc.args...)
		name := strings.Join(tc.args, " ")
		assert.Equal(t, exitBadInput, r.code, "%s: %s", name, r.stderr)
		assert.Empty(t, r.stdout, name)
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "%s: one line: %q", name, r.stderr)
		assert.True(t, strings.HasPrefix(r.stderr, "arccheck: "), "%s: %q", name, r.stderr)
		assert.Contains(t, r.stderr, tc.flag, name)
		assert.NotContains(t, r.stderr, "Secr3t", name)
		assert.NotContains(t, r.stderr, "bob", name)
	}
}

// TestProxyURLsNeverShowTheirPassword: passwords with '?' and '#' are user information, not a query
// or fragment, and no part of them appears anywhere.
func TestProxyURLsNeverShowTheirPassword(t *testing.T) {
	for _, tc := range []struct{ proxy, shown, secret string }{
		{"http://alice:2024?Spring@127.0.0.1:1", "http://127.0.0.1:1", "2024?Spring"},
		{"http://a:12345678#x@127.0.0.1:1", "http://127.0.0.1:1", "12345678"},
	} {
		for _, format := range []string{"table", "json"} {
			r := runCLI(t, nil, "check", "--catalog", "none", "--endpoint", "https://management.azure.com", "--proxy", tc.proxy,
				"-o", format, "--timeout", "2s", "-v")
			assert.Equal(t, exitUnreachable, r.code, r.stderr)
			assert.Contains(t, r.stdout, tc.shown)
			for _, part := range []string{tc.secret, "2024", "Spring", "12345678", "alice:"} {
				assert.NotContains(t, r.stdout+r.stderr, part, tc.proxy)
			}
		}
	}
}

// TestFileErrorsNameTheFile: every file a flag or argument names that cannot be read (missing, a
// directory, a named pipe) is refused naming the file, with no system call's name.
func TestFileErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	missing, fifo := filepath.Join(dir, "missing.pem"), mkfifo(t)
	for _, path := range []string{missing, dir, fifo} {
		for _, args := range [][]string{
			{"check", "--ca-file", path},
			{"check", "--public-roots", path},
			{"check", "--proxy", "https://127.0.0.1:1", "--proxy-ca-file", path},
			{"check", "--catalog", path},
			{"list", "--catalog", path},
			{"catalog", "diff", path},
			{"merge", path},
		} {
			if args[0] == "merge" && path != missing {
				continue // a directory is searched for reports; a named pipe is read (<(...))
			}
			r := runCLI(t, nil, args...)
			assert.Equal(t, exitBadInput, r.code, "%v: %s", args, r.stderr)
			assert.Empty(t, r.stdout, "%v", args)
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "%v: one line: %q", args, r.stderr)
			assert.Contains(t, r.stderr, path, "%v", args)
			assert.NotRegexp(t, `\b(open|stat|lstat|read) /`, r.stderr, "%v", args)
		}
	}
}
