package testnet

import (
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// DNSBehaviour is how a test DNS server answers.
type DNSBehaviour int

// The behaviours of a test DNS server.
const (
	DNSAnswer   DNSBehaviour = iota // answer from its records; NXDOMAIN for other names
	DNSNXDomain                     // answer NXDOMAIN to everything
	DNSSilent                       // never answer
)

// DNSRecord is how a test DNS server answers for one name, as a recursive resolver would.
type DNSRecord struct {
	// A and AAAA are the name's addresses. A known name with no address of the type asked for gets an
	// empty answer (NODATA).
	A, AAAA []netip.Addr
	// CNAME makes the name an alias. The server follows the aliases it knows and answers the whole
	// chain; a loop ends where it comes back on itself, with no address.
	CNAME string
	// RCode, when not success, is the answer: dnsmessage.RCodeNameError (NXDOMAIN), RCodeServerFailure,
	// RCodeRefused…
	RCode dnsmessage.RCode
	// Silent drops every query for the name.
	Silent bool
	// Delay holds every answer for the name back this long.
	Delay time.Duration
}

// DNSServer is a UDP DNS server on loopback.
type DNSServer struct {
	// Addr is ip:port.
	Addr string
	// Queries counts the queries received.
	Queries atomic.Int64
	mu      sync.Mutex
	records map[string]DNSRecord
	mode    DNSBehaviour
	pc      net.PacketConn
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
	s := &DNSServer{Addr: pc.LocalAddr().String(), records: map[string]DNSRecord{}, mode: mode, pc: pc}
	for name, addrs := range records {
		var r DNSRecord
		for _, a := range addrs {
			if ip := netip.MustParseAddr(a); ip.Is4() {
				r.A = append(r.A, ip)
			} else {
				r.AAAA = append(r.AAAA, ip)
			}
		}
		s.Set(name, r)
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
			s.reply(buf[:n], from)
		}
	}()
	t.Cleanup(func() { pc.Close(); <-done })
	return s
}

// Set makes the server answer for name (without the trailing dot, case-insensitive) as r says.
func (s *DNSServer) Set(name string, r DNSRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records[fqdn(name)] = r
}

func fqdn(name string) string { return strings.TrimSuffix(strings.ToLower(name), ".") + "." }

// reply answers one query, at once or after the name's delay.
func (s *DNSServer) reply(query []byte, to net.Addr) {
	resp, delay := s.answer(query)
	switch {
	case resp == nil:
	case delay > 0:
		time.AfterFunc(delay, func() { s.pc.WriteTo(resp, to) })
	default:
		s.pc.WriteTo(resp, to)
	}
}

func (s *DNSServer) answer(query []byte) ([]byte, time.Duration) {
	if s.mode == DNSSilent {
		return nil, 0
	}
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil, 0
	}
	q, err := p.Question()
	if err != nil {
		return nil, 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, known := s.records[strings.ToLower(q.Name.String())]
	if rec.Silent {
		return nil, 0
	}
	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired,
		RecursionAvailable: true, RCode: rec.RCode}
	if s.mode == DNSNXDomain || !known {
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, rh)
	b.EnableCompression()
	b.StartQuestions()
	b.Question(q)
	b.StartAnswers()
	if rh.RCode == dnsmessage.RCodeSuccess {
		s.addAnswers(&b, q)
	}
	out, err := b.Finish()
	if err != nil {
		return nil, 0
	}
	return out, rec.Delay
}

// addAnswers writes the CNAME chain from the question's name and the addresses at its end.
func (s *DNSServer) addAnswers(b *dnsmessage.Builder, q dnsmessage.Question) {
	name := q.Name
	seen := map[string]bool{}
	for {
		key := strings.ToLower(name.String())
		rec, ok := s.records[key]
		if !ok || seen[key] {
			return
		}
		seen[key] = true
		rrh := dnsmessage.ResourceHeader{Name: name, Class: dnsmessage.ClassINET, TTL: 60}
		if rec.CNAME != "" {
			target := dnsmessage.MustNewName(fqdn(rec.CNAME))
			b.CNAMEResource(rrh, dnsmessage.CNAMEResource{CNAME: target})
			name = target
			continue
		}
		switch q.Type {
		case dnsmessage.TypeA:
			for _, a := range rec.A {
				b.AResource(rrh, dnsmessage.AResource{A: a.As4()})
			}
		case dnsmessage.TypeAAAA:
			for _, a := range rec.AAAA {
				b.AAAAResource(rrh, dnsmessage.AAAAResource{AAAA: a.As16()})
			}
		}
		return
	}
}
