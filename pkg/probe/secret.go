package probe

import (
	"fmt"
	"io"
)

// Secret holds a value that must never be shown: a proxy password, or a form of it. Its String, GoString,
// fmt and JSON forms are all "[redacted]" (or "" when empty), so no code path that prints it can leak it;
// Reveal is for the one place that must send it. The value is held behind a pointer: fmt does not call
// the methods of a Secret it reaches through an unexported field, and prints its fields, where a pointer
// shows as an address.
type Secret struct{ v *string }

// NewSecret wraps a secret value.
func NewSecret(v string) Secret {
	if v == "" {
		return Secret{}
	}
	return Secret{v: &v}
}

// Reveal returns the secret itself, for sending it to the proxy. Never print it.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsZero reports whether there is no secret.
func (s Secret) IsZero() bool { return s.v == nil }

// String never shows the secret.
func (s Secret) String() string {
	if s.v == nil {
		return ""
	}
	return "[redacted]"
}

// GoString is String, for %#v.
func (s Secret) GoString() string { return s.String() }

// Format makes every verb (%s, %v, %q, %x, %+v …) print the redacted form.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// MarshalText redacts the secret in encoders that use text (JSON map keys, XML, YAML).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalJSON redacts the secret in JSON.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }
