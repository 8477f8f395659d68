// Package inert makes text that may have come from a peer inert in every format pkg/report writes:
// every string of a document at once (Value), and Markdown text and code (Markdown, Code).
package inert

import (
	"reflect"
	"regexp"
	"strings"

	"github.com/arccheck/arccheck/internal/safetext"
)

// Every string a document carries may have come from the network, an agent or a report file. JSON
// escapes control characters, but not a bidirectional override (U+202E) that reorders what a reader of
// the file sees, and a report read back for merge may hold anything. Value escapes every string of a
// document at once, so that no field added later can be forgotten.

// Value returns a copy of v with every string in it (fields, slice elements, map keys and values)
// escaped by safetext.Escape. v itself is not changed: slices, maps and pointers are copied, nil ones
// stay nil (null in JSON, not []).
func Value[T any](v T) T {
	in := reflect.ValueOf(&v).Elem()
	out := reflect.New(in.Type()).Elem()
	out.Set(inertValue(in))
	return out.Interface().(T)
}

// inertValue returns an escaped copy of v (see Value).
func inertValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		out := reflect.New(v.Type()).Elem()
		out.SetString(safetext.Escape(v.String()))
		return out
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(inertValue(v.Elem()))
		return out
	case reflect.Slice, reflect.Array:
		return inertSlice(v)
	case reflect.Map:
		return inertMap(v)
	case reflect.Struct:
		return inertStruct(v)
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(inertValue(v.Elem()))
		return out
	}
	return v // numbers, booleans: nothing to escape
}

func inertSlice(v reflect.Value) reflect.Value {
	var out reflect.Value
	switch {
	case v.Kind() == reflect.Array:
		out = reflect.New(v.Type()).Elem()
	case v.IsNil():
		return v
	default:
		out = reflect.MakeSlice(v.Type(), v.Len(), v.Len())
	}
	for i := range v.Len() {
		out.Index(i).Set(inertValue(v.Index(i)))
	}
	return out
}

// inertMap escapes keys and values; two keys that escape alike keep the value of the last one seen.
func inertMap(v reflect.Value) reflect.Value {
	if v.IsNil() {
		return v
	}
	out := reflect.MakeMapWithSize(v.Type(), v.Len())
	for it := v.MapRange(); it.Next(); {
		out.SetMapIndex(inertValue(it.Key()), inertValue(it.Value()))
	}
	return out
}

// inertStruct copies a struct, escaping its exported fields; unexported ones (time.Time's) are copied
// as they are.
func inertStruct(v reflect.Value) reflect.Value {
	out := reflect.New(v.Type()).Elem()
	out.Set(v)
	for i := range v.NumField() {
		if v.Type().Field(i).IsExported() {
			out.Field(i).Set(inertValue(v.Field(i)))
		}
	}
	return out
}

// markdownSpecial are the characters Markdown (and the HTML it allows) gives a meaning.
var markdownSpecial = regexp.MustCompile("[\\\\`*_{}\\[\\]()<>#+!|&~]")

// Markdown makes untrusted text inert in Markdown: escaped (safetext), every special character escaped.
func Markdown(s string) string {
	return markdownSpecial.ReplaceAllString(safetext.Escape(s), `\$0`)
}

// Code writes patterns as inline code, which shows them as typed (backquotes cannot occur in a host
// name; any other character is literal inside code).
func Code(patterns []string) string {
	var out []string
	for _, p := range patterns {
		out = append(out, "`"+strings.ReplaceAll(safetext.Escape(p), "`", "'")+"`")
	}
	return strings.Join(out, ", ")
}
