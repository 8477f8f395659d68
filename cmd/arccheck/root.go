package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/arccheck/arccheck/pkg/endpoints"
)

// Exit codes (documented in README.md).
const (
	exitOK          = 0   // every required endpoint reachable (check), or the command succeeded
	exitUnreachable = 1   // a required endpoint is unreachable
	exitBadInput    = 2   // bad flags, values or files
	exitWriteFailed = 3   // the report could not be written (stdout closed, disk full)
	exitRuntime     = 4   // any other error at run time
	exitInterrupted = 130 // interrupted (Ctrl-C); 143 for SIGTERM and 129 for SIGHUP (128 + the signal)
)

// env is what a command may touch of the world: its streams, the environment and the terminal.
type env struct {
	Stdout, Stderr io.Writer
	// Getenv reads an environment variable.
	Getenv func(string) string
	// StdoutIsTerminal reports whether stdout is a terminal (colour and table layout); StdoutWidth is
	// its width in columns (0 when not a terminal, or unknown).
	StdoutIsTerminal bool
	StdoutWidth      int
	// StderrIsTerminal reports whether stderr is a terminal (live progress); StderrWidth its width.
	StderrIsTerminal bool
	StderrWidth      int
	// Context is cancelled by Ctrl-C, SIGTERM or SIGHUP (the cause says which).
	Context context.Context
	// Hostname returns the machine's name for reports.
	Hostname func() (string, error)
	// RunAgent runs an azcmagent command and returns its output; nil runs the real process.
	RunAgent func(ctx context.Context, path string, args ...string) ([]byte, error)
}

func newSystemEnv() env {
	e := env{Stdout: systemStdout(), Stderr: os.Stderr, Getenv: os.Getenv, Context: signalContext(), Hostname: os.Hostname}
	e.StdoutIsTerminal, e.StdoutWidth = terminal(os.Stdout)
	e.StderrIsTerminal, e.StderrWidth = terminal(os.Stderr)
	return e
}

// terminal reports whether f is a terminal, and its width in columns (0 when unknown).
func terminal(f *os.File) (bool, int) {
	fd := int(f.Fd())
	if !term.IsTerminal(fd) {
		return false, 0
	}
	w, _, err := term.GetSize(fd)
	if err != nil {
		return true, 0
	}
	return true, w
}

// colorAllowed applies the conventions: colour only on a terminal, never with NO_COLOR or TERM=dumb.
func colorAllowed(e env) bool {
	return e.StdoutIsTerminal && e.Getenv("NO_COLOR") == "" && e.Getenv("TERM") != "dumb"
}

// exitError carries the exit code of a failed command; err is nil when there is nothing more to say.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// badInput is a user error: one line naming the flag or file and what would be valid, exit 2.
func badInput(format string, args ...any) error {
	return &exitError{code: exitBadInput, err: fmt.Errorf(format, args...)}
}

// writeFailed is a failure to write the report.
func writeFailed(err error) error {
	return &exitError{code: exitWriteFailed, err: fmt.Errorf("writing the report: %w", err)}
}

// Execute runs the arccheck command line and returns its exit code. A write to stdout that failed is
// exit 3, whatever wrote it; everything written to stderr is escaped (see stdio.go).
func Execute(version string, args []string, e env) int {
	if e.Context == nil {
		e.Context = context.Background()
	}
	out := &stdoutWriter{w: e.Stdout}
	e.Stdout, e.Stderr = out, stderrWriter{w: e.Stderr}
	root := newRootCmd(version, e)
	root.SetArgs(args)
	err := refuseUnknownCommand(root, args)
	if err == nil {
		err = root.ExecuteContext(e.Context)
	}
	err = withStdoutFailure(err, out)
	if err == nil {
		return exitOK
	}
	code, msg := exitCode(err)
	if msg != "" {
		fmt.Fprintf(e.Stderr, "arccheck: %s\n", msg)
	}
	return code
}

// exitCode maps an error to its exit code and one-line message. Only errors known to be the user's are
// bad input; anything else is a runtime error.
func exitCode(err error) (int, string) {
	var ee *exitError
	var se *endpoints.SelectionError
	switch {
	case errors.As(err, &se):
		return exitBadInput, selectionMessage(se)
	case errors.As(err, &ee):
		return ee.code, oneLine(err)
	}
	return exitRuntime, oneLine(err)
}

func oneLine(err error) string {
	return strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", " ")
}

func newRootCmd(version string, e env) *cobra.Command {
	root := &cobra.Command{
		Use:   "arccheck",
		Short: "Check the network endpoints the Azure Arc Connected Machine agent needs",
		Long: "arccheck tells whether every network endpoint the Azure Connected Machine agent needs is\n" +
			"reachable from this server, and when one is not, why and what to change.",
		// No Version: cobra prints it through text/template, whose reflection keeps every exported method
		// of the program in the binary (2.4 MB of 15, all of it resident in a run); --version is below.
		Annotations:   map[string]string{versionAnnotation: version},
		SilenceUsage:  true,
		SilenceErrors: true,
		Example: "  arccheck check -l westeurope              # is every endpoint the agent needs reachable?\n" +
			"  arccheck list -l westeurope -o allowlist  # the rules to hand to the firewall team\n" +
			"  source <(arccheck completion bash)        # completion of commands, flags and values",
		// A word that is no command is refused (cobra's own handling would print help and succeed, or
		// fail with an untyped error); without one, the help.
		Args: subcommandArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if printVersion, _ := c.Flags().GetBool("version"); printVersion {
				return writeVersion(c)
			}
			return c.Help()
		},
	}
	// Help, usage and --version go to the command's stdout, whose write errors Execute reports.
	root.SetOut(e.Stdout)
	root.SetErr(e.Stderr)
	root.Flags().Bool("version", false, "version for arccheck") // cobra's own words for it
	root.SetFlagErrorFunc(flagError)
	g := &globalOptions{}
	// -v is --verbose everywhere, as in azcmagent; --version keeps only its long form.
	root.PersistentFlags().BoolVarP(&g.Verbose, "verbose", "v", false, "say more on stderr as the command runs")
	root.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		if err := canonicalValues(c); err != nil {
			return err
		}
		return rejectEmptyValues(c)
	}
	root.AddCommand(newListCmd(e, g), newCheckCmd(e, g), newMergeCmd(e, g), newCatalogCmd(e), newVersionCmd())
	root.SetHelpCommand(newHelpCmd())
	root.InitDefaultHelpCmd()
	strictCompletion(root)
	withSubcommandRules(root)
	withFixedWords(root)
	return root
}

// globalOptions are the flags every command has.
type globalOptions struct {
	// Verbose is -v/--verbose.
	Verbose bool
}

// rejectEmptyValues refuses a flag given an empty value (or an empty item in a list): an empty value
// is bad input, never "use the default".
func rejectEmptyValues(c *cobra.Command) error {
	var err error
	c.Flags().Visit(func(f *pflag.Flag) {
		if err != nil {
			return
		}
		values := []string{f.Value.String()}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			values = sv.GetSlice()
			if len(values) == 0 {
				values = []string{""}
			}
		} else if f.Value.Type() != "string" {
			return
		}
		for _, v := range values {
			if strings.TrimSpace(v) == "" {
				err = badInput("%s: an empty value is not valid (%s)", flagName(f), usageOf(f))
				return
			}
		}
	})
	return err
}

// flagName writes a flag as users type it: "-l/--location" or "--cloud".
func flagName(f *pflag.Flag) string {
	if f.Shorthand != "" {
		return "-" + f.Shorthand + "/--" + f.Name
	}
	return "--" + f.Name
}

// noArgs rejects positional arguments with a hint, as a bad-input error.
func noArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return badInput("%s takes no arguments, got %q (see '%s --help')", c.Name(), args[0], c.CommandPath())
	}
	return nil
}
