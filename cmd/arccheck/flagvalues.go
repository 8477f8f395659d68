package main

// Flag values. A flag's fixed values are noted on the flag itself (completeValues, fixedWords): completion
// offers them, and a value given in any case is written as listed before the command runs, so that
// --fail-on WARNING, --mode Private-Link and --catalog NONE mean what they say. A value a flag's type
// refuses (--http=maybe, --timeout 10) is bad input naming the flag and what it wants, never the words of
// a parser; an unknown flag names the nearest known one.

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/arccheck/arccheck/pkg/endpoints"
)

// fixedValuesKey is the annotation that holds a flag's fixed values.
const fixedValuesKey = "arccheck_fixed_values"

// fixedWords are the words flags take besides free values, by flag name, on every command that has the
// flag: --catalog takes embedded or none besides a file, --proxy none besides a URL.
var fixedWords = map[string][]string{
	"catalog": {endpoints.EmbeddedName, "none"},
	"proxy":   {"none"},
}

// completeValues registers a flag's fixed values: completion offers them, and the value given is matched
// in any case (see canonicalValues). A value that is none of them is refused by the command, naming them.
func completeValues(cmd *cobra.Command, flag string, valid []string) {
	_ = cmd.Flags().SetAnnotation(flag, fixedValuesKey, valid)
	_ = cmd.RegisterFlagCompletionFunc(flag, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return valid, cobra.ShellCompDirectiveNoFileComp
	})
}

// withFixedWords notes fixedWords on every command of the tree that has those flags.
func withFixedWords(c *cobra.Command) {
	for name, words := range fixedWords {
		if c.Flags().Lookup(name) != nil {
			_ = c.Flags().SetAnnotation(name, fixedValuesKey, words)
		}
	}
	for _, sub := range c.Commands() {
		withFixedWords(sub)
	}
}

// canonicalValues writes each fixed value given, in whatever case, as its flag lists it ("WARNING" →
// "warning"; each item of a list, -e SQL,Esu → sql,esu). Other values are left as given.
func canonicalValues(c *cobra.Command) error {
	var err error
	c.Flags().Visit(func(f *pflag.Flag) {
		valid := f.Annotations[fixedValuesKey]
		if err != nil || len(valid) == 0 {
			return
		}
		canonical := func(v string) string {
			if i := slices.IndexFunc(valid, func(w string) bool { return strings.EqualFold(w, strings.TrimSpace(v)) }); i >= 0 {
				return valid[i]
			}
			return v
		}
		if list, ok := f.Value.(pflag.SliceValue); ok {
			items := list.GetSlice()
			for i := range items {
				items[i] = canonical(items[i])
			}
			err = list.Replace(items)
			return
		}
		err = f.Value.Set(canonical(f.Value.String()))
	})
	return err
}

// flagError words what pflag refused, as bad input: an unknown flag with the nearest known one, a value
// the flag's type refuses with what it wants, a flag without its value.
func flagError(c *cobra.Command, err error) error {
	see := fmt.Sprintf("(see '%s --help')", c.CommandPath())
	var unknown *pflag.NotExistError
	var invalid *pflag.InvalidValueError
	var missing *pflag.ValueRequiredError
	switch {
	case errors.As(err, &unknown) && unknown.GetSpecifiedShortnames() == "":
		name := unknown.GetSpecifiedName()
		if near := nearestFlag(c, name); near != "" {
			return badInput("unknown flag: --%s; did you mean --%s? %s", name, near, see)
		}
		return badInput("unknown flag: --%s %s", name, see)
	case errors.As(err, &invalid):
		return badInput("%s", invalidValue(invalid.GetFlag(), invalid.GetValue()))
	case errors.As(err, &missing):
		return badInput("%s: needs a value (%s)", flagName(missing.GetFlag()), usageOf(missing.GetFlag()))
	}
	return badInput("%v %s", err, see)
}

// nearestFlag is the name of c's flag nearest to name, "" when none is near (or name is too short to
// tell: every flag holds a letter or two of it).
func nearestFlag(c *cobra.Command, name string) string {
	if len(name) < 3 {
		return ""
	}
	var names []string
	add := func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	}
	c.Flags().VisitAll(add)
	c.InheritedFlags().VisitAll(add)
	// The nearness of region names (a prefix, or an edit distance of about a third) suits flag names.
	if near := endpoints.SuggestRegions(strings.ToLower(name), names, 1); len(near) > 0 {
		return near[0]
	}
	return ""
}

// wants says, by a flag's type, what its value must be.
var wants = map[string]string{
	"bool":        "want true or false",
	"duration":    "want a duration with its unit, such as 10s, 500ms or 1m30s",
	"int":         "want a whole number",
	"stringSlice": "want values separated by commas",
}

// usageOf is a flag's usage as a message says it: without the backquotes that name its value in help.
func usageOf(f *pflag.Flag) string {
	_, usage := pflag.UnquoteUsage(f)
	return usage
}

// invalidValue says that value is not one f takes, and what it takes: never the parser's own words.
func invalidValue(f *pflag.Flag, value string) string {
	want, ok := wants[f.Value.Type()]
	if !ok {
		want = "want " + usageOf(f)
	}
	if f.Value.Type() == "bool" {
		want += fmt.Sprintf(" (--%s alone means true)", f.Name)
	}
	return fmt.Sprintf("%s: invalid value %q: %s", flagName(f), value, want)
}
