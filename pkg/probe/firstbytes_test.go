package probe

import (
	"io"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// chunkConn is a connection whose reads return the chunks in turn.
type chunkConn struct {
	net.Conn
	chunks []string
}

func (c *chunkConn) Read(b []byte) (int, error) {
	if len(c.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(b, c.chunks[0])
	c.chunks = c.chunks[1:]
	return n, nil
}

// TestFirstBytesConn: the first bytes are kept while they may be an HTTP answer, however the reads cut
// them, and a TLS record is recognised from its first byte and never kept.
func TestFirstBytesConn(t *testing.T) {
	for _, c := range []struct {
		name   string
		chunks []string
		kept   string
	}{
		{"an HTTP answer in one read", []string{"HTTP/1.1 403 Forbidden\r\n\r\n"}, "HTTP/1.1 403 Forbidden\r\n\r\n"},
		{"an HTTP answer cut inside HTTP/", []string{"H", "TT", "P/1.0 200 OK\r\n", "\r\n"}, "HTTP/1.0 200 OK\r\n\r\n"},
		{"a TLS record", []string{"\x16\x03\x03\x00\x7a" + string(make([]byte, 4000)), "more"}, ""},
		{"a near miss", []string{"HT", "TX/1.1 200 OK\r\n"}, ""},
		{"a near miss in one read", []string{"HTTX/1.1"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn := &firstBytesConn{Conn: &chunkConn{chunks: c.chunks}}
			buf := make([]byte, 8192)
			var read string
			for {
				n, err := conn.Read(buf)
				read += string(buf[:n])
				if err != nil {
					break
				}
			}
			assert.Equal(t, c.kept, conn.first.String())
			assert.Equal(t, c.kept == "", conn.done, "judged as soon as the bytes are not HTTP/")
			assert.Equal(t, strings.Join(c.chunks, ""), read, "every byte read is passed on")
		})
	}
}
