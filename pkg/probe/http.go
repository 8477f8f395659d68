package probe

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"time"
)

// request sends one GET over conn and reads the response head. Any HTTP response means reachable.
// absolute sends the request in absolute form, as to an HTTP proxy.
func (p *Prober) request(ctx, parent context.Context, conn net.Conn, r *Result, absolute bool) {
	t := r.Target
	phase := &HTTPPhase{}
	r.HTTP = phase
	start := time.Now()
	path := t.Path
	if path == "" {
		path = "/"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.Scheme+"://"+t.Address()+path, nil)
	if err != nil {
		r.fail(ClassHTTPError, "http", err.Error())
		return
	}
	req.Host = t.Host
	req.Header.Set("User-Agent", p.opts.UserAgent)
	req.Close = true
	if absolute {
		err = req.WriteProxy(conn)
	} else {
		err = req.Write(conn)
	}
	if err == nil {
		var resp *http.Response
		resp, err = http.ReadResponse(bufio.NewReader(conn), req)
		if err == nil {
			phase.Status = resp.StatusCode
			phase.StatusText = resp.Status
			io.CopyN(io.Discard, resp.Body, 4096)
			resp.Body.Close()
		}
	}
	phase.Duration = time.Since(start)
	if err != nil {
		class := classifyConn(err, parent, ClassHTTPError)
		if class == "" || class == ClassTCPRefused {
			class = ClassHTTPError
		}
		r.fail(class, "http", "no HTTP response: "+firstLine(err.Error()))
	}
}
