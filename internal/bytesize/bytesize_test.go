package bytesize

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWords(t *testing.T) {
	for n, want := range map[int64]string{1 << 30: "1 GiB", 3 << 30: "3 GiB", 64 << 20: "64 MiB", 1 << 20: "1 MiB",
		64 << 10: "64 KiB", 1536 << 10: "1536 KiB", 1000: "1000 bytes", 0: "0 bytes", (1 << 20) + 1: "1048577 bytes"} {
		assert.Equal(t, want, Words(n), n)
	}
}
