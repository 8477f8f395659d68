// Command floor is the benchmarks' floor (checkbench_test.go): what a bare Go client does to reach the
// same endpoints as an arccheck run. It makes the discovery calls (-discover, all at once), then connects
// to every target at once: a verified TLS handshake with each https:// target (the system's roots, as
// arccheck's default), a GET of each http:// one. Every connection goes to -connect's address. It exits
// 0 when everything succeeded, 1 naming what did not. With -hole, the targets whose host name begins
// with "hole" connect to that address instead (a black hole); -timeout bounds the whole run.
//
//	floor -connect 127.0.0.1 [-hole 127.0.0.1:PORT] [-timeout 10s] [-discover URL]... URL...
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

func main() {
	connect := flag.String("connect", "", "the address every connection goes to")
	hole := flag.String("hole", "", "the address the targets named hole* connect to")
	timeout := flag.Duration("timeout", 10*time.Second, "the time the run may take")
	var discover []string
	flag.Func("discover", "a discovery URL to GET first (repeatable)", func(s string) error { discover = append(discover, s); return nil })
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, _ := net.SplitHostPort(addr)
		var d net.Dialer
		if *hole != "" && strings.HasPrefix(host, "hole") {
			return d.DialContext(ctx, network, *hole)
		}
		return d.DialContext(ctx, network, net.JoinHostPort(*connect, port))
	}
	client := &http.Client{Transport: &http.Transport{DialContext: dial}}
	failed := all(discover, func(u string) error { return get(ctx, client, u) })
	failed += all(flag.Args(), func(raw string) error {
		u, err := url.Parse(raw)
		if err != nil {
			return err
		}
		if u.Scheme == "http" {
			return get(ctx, client, raw)
		}
		port := u.Port()
		if port == "" {
			port = "443"
		}
		conn, err := dial(ctx, "tcp", net.JoinHostPort(u.Hostname(), port))
		if err != nil {
			return err
		}
		defer conn.Close()
		return tls.Client(conn, &tls.Config{ServerName: u.Hostname()}).HandshakeContext(ctx)
	})
	if failed > 0 {
		os.Exit(1)
	}
}

// all runs f on every item at once and returns how many failed, naming each on stderr.
func all(items []string, f func(string) error) int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	for _, it := range items {
		wg.Go(func() {
			if err := f(it); err != nil {
				mu.Lock()
				failed++
				fmt.Fprintf(os.Stderr, "floor: %s: %v\n", it, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return failed
}

// get GETs u and reads its answer.
func get(ctx context.Context, c *http.Client, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s", resp.Status)
	}
	return err
}
