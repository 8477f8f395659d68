package testnet

import (
	"os"
	"testing"
)

// TestMain runs the package's tests as root of a user and network namespace of their own when the user
// is not root (see EnterUserNamespace): the lab's ports 443 and 80.
func TestMain(m *testing.M) {
	EnterUserNamespace()
	os.Exit(m.Run())
}
