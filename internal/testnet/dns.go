package testnet

import (
	"encoding/binary"
	"io"
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
	DNSSilent                       // never answer, over UDP or TCP
	// DNSSilentTCP answers every UDP query truncated (TC), so that the client asks again over TCP, and
	// never answers over TCP.
	DNSSilentTCP
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

// DNSServer is a DNS server on loopback, over UDP and TCP on the same port. Over UDP, an answer larger
// than the query allows (512 bytes, or the EDNS0 size the query gives) is sent truncated (TC), with no
// records, so that the client asks again over TCP, as real servers do.
type DNSServer struct {
	// Addr is ip:port.
	Addr string
	// Queries counts the queries received, over UDP and TCP; TCPQueries those over TCP.
	Queries    atomic.Int64
	TCPQueries atomic.Int64
	mu         sync.Mutex
	records    map[string]DNSRecord
	mode       DNSBehaviour
	pc         net.PacketConn
	done       chan struct{} // closed when the server stops
	conns      map[net.Conn]struct{}
	asked      map[string][]chan struct{} // name → the channels of Asked to close at its next question
}

// NewDNSServer starts a DNS server on 127.0.0.1 that answers A and AAAA queries from records
// (name → addresses; names without the trailing dot, case-insensitive).
func NewDNSServer(t testing.TB, mode DNSBehaviour, records map[string][]string) *DNSServer {
	t.Helper()
	return NewDNSServerAt(t, "127.0.0.1:0", mode, records)
}

// NewDNSServerAt is NewDNSServer on a given loopback address. Port 53 needs root, of the machine or of
// the tests' user namespace (see EnterUserNamespace); without it the test skips (fails under RequireEnv).
func NewDNSServerAt(t testing.TB, addr string, mode DNSBehaviour, records map[string][]string) *DNSServer {
	t.Helper()
	pc, ln := listenUDPAndTCP(t, addr)
	s := &DNSServer{Addr: pc.LocalAddr().String(), records: map[string]DNSRecord{}, mode: mode, pc: pc,
		done: make(chan struct{}), conns: map[net.Conn]struct{}{}, asked: map[string][]chan struct{}{}}
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
	var wg sync.WaitGroup
	wg.Go(func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			s.Queries.Add(1)
			s.reply(buf[:n], from)
		}
	})
	wg.Go(func() { s.serveTCP(ln, &wg) })
	t.Cleanup(func() { s.stop(); pc.Close(); ln.Close(); wg.Wait() })
	return s
}

// listenUDPAndTCP listens on addr over UDP and, on the same port, over TCP; with port 0, on a port free
// for both.
func listenUDPAndTCP(t testing.TB, addr string) (net.PacketConn, net.Listener) {
	t.Helper()
	for try := 0; ; try++ {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			requirePrivilegedPort(t, "a DNS server listens on "+addr, err)
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln
		}
		pc.Close()
		if _, port, _ := net.SplitHostPort(addr); port != "0" || try == 20 {
			t.Fatalf("DNS server over TCP: %v", err)
		}
	}
}

// serveTCP answers queries over TCP (RFC 1035, 4.2.2: each message after its two-byte length) until
// the server stops.
func (s *DNSServer) serveTCP(ln net.Listener, wg *sync.WaitGroup) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		select {
		case <-s.done:
			c.Close()
		default:
			s.conns[c] = struct{}{}
			wg.Go(func() { s.answerTCP(c) })
		}
		s.mu.Unlock()
	}
}

// answerTCP answers the queries on one connection until the client closes it or the server stops.
func (s *DNSServer) answerTCP(c net.Conn) {
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}()
	for {
		var n [2]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return
		}
		query := make([]byte, binary.BigEndian.Uint16(n[:]))
		if _, err := io.ReadFull(c, query); err != nil {
			return
		}
		s.Queries.Add(1)
		s.TCPQueries.Add(1)
		resp, delay := s.answer(query, false)
		if resp == nil || !s.wait(delay) {
			continue
		}
		if _, err := c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(resp))), resp...)); err != nil {
			return
		}
	}
}

// stop stops the server and closes every connection.
func (s *DNSServer) stop() {
	s.mu.Lock()
	close(s.done)
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
}

// wait waits d, and reports false when the server stopped meanwhile.
func (s *DNSServer) wait(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-s.done:
		return false
	}
}

// Asked returns a channel that is closed when the server receives a question for name (without the
// trailing dot, case-insensitive), after this call, whether it answers or not: a readiness signal for a
// test that must act while a client (a proxy, say) is resolving the name.
func (s *DNSServer) Asked(name string) <-chan struct{} {
	ch := make(chan struct{})
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked[fqdn(name)] = append(s.asked[fqdn(name)], ch)
	return ch
}

// tellAsked closes the channels of Asked waiting for name; s.mu is held.
func (s *DNSServer) tellAsked(name string) {
	for _, ch := range s.asked[name] {
		close(ch)
	}
	delete(s.asked, name)
}

// Set makes the server answer for name (without the trailing dot, case-insensitive) as r says.
func (s *DNSServer) Set(name string, r DNSRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records[fqdn(name)] = r
}

func fqdn(name string) string { return strings.TrimSuffix(strings.ToLower(name), ".") + "." }

// reply answers one query over UDP, at once or after the name's delay.
func (s *DNSServer) reply(query []byte, to net.Addr) {
	resp, delay := s.answer(query, true)
	switch {
	case resp == nil:
	case delay > 0:
		time.AfterFunc(delay, func() { s.pc.WriteTo(resp, to) })
	default:
		s.pc.WriteTo(resp, to)
	}
}

// answer is the server's answer to query (nil for none) and how long to hold it back; over UDP, a
// truncated one when the whole would not fit.
func (s *DNSServer) answer(query []byte, udp bool) ([]byte, time.Duration) {
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
	name := strings.ToLower(q.Name.String())
	s.tellAsked(name)
	if s.mode == DNSSilent || (s.mode == DNSSilentTCP && !udp) {
		return nil, 0
	}
	rec, known := s.records[name]
	if rec.Silent {
		return nil, 0
	}
	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired,
		RecursionAvailable: true, RCode: rec.RCode}
	if s.mode == DNSNXDomain || !known {
		rh.RCode = dnsmessage.RCodeNameError
	}
	out, err := s.build(rh, q, rh.RCode == dnsmessage.RCodeSuccess)
	if udp && err == nil && (s.mode == DNSSilentTCP || len(out) > udpSize(&p)) {
		rh.Truncated = true
		out, err = s.build(rh, q, false)
	}
	if err != nil {
		return nil, 0
	}
	return out, rec.Delay
}

// build writes a message answering q, with the records when withAnswers is set.
func (s *DNSServer) build(rh dnsmessage.Header, q dnsmessage.Question, withAnswers bool) ([]byte, error) {
	b := dnsmessage.NewBuilder(nil, rh)
	b.EnableCompression()
	b.StartQuestions()
	b.Question(q)
	b.StartAnswers()
	if withAnswers {
		s.addAnswers(&b, q)
	}
	return b.Finish()
}

// udpSize is the largest answer over UDP the query accepts: the size its EDNS0 record gives (RFC 6891),
// 512 bytes without one (RFC 1035). p is past the question.
func udpSize(p *dnsmessage.Parser) int {
	if p.SkipAllQuestions() != nil || p.SkipAllAnswers() != nil || p.SkipAllAuthorities() != nil {
		return 512
	}
	for {
		h, err := p.AdditionalHeader()
		if err != nil {
			return 512
		}
		if h.Type == dnsmessage.TypeOPT {
			return max(512, int(h.Class))
		}
		if p.SkipAdditional() != nil {
			return 512
		}
	}
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
