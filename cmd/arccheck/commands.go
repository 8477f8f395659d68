package main

// Commands that do not exist: a word after a command that has subcommands is refused as an unknown
// command, with the nearest ones, before cobra runs anything; cobra would print the parent's help and
// succeed for "arccheck chekc --help", "arccheck help chekc" or "arccheck catalog exprot --help".

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// suggestFor are the words, besides misspellings, for which a command is suggested.
var suggestFor = map[string][]string{
	"check":   {"test", "probe", "verify", "run", "diagnose"},
	"list":    {"ls", "show", "endpoints"},
	"merge":   {"fleet", "combine", "summary"},
	"catalog": {"data", "docs"},
	"version": {"ver", "about"},
}

// withSubcommandRules makes every command that has subcommands refuse a word that is none of them, and
// suggest the nearest by spelling (cobra's Levenshtein distance 2, or a prefix) or by suggestFor.
func withSubcommandRules(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if s, ok := suggestFor[c.Name()]; ok && c.Parent() == root {
			c.SuggestFor = s
		}
		if c.HasSubCommands() {
			c.SuggestionsMinimumDistance = 2
			if c.Args == nil {
				c.Args = subcommandArgs
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// subcommandArgs refuses the first word given to a command that takes only subcommands.
func subcommandArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return unknownCommand(c, args[0])
	}
	return nil
}

// unknownCommand refuses a command that c does not have, naming the valid ones and the nearest.
func unknownCommand(c *cobra.Command, name string) error {
	var valid []string
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() && sub.Name() != "help" {
			valid = append(valid, sub.Name())
		}
	}
	of := ""
	if c.HasParent() {
		of = " of " + c.CommandPath()
	}
	hint := ""
	if s := slices.Compact(c.SuggestionsFor(name)); len(s) > 0 {
		hint = fmt.Sprintf("; did you mean %s?", strings.Join(s, ", "))
	}
	return badInput("unknown command %q%s (valid: %s%s)", name, of, strings.Join(valid, ", "), hint)
}

// refuseUnknownCommand refuses a command line whose first word after a command with subcommands is none
// of them, whatever flags come with it (--help, --version): cobra would show the help and succeed.
// Completion requests (__complete) are left to cobra.
func refuseUnknownCommand(root *cobra.Command, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "__") {
		return nil
	}
	c, rest, err := root.Find(args)
	if err != nil || !c.HasSubCommands() || c.Args == nil {
		return nil
	}
	if words := positionals(c, rest); len(words) > 0 {
		return c.Args(c, words)
	}
	return nil
}

// positionals are the words of args that are not flags or their values, as c's flags parse them. The
// flags are parsed into stand-ins, so that nothing of c changes; unknown flags are left to cobra.
func positionals(c *cobra.Command, args []string) []string {
	c.InitDefaultHelpFlag()
	fs := pflag.NewFlagSet(c.Name(), pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.ParseErrorsAllowlist.UnknownFlags = true
	add := func(f *pflag.Flag) {
		if fs.Lookup(f.Name) != nil || (f.Shorthand != "" && fs.ShorthandLookup(f.Shorthand) != nil) {
			return
		}
		fs.VarPF(standIn{f.Value.Type()}, f.Name, f.Shorthand, "").NoOptDefVal = f.NoOptDefVal
	}
	c.Flags().VisitAll(add)
	c.InheritedFlags().VisitAll(add)
	if fs.Parse(args) != nil {
		return nil
	}
	return fs.Args()
}

// standIn takes any value for a flag of the given type.
type standIn struct{ kind string }

func (standIn) String() string   { return "" }
func (standIn) Set(string) error { return nil }
func (s standIn) Type() string   { return s.kind }

// newHelpCmd is `arccheck help [command]`: cobra's, except that a topic that is no command is refused
// (cobra prints the root's help and succeeds) and a failed write is said (cobra exits 1 by itself).
func newHelpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Long:  "help shows the help of any command: arccheck help check, arccheck help catalog diff.",
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			target, _, err := c.Root().Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []cobra.Completion
			for _, sub := range target.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
					out = append(out, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			target, rest, err := c.Root().Find(args)
			switch {
			case err != nil:
				return unknownCommand(c.Root(), args[0])
			case len(rest) > 0 && target.HasSubCommands() && target.Args != nil:
				return target.Args(target, rest)
			case len(rest) > 0:
				return badInput("help: %s has no command %q (see '%s --help')", target.CommandPath(), rest[0], target.CommandPath())
			}
			target.InitDefaultHelpFlag()
			return target.Help()
		},
	}
}
