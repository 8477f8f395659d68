package endpoints

import (
	"errors"
	"fmt"
	"strings"
)

// ErrBadSelection is what every SelectionError unwraps to: invalid selection input, a user error.
var ErrBadSelection = errors.New("invalid selection")

// Field names a part of a Selection (cmd maps each to its flag).
type Field string

// The parts of a Selection.
const (
	FieldCloud       Field = "cloud"
	FieldLocation    Field = "location"
	FieldMode        Field = "mode"
	FieldESU         Field = "esu"
	FieldExtensions  Field = "extensions"
	FieldGatewayURL  Field = "gateway-url"
	FieldProfile     Field = "profile"
	FieldProxyBypass Field = "proxy-bypass"
	FieldSet         Field = "set" // a name=value the catalog's endpoints contain (Selection.Values)
)

// SelectionError is invalid selection input: a value that is wrong on its own, or a part of the
// selection that conflicts with another (With).
type SelectionError struct {
	Field Field // the part of the selection that is wrong
	// Value is the value given, as given ("" when the problem is a conflict without a value). A URL
	// that may hold user information is shown without it.
	Value string
	// Reason is what is wrong, in words without flag names, e.g. "unknown cloud".
	Reason string
	// Valid lists the valid values (or, for a URL, its valid form), when there is a fixed set.
	Valid []string
	// Suggest lists the nearest valid values (regions), when any.
	Suggest []string
	// With is the other part of the selection it conflicts with, if any.
	With Field
	// WithValue is that part's value ("" for a switch such as FieldESU).
	WithValue string
	// Instead is another part of the selection that, set to InsteadValue, makes Value valid: the cloud
	// whose regions hold a region given with another cloud (Reason then says so, after the value).
	Instead      Field
	InsteadValue string
}

// Error writes the error on one line, naming parts of the selection by their Field names:
//
//	cloud: unknown cloud "mars" (valid: AzureChinaCloud, AzureCloud, AzureUSGovernment)
//	location: unknown AzureCloud region "westeurop" (did you mean westeurope?)
//	mode: the Arc gateway is available in AzureCloud only (got "gateway" with cloud "AzureChinaCloud")
//	esu: the ESU-only subset is for direct or private-link connections, not the Arc gateway (with mode "gateway")
//	location: "usgovvirginia" is a region of Azure Government (AzureUSGovernment), not of AzureCloud: give cloud usgov
//
// Suggestions, when there are any, are shown instead of the valid values.
func (e *SelectionError) Error() string {
	return e.Message(func(f Field) string { return string(f) })
}

// Message is Error with each part of the selection named by name (cmd names the flags).
func (e *SelectionError) Message(name func(Field) string) string {
	if e.Instead != "" {
		return fmt.Sprintf("%s: %q %s: give %s %s", name(e.Field), e.Value, e.Reason, name(e.Instead), e.InsteadValue)
	}
	var b strings.Builder
	b.WriteString(name(e.Field) + ": " + e.Reason)
	switch {
	case e.With != "":
		b.WriteString(" (")
		if e.Value != "" {
			fmt.Fprintf(&b, "got %q ", e.Value)
		}
		b.WriteString("with " + name(e.With))
		if e.WithValue != "" {
			fmt.Fprintf(&b, " %q", e.WithValue)
		}
		b.WriteString(")")
	case e.Value != "":
		fmt.Fprintf(&b, " %q", e.Value)
	}
	switch {
	case len(e.Suggest) > 0:
		b.WriteString(" (did you mean " + strings.Join(e.Suggest, ", ") + "?)")
	case len(e.Valid) > 0:
		b.WriteString(" (valid: " + strings.Join(e.Valid, ", ") + ")")
	}
	return b.String()
}

// Unwrap returns ErrBadSelection, so that errors.Is(err, ErrBadSelection) holds.
func (e *SelectionError) Unwrap() error { return ErrBadSelection }

// names returns the values of a string type as strings.
func names[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}
