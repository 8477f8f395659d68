package main

import (
	"crypto/tls"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arccheck/arccheck/internal/testnet"
	"github.com/arccheck/arccheck/pkg/report"
)

// crossRunEnv turns on the tests that run the windows and arm64 binaries under wine and qemu. They
// run apart from the rest (in .ci/run's release step) so that their load does not disturb the timing
// of the probes' tests.
const crossRunEnv = "ARCCHECK_CROSSRUN"

// crossBuild builds a package of this module for another system, as the release does.
func crossBuild(t *testing.T, goos, goarch, pkg, name string) string {
	t.Helper()
	if os.Getenv(crossRunEnv) == "" {
		t.Skipf("runs the shipped binaries under emulation (a minute and much CPU): set %s=1, as .ci/run's release step does", crossRunEnv)
	}
	out := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", b)
	return out
}

// labEndpoint is a loopback TLS server for lab.example with a certificate from its own CA.
func labEndpoint(t *testing.T) (port, caFile string, ca *testnet.CA) {
	ca = testnet.NewCA(t, "Cross Root", "DigiCert Inc")
	srv := testnet.TLSServer(t, testnet.TLSOptions{Certificate: ca.ValidLeaf(t, "lab.example")})
	_, port, _ = net.SplitHostPort(srv.Addr)
	return port, ca.WritePEM(t), ca
}

// checkVerdict asserts a check report found lab.example reachable with a verified handshake.
func checkVerdict(t *testing.T, stdout []byte) {
	t.Helper()
	var doc report.CheckDocument
	require.NoError(t, json.Unmarshal(stdout, &doc), "%s", stdout)
	require.Len(t, doc.Results, 1)
	assert.True(t, doc.Results[0].Reachable, "%+v", doc.Results[0].Failure)
	require.NotNil(t, doc.Results[0].TLS)
	assert.True(t, doc.Results[0].TLS.Verified)
}

// TestArm64BinaryUnderQemu runs the linux/arm64 binary, as shipped, under user-mode emulation.
func TestArm64BinaryUnderQemu(t *testing.T) {
	bin := crossBuild(t, "linux", "arm64", ".", "arccheck")
	qemu := testnet.RequireBinary(t, "qemu-aarch64-static", "qemu-user-static")
	out, err := exec.Command(qemu, bin, "list", "-l", "westeurope", "--agent", "off", "-o", "plain").Output()
	require.NoError(t, err)
	assert.Contains(t, string(out), "management.azure.com")

	port, ca, _ := labEndpoint(t)
	out, err = exec.Command(qemu, bin, "check", "--agent", "off", "--catalog", "none", "--endpoint", "https://lab.example:"+port,
		"--resolve", "lab.example:*:127.0.0.1", "--ca-file", ca, "-o", "json").Output()
	require.NoError(t, err, "exit 0: the endpoint is reachable")
	checkVerdict(t, out)
}

// TestWindowsBinaryUnderWine runs the windows/amd64 binary under wine: the catalog, a check against a
// loopback TLS server with a Windows path to --ca-file, and the agent read from its Windows install
// location (%ProgramW6432%\AzureConnectedMachineAgent\azcmagent.exe).
func TestWindowsBinaryUnderWine(t *testing.T) {
	exe := crossBuild(t, "windows", "amd64", ".", "arccheck.exe")
	wine := testnet.RequireBinary(t, "wine", "wine64 (and wine)")
	gcc := testnet.RequireBinary(t, "x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64")
	fakeAgent := crossBuild(t, "windows", "amd64", "./testdata/fakeagent", "azcmagent.exe")

	prefix := t.TempDir()
	env := append(os.Environ(), "WINEPREFIX="+prefix, "WINEDEBUG=-all", "WINEARCH=win64", "WINEDLLOVERRIDES=bcryptprimitives=n;mscoree=;mshtml=")
	boot := exec.Command(wine, "wineboot", "--init")
	boot.Env = env
	out, err := boot.CombinedOutput()
	require.NoError(t, err, "%s", out)
	// The ProcessPrng shim (see testdata/prngshim), where Go looks for bcryptprimitives.dll.
	shim := filepath.Join(prefix, "drive_c", "windows", "system32", "bcryptprimitives.dll")
	out, err = exec.Command(gcc, "-shared", "-O2", "-o", shim, filepath.Join("testdata", "prngshim", "bcryptprimitives.c"),
		filepath.Join("testdata", "prngshim", "bcryptprimitives.def"), "-ladvapi32").CombinedOutput()
	require.NoError(t, err, "%s", out)

	run := func(extraEnv []string, args ...string) ([]byte, error) {
		cmd := exec.Command(wine, append([]string{exe}, args...)...)
		cmd.Env = append(append([]string{}, env...), extraEnv...)
		cmd.WaitDelay = 5 * time.Second
		return cmd.Output()
	}
	out, err = run(nil, "list", "-l", "westeurope", "--agent", "off", "-o", "plain")
	require.NoError(t, err)
	assert.Contains(t, string(out), "management.azure.com")

	port, ca, crossCA := labEndpoint(t)
	winCA := `Z:` + strings.ReplaceAll(ca, "/", `\`) // a Windows path: wine maps Z: to /
	out, err = run(nil, "check", "--agent", "off", "--catalog", "none", "--endpoint", "https://lab.example:"+port,
		"--resolve", "lab.example:*:127.0.0.1", "--ca-file", winCA, "-o", "json")
	require.NoError(t, err, "exit 0: the endpoint is reachable")
	checkVerdict(t, out)

	// The agent where its installer puts it: %ProgramW6432% is C:\Program Files in the wine prefix.
	pf := filepath.Join(prefix, "drive_c", "Program Files", "AzureConnectedMachineAgent")
	require.NoError(t, os.MkdirAll(pf, 0o755))
	b, err := os.ReadFile(fakeAgent)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(pf, "azcmagent.exe"), b, 0o755))
	out, err = run(nil, "list", "-o", "json")
	require.NoError(t, err)
	var doc report.ListDocument
	require.NoError(t, json.Unmarshal(out, &doc), "%s", out)
	assert.Equal(t, "westeurope", doc.Selection.Location, "read from the agent at its Windows location")
	assert.Equal(t, []string{"ama"}, doc.Selection.Scenarios)
	require.NotNil(t, doc.Agent)
	assert.Equal(t, `C:\Program Files\AzureConnectedMachineAgent\azcmagent.exe`, doc.Agent.Path)

	// The cipher rule: a TLS-1.2-only ECDSA server speaks no suite that Windows agents 1.56 to 1.63
	// accept. Beside the Windows agent 1.61 the row fails; beside 1.64, which reverted the rule, it warns.
	ecdsa := testnet.TLSServer(t, testnet.TLSOptions{Certificate: crossCA.ValidLeaf(t, "ecdsa.example"),
		MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}})
	_, ecdsaPort, _ := net.SplitHostPort(ecdsa.Addr)
	args := []string{"check", "--catalog", "none", "--endpoint", "https://ecdsa.example:" + ecdsaPort,
		"--resolve", "ecdsa.example:*:127.0.0.1", "--ca-file", winCA, "-o", "json"}
	for _, tc := range []struct {
		version string
		fails   bool
	}{{"1.61.02989.1843", true}, {"1.64.03400.100", false}} {
		out, err = run([]string{"FAKEAGENT_VERSION=" + tc.version}, args...)
		var check report.CheckDocument
		require.NoError(t, json.Unmarshal(out, &check), "%s", out)
		require.NotNil(t, check.Settings.Agent, tc.version)
		assert.Equal(t, "windows", check.Settings.Agent.OS)
		assert.Equal(t, tc.version, check.Settings.Agent.Version)
		require.Len(t, check.Results, 1)
		res := check.Results[0]
		if tc.fails {
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, tc.version)
			assert.Equal(t, exitUnreachable, exit.ExitCode())
			require.NotNil(t, res.Failure, tc.version)
			assert.Equal(t, "cipher_unsupported_by_agent", string(res.Failure.Class))
			continue
		}
		require.NoError(t, err, "%s: a warning, exit 0", tc.version)
		require.Len(t, res.Warnings, 1)
		assert.Equal(t, "cipher_unsupported_by_agent", string(res.Warnings[0].Class))
	}

	// The agent's job object: a hanging agent's child dies at the timeout, and one left holding the
	// output after an answer dies after it (pkg/agent's windows test, run under wine).
	tree := crossBuild(t, "windows", "amd64", "../../pkg/agent/testdata/treeagent", "treeagent.exe")
	agentTests := filepath.Join(t.TempDir(), "agent.test.exe")
	build := exec.Command("go", "test", "-c", "-o", agentTests, "../../pkg/agent")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=windows", "GOARCH=amd64")
	b, err = build.CombinedOutput()
	require.NoError(t, err, "%s", b)
	jobs := exec.Command(wine, agentTests, "-test.run", "^TestJobKillsTheAgentsChildren$", "-test.v")
	jobs.Env = append(append([]string{}, env...), "ARCCHECK_TREEAGENT=Z:"+strings.ReplaceAll(tree, "/", `\`))
	jobs.WaitDelay = 5 * time.Second
	out, err = jobs.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "--- PASS: TestJobKillsTheAgentsChildren", "%s", out)
}
