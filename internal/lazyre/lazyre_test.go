package lazyre

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNew(t *testing.T) {
	re := New(`^a+$`)
	assert.Same(t, re(), re(), "compiled once")
	assert.True(t, re().MatchString("aaa"))
	assert.Panics(t, func() { New(`(`)() }, "an invalid expression fails on first use, as MustCompile does")
}
