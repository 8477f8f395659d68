package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/check"
	"github.com/arccheck/arccheck/pkg/report"
)

// progress is the live progress line on a terminal's stderr: one line, redrawn in place every tenth of
// a second, and erased when the run ends.
type progress struct {
	w     io.Writer
	width int
	mu    sync.Mutex
	// pending maps each queued URL to when it was queued; done and failing count results.
	pending       map[string]time.Time
	order         []string
	done, failing int
	stop, stopped chan struct{}
}

// progressRedraw is how often the line is redrawn.
const progressRedraw = 100 * time.Millisecond

// startProgress draws the line on w. The line's control sequences go to the terminal as they are (past
// an escaping stderr); the text it shows, which names endpoints, is escaped here.
func startProgress(w io.Writer, width int) *progress {
	p := &progress{w: rawStderr(w), width: width, pending: map[string]time.Time{}, stop: make(chan struct{}), stopped: make(chan struct{})}
	go func() {
		defer close(p.stopped)
		t := time.NewTicker(progressRedraw)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				fmt.Fprint(p.w, "\r\x1b[K")
				return
			case <-t.C:
				p.draw()
			}
		}
	}()
	return p
}

func (p *progress) queued(url string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending[url] = time.Now()
	p.order = append(p.order, url)
}

func (p *progress) result(r check.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.pending, r.URL())
	p.done++
	if !r.Reachable {
		p.failing++
	}
}

func (p *progress) draw() {
	p.mu.Lock()
	waiting := ""
	for _, u := range p.order {
		if _, ok := p.pending[u]; ok {
			waiting = u
			break
		}
	}
	line := safetext.Line(report.ProgressStatus(p.done, len(p.order), p.failing, waiting))
	p.mu.Unlock()
	if p.width > 1 {
		line = clipColumns(line, p.width-1)
	}
	fmt.Fprint(p.w, "\r\x1b[K"+line)
}

// end erases the line; it returns once nothing more will be written.
func (p *progress) end() {
	close(p.stop)
	<-p.stopped
}

// clipColumns keeps at most n characters of s (the progress line never wraps).
func clipColumns(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
