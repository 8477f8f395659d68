package probe

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
)

// maxResponseHead bounds the status line and headers of every answer arccheck reads from a peer: an
// endpoint, a proxy's answer to CONNECT or to an absolute-form request, an answer written where a TLS
// handshake was expected, a proof. An endpoint's or a proxy's head is a few hundred bytes, a block page's
// a few KiB; Go's http.Transport allows 1 MiB (MaxResponseHeaderBytes), far more than any of them needs.
const maxResponseHead = 64 << 10

// TooLargeError is an answer whose head, or a body that must be read whole, ran past its bound: a broken or
// hostile peer (ClassHTTPTooLarge). Nothing past the bound is read.
type TooLargeError struct {
	// Part is what ran past the bound: "head" or "body".
	Part string
	// Bound is the bound, in bytes.
	Bound int64
	// Peer is who should never send that: the endpoint, or a proxy answering CONNECT.
	Peer Peer
}

func (e *TooLargeError) Error() string {
	return "http: " + string(e.Peer) + " answer's " + e.Part + " over " + strconv.FormatInt(e.Bound, 10) + " bytes"
}

// Peer is who sent an answer.
type Peer string

// The peers.
const (
	PeerEndpoint Peer = "endpoint" // the endpoint
	PeerProxy    Peer = "proxy"    // a working proxy, answering CONNECT
)

// tooLarge reports whether err is a TooLargeError.
func tooLarge(err error) bool { return boundOf(err) != nil }

// boundOf is the TooLargeError in err's chain, or nil.
func boundOf(err error) *TooLargeError {
	var e *TooLargeError
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// headReader reads an answer from a peer: while the head is read, at most maxResponseHead bytes in all
// (http.ReadResponse has no bound of its own: a peer sending endless headers would fill memory until the
// deadline); after it, the body, whose every read is bounded by its own caller. Reads keep the deadline
// of the connection below: the caller sets it (see Prober.hook).
type headReader struct {
	r io.Reader
	// left is what the head may still take; body is set once the head is read.
	left int64
	body bool
	// over is set when the head needed more than maxResponseHead bytes; n counts the bytes read.
	over bool
	n    int64
}

// errHeadBound ends a read of the head at the bound; readResponse turns it into a TooLargeError.
var errHeadBound = errors.New("http: head over its bound")

func (h *headReader) Read(p []byte) (int, error) {
	if !h.body {
		if h.left <= 0 {
			h.over = true
			return 0, errHeadBound
		}
		p = p[:min(int64(len(p)), h.left)]
	}
	n, err := h.r.Read(p)
	h.n += int64(n)
	if !h.body {
		h.left -= int64(n)
	}
	return n, err
}

// responseReader reads one answer from r: its head with readResponse, then its body.
type responseReader struct {
	head *headReader
	// br holds what was read past the head: the start of the body, or a tunnel's first bytes.
	br *bufio.Reader
}

func newResponseReader(r io.Reader) *responseReader {
	h := &headReader{r: r, left: maxResponseHead}
	return &responseReader{head: h, br: bufio.NewReader(h)}
}

// readResponse reads the answer's head to req (nil: a GET) within maxResponseHead bytes; peer names who
// should never send a larger one, in the TooLargeError. The response's body is the rest of the stream;
// closing it does not read it (an endless body would keep the probe until its deadline): read what is
// needed with readBody or a bounded copy, and close the connection.
func (rr *responseReader) readResponse(req *http.Request, peer Peer) (*http.Response, error) {
	resp, err := http.ReadResponse(rr.br, req)
	if rr.head.over {
		if err == nil {
			resp.Body.Close()
		}
		return nil, &TooLargeError{Part: "head", Bound: maxResponseHead, Peer: peer}
	}
	rr.head.body = true
	if err != nil {
		return nil, err
	}
	resp.Body = undrainedBody{resp.Body}
	return resp, nil
}

// read is how many bytes were read from the stream so far.
func (rr *responseReader) read() int64 { return rr.head.n }

// undrainedBody is a response body whose Close reads nothing more: net/http's reads it to its end so
// that the connection can be reused, and arccheck never reuses one.
type undrainedBody struct{ io.Reader }

func (undrainedBody) Close() error { return nil }

// readBody reads a body that must be read whole, at most bound bytes of it: more is a TooLargeError, never
// content cut short.
func readBody(body io.Reader, bound int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(body, bound+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > bound {
		return nil, &TooLargeError{Part: "body", Bound: bound, Peer: PeerEndpoint}
	}
	return b, nil
}

// discardBody reads and drops at most n bytes of a body that is not needed, within the connection's deadline.
func discardBody(body io.Reader, n int64) {
	_, _ = io.CopyN(io.Discard, body, n)
}

// The bounds of bodies read only to be dropped: what follows a head arccheck judged, and a proxy's page
// refusing a CONNECT. Bodies that must be read whole have theirs: maxBody (Fetch), maxProofBody (a proof), maxOCSPBody (an OCSP answer).
const (
	maxDiscardBody = 4 << 10
	maxRefusalBody = 64 << 10
)

// failBody records why a body that must be read whole was not: too large, or the reading failed.
func failBody(ctx context.Context, r *Result, err error) {
	if tooLarge(err) {
		r.fail(Finding{Class: ClassHTTPTooLarge, Phase: PhaseHTTP, Cause: CauseTooLarge, Facts: Facts{Bound: boundOf(err)}})
		return
	}
	f := errFinding(ctx, classifyHTTP(err, ctx), PhaseHTTP, err)
	f.Cause = cmp.Or(f.Cause, CauseAnswerReadFailed)
	r.fail(f)
}
