package main

import (
	"debug/buildinfo"
	"os/exec"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
)

// assertBadInput asserts a run was refused as bad input: exit 2, nothing on stdout, the one line want.
func assertBadInput(t *testing.T, r result, want string, args []string) {
	t.Helper()
	assert.Equal(t, exitBadInput, r.code, "%v: %s", args, r.stderr)
	assert.Empty(t, r.stdout, "%v", args)
	assert.Equal(t, "arccheck: "+want+"\n", r.stderr, "%v", args)
}

// TestUnknownCommandsAreRefused: a word that is no command is refused, with the valid commands and the
// nearest, whatever comes with it: --help, --version, or help before it. cobra alone printed the
// parent's help and exited 0.
func TestUnknownCommandsAreRefused(t *testing.T) {
	const root = `unknown command "chekc" (valid: catalog, check, completion, list, merge, version; did you mean check?)`
	const catalog = `unknown command "exprot" of arccheck catalog (valid: diff, export; did you mean export?)`
	const shell = `completion: unknown shell "bsh" (valid: bash, zsh, fish, powershell)`
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"chekc"}, root},
		{[]string{"chekc", "--help"}, root},
		{[]string{"chekc", "-l", "westeurope"}, root},
		{[]string{"--help", "chekc"}, root},
		{[]string{"-h", "chekc"}, root},
		{[]string{"--version", "chekc"}, root},
		{[]string{"-v", "chekc"}, root},
		{[]string{"help", "chekc"}, root},
		{[]string{"catalog", "exprot"}, catalog},
		{[]string{"catalog", "exprot", "--help"}, catalog},
		{[]string{"catalog", "--help", "exprot"}, catalog},
		{[]string{"help", "catalog", "exprot"}, catalog},
		{[]string{"completion", "bsh", "--help"}, shell},
		{[]string{"help", "completion", "bsh"}, shell},
		{[]string{"help", "check", "extra"}, `help: arccheck check has no command "extra" (see 'arccheck check --help')`},
		{[]string{"test"}, `unknown command "test" (valid: catalog, check, completion, list, merge, version; did you mean check, list?)`},
		{[]string{"ver"}, `unknown command "ver" (valid: catalog, check, completion, list, merge, version; did you mean version?)`},
		{[]string{"version", "extra"}, `version takes no arguments, got "extra" (see 'arccheck version --help')`},
	} {
		assertBadInput(t, runCLI(t, nil, tc.args...), tc.want, tc.args)
	}
}

// TestHelpOfEveryCommand: help with a command, the command with --help, and help alone show the help
// and exit 0.
func TestHelpOfEveryCommand(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"help"}, "Available Commands:"},
		{nil, "Available Commands:"},
		{[]string{"help", "check"}, "arccheck check [flags]"},
		{[]string{"help", "catalog", "diff"}, "arccheck catalog diff DOCS_DIR [flags]"},
		{[]string{"catalog", "--help"}, "export"},
		{[]string{"help", "version"}, "arccheck version [flags]"},
		{[]string{"help", "help"}, "arccheck help [command]"},
	} {
		r := runCLI(t, nil, tc.args...)
		assert.Equal(t, exitOK, r.code, "%v: %s", tc.args, r.stderr)
		assert.Contains(t, r.stdout, tc.want, "%v", tc.args)
		assert.Empty(t, r.stderr, "%v", tc.args)
	}
	r := runCLI(t, nil, "__complete", "help", "ca")
	assert.Contains(t, r.stdout, "catalog")
}

// TestFlagErrorsNameTheFlag: an unknown flag names the nearest known one; a value the flag's type refuses
// says what the flag wants, in arccheck's words, never a Go parser's.
func TestFlagErrorsNameTheFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "--clodu", "usgov"}, "unknown flag: --clodu; did you mean --cloud? (see 'arccheck check --help')"},
		{[]string{"list", "--locaton", "westeurope"}, "unknown flag: --locaton; did you mean --location? (see 'arccheck list --help')"},
		{[]string{"check", "--fail-om", "warning"}, "unknown flag: --fail-om; did you mean --fail-on? (see 'arccheck check --help')"},
		{[]string{"list", "--frobnicate"}, "unknown flag: --frobnicate (see 'arccheck list --help')"},
		{[]string{"check", "--http=maybe"}, `--http: invalid value "maybe": want true or false (--http alone means true)`},
		{[]string{"list", "--esu="}, `--esu: invalid value "": want true or false (--esu alone means true)`},
		{[]string{"check", "-q=x"}, `-q/--quiet: invalid value "x": want true or false (--quiet alone means true)`},
		{[]string{"check", "--timeout", "10"}, `--timeout: invalid value "10": want a duration with its unit, such as 10s, 500ms or 1m30s`},
		{[]string{"check", "--concurrency", "many"}, `--concurrency: invalid value "many": want a whole number`},
		{[]string{"list", "-e", `sql"`}, `-e/--extensions: invalid value "sql\"": want values separated by commas`},
		{[]string{"list", "-l"}, "-l/--location: needs a value (Azure region of the server's resource (e.g. westeurope); fills <region> endpoints)"},
	} {
		r := runCLI(t, nil, tc.args...)
		assertBadInput(t, r, tc.want, tc.args)
		for _, internal := range []string{"strconv", "ParseBool", "ParseInt", "invalid syntax", "time:", "parse error"} {
			assert.NotContains(t, r.stderr, internal, "%v", tc.args)
		}
	}
}

// TestFixedValuesInAnyCase: every flag whose value is one of a fixed set takes it in any case, and a
// value of none of them is refused naming the valid ones.
func TestFixedValuesInAnyCase(t *testing.T) {
	for _, args := range [][]string{
		{"list", "--cloud", "USGov", "-o", "PLAIN"},
		{"list", "--cloud", "azureUSgovernment", "-o", "plain"},
		{"list", "--mode", "Private-Link", "-o", "plain"},
		{"list", "-e", "SQL,Esu", "--extensions", "ALL", "-o", "plain"},
		{"list", "--agent", "OFF", "-o", "Json"},
		{"list", "--profile", "Legacy-Preview", "-o", "plain"},
		{"list", "--catalog", "EMBEDDED", "-o", "plain"},
		{"list", "--changes", "-o", "JSON"},
	} {
		r := runCLI(t, nil, args...)
		assert.Equal(t, exitOK, r.code, "%v: %s", args, r.stderr)
		assert.Empty(t, r.stderr, "%v", args)
	}
	srv := testnet.HTTPServer(t, "")
	r := runCLI(t, nil, "check", "--catalog", "None", "--endpoint", "http://"+srv.Addr, "--fail-on", "WARNING",
		"--proxy", "NONE", "--agent", "Off", "-o", "JSON")
	require.Equal(t, exitOK, r.code, r.stderr)
	doc := decodeCheck(t, r)
	assert.Equal(t, "none", doc.Settings.Catalog)
	assert.Equal(t, "--proxy none", doc.Settings.Proxy.Source)
	r = runCLI(t, nil, "check", "--proxy-bypass", "arm,AAD", "--proxy", "http://127.0.0.1:1", "-l", "westeurope",
		"--agent", "off", "-o", "json", "--timeout", "2s")
	require.Equal(t, exitUnreachable, r.code, r.stderr)
	assert.Equal(t, []string{"ARM", "AAD"}, decodeCheck(t, r).Settings.ProxyBypass)

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "--fail-on", "often"}, `--fail-on: unknown value "often" (valid: error, warning)`},
		{[]string{"list", "--agent", "maybe"}, `--agent: unknown value "maybe" (valid: auto, off)`},
		{[]string{"list", "--mode", "vpn"}, `--mode: unknown mode "vpn" (valid: direct, gateway, private-link)`},
		{[]string{"list", "--profile", "old"}, `--profile: unknown profile "old" (valid: legacy-preview)`},
		{[]string{"list", "--cloud", "mars"}, `--cloud: unknown cloud "mars" (valid: AzureChinaCloud, AzureCloud, AzureUSGovernment)`},
		{[]string{"list", "-o", "xml"}, `-o/--output: unknown format "xml" (valid: table, json, plain, allowlist, csv, squid, azure-firewall)`},
		{[]string{"check", "--agent", "off", "-l", "westeurope", "--proxy", "http://127.0.0.1:1", "--proxy-bypass", "dns"},
			`--proxy-bypass: unknown category "dns" (valid: AAD, ARM, Arc, AMA, ArcData)`},
	} {
		assertBadInput(t, runCLI(t, nil, tc.args...), tc.want, tc.args)
	}
}

// TestVersion: `arccheck version` and --version say the same; without -ldflags the version comes from
// the build information (the module's version, or the commit), never "dev" when there is one.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := runCLI(t, nil, args...)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Equal(t, "arccheck test\n", r.stdout)
	}
	info := func(version string, settings ...string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/arccheck/arccheck", Version: version}}
			for i := 0; i+1 < len(settings); i += 2 {
				bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
			}
			return bi, true
		}
	}
	none := func() (*debug.BuildInfo, bool) { return nil, false }
	rev := "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		set   string
		info  func() (*debug.BuildInfo, bool)
		wants string
	}{
		{"1.2.3", info("v0.0.0-x"), "1.2.3"}, // goreleaser's -X main.version={{ .Version }}
		{devVersion, info("v1.2.3"), "v1.2.3"},
		{devVersion, info("v0.0.0-20261123120000-0123456789ab+dirty"), "v0.0.0-20261123120000-0123456789ab+dirty"},
		{devVersion, info("(devel)", "vcs.revision", rev, "vcs.time", "2026-11-23T12:00:00Z", "vcs.modified", "false"), "devel-0123456789ab"},
		{devVersion, info("(devel)", "vcs.revision", rev, "vcs.modified", "true"), "devel-0123456789ab-dirty"},
		{devVersion, info("(devel)"), devVersion},
		{devVersion, none, devVersion},
	} {
		assert.Equal(t, tc.wants, resolveVersion(tc.set, tc.info))
	}
}

// TestVersionOfTheBinary builds arccheck as `go build` and as the release does (-X main.version): the
// first reports the version its build information holds, the second the version set.
func TestVersionOfTheBinary(t *testing.T) {
	bin := binary(t)
	out, err := exec.Command(bin, "--version").Output()
	require.NoError(t, err)
	info, err := buildinfo.ReadFile(bin)
	require.NoError(t, err)
	want := resolveVersion(devVersion, func() (*debug.BuildInfo, bool) { return info, true })
	assert.Equal(t, "arccheck "+want+"\n", string(out))
	if strings.Contains(info.String(), "vcs.revision") || (info.Main.Version != "" && info.Main.Version != "(devel)") {
		assert.NotEqual(t, "arccheck dev\n", string(out), "built in a checkout: %s", info)
	}
	released := t.TempDir() + "/arccheck"
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=9.8.7", "-o", released, ".")
	b, err := build.CombinedOutput()
	require.NoError(t, err, "%s", b)
	for _, args := range [][]string{{"--version"}, {"version"}} {
		out, err = exec.Command(released, args...).Output()
		require.NoError(t, err)
		assert.Equal(t, "arccheck 9.8.7\n", string(out), "%v", args)
	}
}
