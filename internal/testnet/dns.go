package testnet

import (
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// DNSBehaviour is how a test DNS server answers.
type DNSBehaviour int

// The behaviours of a test DNS server.
const (
	DNSAnswer   DNSBehaviour = iota // answer from Records; NXDOMAIN for other names
	DNSNXDomain                     // answer NXDOMAIN to everything
	DNSSilent                       // never answer
)

// DNSServer is a UDP DNS server on loopback.
type DNSServer struct {
	// Addr is ip:port.
	Addr string
	// Queries counts the queries received.
	Queries atomic.Int64
	mu      sync.Mutex
	records map[string][]netip.Addr
	mode    DNSBehaviour
}

// NewDNSServer starts a DNS server on 127.0.0.1 that answers A and AAAA queries from records
// (name → addresses; names without the trailing dot, case-insensitive).
func NewDNSServer(t testing.TB, mode DNSBehaviour, records map[string][]string) *DNSServer {
	t.Helper()
	return NewDNSServerAt(t, "127.0.0.1:0", mode, records)
}

// NewDNSServerAt is NewDNSServer on a given loopback address (port 53 needs root).
func NewDNSServerAt(t testing.TB, addr string, mode DNSBehaviour, records map[string][]string) *DNSServer {
	t.Helper()
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &DNSServer{Addr: pc.LocalAddr().String(), records: map[string][]netip.Addr{}, mode: mode}
	for name, addrs := range records {
		for _, a := range addrs {
			s.records[strings.ToLower(name)+"."] = append(s.records[strings.ToLower(name)+"."], netip.MustParseAddr(a))
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			s.Queries.Add(1)
			if resp := s.answer(buf[:n]); resp != nil {
				pc.WriteTo(resp, from)
			}
		}
	}()
	t.Cleanup(func() { pc.Close(); <-done })
	return s
}

func (s *DNSServer) answer(query []byte) []byte {
	if s.mode == DNSSilent {
		return nil
	}
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil
	}
	q, err := p.Question()
	if err != nil {
		return nil
	}
	name := strings.ToLower(q.Name.String())
	s.mu.Lock()
	addrs, known := s.records[name]
	s.mu.Unlock()
	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired,
		RecursionAvailable: true}
	if s.mode == DNSNXDomain || !known {
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, rh)
	b.EnableCompression()
	b.StartQuestions()
	b.Question(q)
	b.StartAnswers()
	if rh.RCode == dnsmessage.RCodeSuccess {
		for _, a := range addrs {
			rrh := dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60}
			switch {
			case q.Type == dnsmessage.TypeA && a.Is4():
				b.AResource(rrh, dnsmessage.AResource{A: a.As4()})
			case q.Type == dnsmessage.TypeAAAA && a.Is6():
				b.AAAAResource(rrh, dnsmessage.AAAAResource{AAAA: a.As16()})
			}
		}
	}
	out, err := b.Finish()
	if err != nil {
		return nil
	}
	return out
}
