package testnet

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// SquidACLProblems has squid's configuration parser (squid -k parse) load the dstdomain ACL files at
// paths, each as `acl allowedN dstdomain "path"`, and returns every WARNING, ERROR or FATAL line it
// prints, such as "WARNING: 'management.azure.com' is a subdomain of '.azure.com'" for overlapping
// entries. None means squid takes the files as they are. It starts no daemon.
func SquidACLProblems(t testing.TB, paths ...string) []string {
	t.Helper()
	bin := RequireBinary(t, "squid", "squid-openssl")
	dir := sharedDir(t, "arccheck-squidacl-parse-")
	var c strings.Builder
	fmt.Fprintf(&c, `http_port 127.0.0.1:3128
visible_hostname arccheck-test-squid
pid_filename none
cache_log %s/cache.log
access_log none
cache deny all
pinger_enable off
`, dir)
	for i, path := range paths {
		acl := copyACL(t, path, dir, fmt.Sprintf("allowed%d.acl", i+1))
		fmt.Fprintf(&c, "acl allowed%d dstdomain %s\nhttp_access allow allowed%[1]d\n", i+1, strconv.Quote(acl))
	}
	c.WriteString("http_access deny all\n")
	conf := filepath.Join(dir, "squid.conf")
	write(t, conf, c.String())
	out, err := exec.Command(bin, "-k", "parse", "-f", conf).CombinedOutput()
	problems := squidProblems(string(out))
	if err != nil {
		problems = append(problems, fmt.Sprintf("squid -k parse: %v", err))
	}
	return problems
}

// StartSquidACL starts squid (see StartSquid) allowing CONNECT only to the names of the dstdomain ACL
// file at path (`acl allowed dstdomain "path"`, `http_access allow allowed`, then deny all), with hosts
// as its hosts_file. The test fails when squid warns about the file, at parse (SquidACLProblems) or in
// its cache.log.
func StartSquidACL(t testing.TB, path string, hosts map[string]string) *Squid {
	t.Helper()
	if problems := SquidACLProblems(t, path); len(problems) > 0 {
		t.Fatalf("squid does not take %s as it is:\n%s", path, strings.Join(problems, "\n"))
	}
	acl := copyACL(t, path, sharedDir(t, "arccheck-squidacl-"), "allowed.acl")
	s := StartSquid(t, SquidOptions{Allow: []string{strconv.Quote(acl)}, Hosts: hosts})
	log, err := os.ReadFile(filepath.Join(s.Dir, "cache.log"))
	if err != nil {
		t.Fatalf("reading squid's cache.log: %v", err)
	}
	if problems := squidProblems(string(log)); len(problems) > 0 {
		t.Fatalf("squid warned at start:\n%s", strings.Join(problems, "\n"))
	}
	return s
}

// copyACL copies an ACL file into dir under name, readable by the proxy user squid runs as.
func copyACL(t testing.TB, path, dir, name string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the ACL file: %v", err)
	}
	acl := filepath.Join(dir, name)
	write(t, acl, string(data))
	return acl
}

// squidProblems are the WARNING, ERROR and FATAL lines of squid's output.
func squidProblems(out string) []string {
	var problems []string
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "WARNING") || strings.Contains(line, "ERROR") || strings.Contains(line, "FATAL") {
			problems = append(problems, strings.TrimSpace(line))
		}
	}
	return problems
}
