package main

import (
	"bytes"
	"strings"

	"github.com/spf13/cobra"
)

// strictCompletion makes cobra's completion command refuse what it does not know as bad input: by
// itself it prints help and succeeds for an unknown shell, and fails with an untyped error on an extra
// argument. Its bash script works in a plain bash too (see bashCompletion).
func strictCompletion(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Args = func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return badInput("completion: unknown shell %q (valid: bash, zsh, fish, powershell)", args[0])
			}
			return nil
		}
		c.RunE = func(c *cobra.Command, args []string) error {
			return badInput("completion: name the shell: bash, zsh, fish or powershell")
		}
		for _, shell := range c.Commands() {
			shell.Args = noArgs
			if shell.Name() == "bash" {
				shell.Long = strings.Replace(shell.Long, "This script depends on the 'bash-completion' package.\n"+
					"If it is not installed already, you can install it via your OS's package manager.",
					"The script works in any bash 4 or later; with the 'bash-completion' package loaded, it uses its helpers.", 1)
				shell.RunE = bashCompletion
			}
		}
	}
}

// bashCompletion writes cobra's bash completion (V2) with a stand-in for the one function of the
// bash-completion package it needs to read the command line, _get_comp_words_by_ref: without the package
// (a plain `bash`, `source <(arccheck completion bash)`), Tab would fail with "command not found".
func bashCompletion(c *cobra.Command, args []string) error {
	noDesc, _ := c.Flags().GetBool("no-descriptions")
	var script bytes.Buffer
	if err := c.Root().GenBashCompletionV2(&script, !noDesc); err != nil {
		return err
	}
	script.WriteString(strings.ReplaceAll(bashWordsFallback, "NAME", c.Root().Name()))
	_, err := c.OutOrStdout().Write(script.Bytes())
	return err
}

// bashWordsFallback redefines the script's __NAME_init_completion (which calls _get_comp_words_by_ref):
// with the bash-completion package it is called as before; without it, the words are those of the line up
// to the cursor split at blanks, so that "--cloud=Az" and "host:443" stay one word, as the package's
// `-n =:` keeps them.
const bashWordsFallback = `
# Without the bash-completion package, read the words up to the cursor, split at blanks only.
__NAME_init_completion()
{
    COMPREPLY=()
    if declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
        _get_comp_words_by_ref "$@" cur prev words cword
        return
    fi
    local line=${COMP_LINE:0:COMP_POINT}
    read -r -a words <<< "$line"
    if [[ -z $line || $line == *[[:blank:]] ]]; then
        words+=("")
    fi
    cword=$(( ${#words[@]} - 1 ))
    cur=${words[cword]}
    prev=
    if (( cword > 0 )); then
        prev=${words[cword-1]}
    fi
}
`
