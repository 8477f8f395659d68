package main

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/spf13/pflag"

	"github.com/arccheck/arccheck/pkg/endpoints"
)

// selectionFlags are the flags list and check share to choose endpoints.
type selectionFlags struct {
	// Cloud is --cloud.
	Cloud string
	// Location is -l/--location.
	Location string
	// Mode is --mode.
	Mode string
	// ESU is --esu.
	ESU bool
	// Extensions is -e/--extensions.
	Extensions []string
	// IncludeAll is --include-all: the extended scenarios, as azcmagent check --include-all.
	IncludeAll bool
	// GatewayURL is --gateway-url.
	GatewayURL string
	// Profile is --profile.
	Profile string
	// ProxyBypass is --proxy-bypass (registered by check only: it does not change a listing).
	ProxyBypass []string
	// Set is --set NAME=VALUE, repeatable: names only the user knows (workspace-id, dce, vault).
	Set []string
	// Agent is --agent: auto reads the installed Arc agent's settings, off ignores it.
	Agent string
	// changed reports whether a flag was given; nil means none was.
	changed func(name string) bool
}

// given reports whether the named flag was given on the command line.
func (s *selectionFlags) given(name string) bool { return s.changed != nil && s.changed(name) }

func (s *selectionFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&s.Cloud, "cloud", "AzureCloud", "Azure cloud: AzureCloud, AzureUSGovernment or AzureChinaCloud (case-insensitive; aliases such as public, usgov, gov, fairfax, china, 21vianet, mooncake)")
	fs.StringVarP(&s.Location, "location", "l", "", "Azure region of the server's resource (e.g. westeurope); fills <region> endpoints")
	fs.StringVar(&s.Mode, "mode", "", "connection mode: direct, gateway or private-link (default direct, or gateway with --gateway-url)")
	fs.BoolVar(&s.ESU, "esu", false, "use the ESU-only subset of endpoints (servers used only for Extended Security Updates)")
	fs.StringSliceVarP(&s.Extensions, "extensions", "e", nil, "include scenario endpoints: "+strings.Join(endpoints.Scenarios, ", ")+" or all (comma-separated or repeated)")
	fs.BoolVar(&s.IncludeAll, "include-all", false, "include the extended scenarios, as azcmagent check --include-all: "+strings.Join(endpoints.ExtendedScenarios, ", ")+" (licence validation)")
	fs.StringVar(&s.GatewayURL, "gateway-url", "", "your Arc gateway URL, https://<prefix>.gw.arc.azure.com (implies --mode gateway)")
	fs.StringVar(&s.Profile, "profile", "", "alternative endpoint set: legacy-preview (the 2019 preview)")
	fs.StringVar(&s.Agent, "agent", "auto", "auto: take the cloud, region, mode, proxy, proxy bypass and extensions not given as flags from the installed Arc agent; off: ignore it")
	fs.StringArrayVar(&s.Set, "set", nil, "NAME=VALUE: a name only you know that scenario endpoints contain: "+setNames()+"; repeatable")
}

// setNames lists the names --set takes, with the scenarios that use them.
func setNames() string {
	var out []string
	for _, v := range endpoints.Values {
		out = append(out, v.Name+" ("+strings.Join(v.Scenarios, ", ")+")")
	}
	return strings.Join(out, ", ")
}

func (s *selectionFlags) selection() (endpoints.Selection, error) {
	sel := endpoints.Selection{Cloud: s.Cloud, Location: s.Location, Mode: endpoints.Mode(s.Mode), ESU: s.ESU,
		Extensions: s.Extensions, IncludeAll: s.IncludeAll, GatewayURL: s.GatewayURL, Profile: s.Profile, ProxyBypass: s.ProxyBypass}
	for _, kv := range s.Set {
		name, value, ok := strings.Cut(kv, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		switch {
		case !ok || name == "" || value == "":
			return sel, badInput("--set: %q: want NAME=VALUE, one of %s", kv, setNames())
		case sel.Values[strings.ToLower(name)] != "":
			return sel, badInput("--set: %s is given twice", name)
		}
		if sel.Values == nil {
			sel.Values = map[string]string{}
		}
		sel.Values[strings.ToLower(name)] = value
	}
	return sel, nil
}

// catalogUsage is the help of --catalog FILE.
const catalogUsage = "endpoint catalog: embedded, or a catalog FILE in the data/ format (arccheck catalog export writes one)"

// loadCatalog reads --catalog: "embedded", or a catalog file, validated as the embedded catalog is.
// A file that cannot be read, is not a regular file or is malformed is bad input naming the file (and
// line and reason); "none" is check's alone.
func loadCatalog(value string) (*endpoints.Catalog, error) {
	switch value {
	case endpoints.EmbeddedName:
		cat, err := endpoints.Load()
		if err != nil {
			return nil, fmt.Errorf("embedded catalog: %w", err)
		}
		return cat, nil
	case "none":
		return nil, badInput("--catalog: none is for check only (it checks only --endpoint URLs); here give embedded or a catalog file")
	}
	cat, err := endpoints.ParseFile(value)
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe):
		// The file's name and what went wrong, without the system call's name ("open").
		return nil, badInput("--catalog: %s: %v (want embedded or a catalog file; arccheck catalog export writes one)", value, pe.Err)
	case errors.Is(err, endpoints.ErrInvalidCatalog):
		return nil, badInput("--catalog: %v", err)
	case err != nil:
		return nil, badInput("--catalog: %v (want embedded or a catalog file; arccheck catalog export writes one)", err)
	}
	return cat, nil
}

// selectionField is a part of a selection and the flags that set it.
type selectionField struct {
	// field is the part of the selection ("" for a flag that selects without a part of its own).
	field endpoints.Field
	// flags are the flags that set it; shown is how messages name them.
	flags []string
	shown string
}

// selectionFields is the one table of the flags that choose catalog endpoints, by the part of the
// selection each sets: -p/--enable-pls-check is --mode private-link; --include-all adds scenarios
// without a part of its own. pkg/report holds the words for each part.
var selectionFields = []selectionField{
	{endpoints.FieldCloud, []string{"cloud"}, "--cloud"},
	{endpoints.FieldLocation, []string{"location"}, "-l/--location"},
	{endpoints.FieldMode, []string{"mode", "enable-pls-check"}, "--mode"},
	{endpoints.FieldESU, []string{"esu"}, "--esu"},
	{endpoints.FieldExtensions, []string{"extensions"}, "--extensions"},
	{endpoints.FieldGatewayURL, []string{"gateway-url"}, "--gateway-url"},
	{endpoints.FieldProfile, []string{"profile"}, "--profile"},
	{endpoints.FieldProxyBypass, []string{"proxy-bypass"}, "--proxy-bypass"},
	{endpoints.FieldSet, []string{"set"}, "--set"},
	{"", []string{"include-all"}, "--include-all"},
}

// selectionMessage writes a selection error naming the flags.
func selectionMessage(e *endpoints.SelectionError) string {
	return e.Message(func(f endpoints.Field) string {
		for _, sf := range selectionFields {
			if sf.field == f {
				return sf.shown
			}
		}
		return string(f)
	})
}

// givenFields are the parts of the selection the user gave a flag for.
func (s *selectionFlags) givenFields() map[endpoints.Field]bool {
	out := map[endpoints.Field]bool{}
	for _, sf := range selectionFields {
		if sf.field != "" && slices.ContainsFunc(sf.flags, s.given) {
			out[sf.field] = true
		}
	}
	return out
}

// givenSelectionFlag is the first flag given that chooses catalog endpoints, if any.
func (s *selectionFlags) givenSelectionFlag() (string, bool) {
	for _, sf := range selectionFields {
		if i := slices.IndexFunc(sf.flags, s.given); i >= 0 {
			return sf.flags[i], true
		}
	}
	return "", false
}

// completeSelection registers the completion of the selection flags' values: the catalog's clouds, the
// regions of the cloud given (or AzureCloud), and the fixed values of the scenarios, modes, --agent and
// --profile (matched in any case: see completeValues).
func completeSelection(cmd *cobra.Command, s *selectionFlags) {
	values := func(list func() []string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return list(), cobra.ShellCompDirectiveNoFileComp
		}
	}
	catalog := func() *endpoints.Catalog {
		c, _ := endpoints.Load()
		return c
	}
	_ = cmd.RegisterFlagCompletionFunc("cloud", values(func() []string { return catalog().CloudNames() }))
	_ = cmd.RegisterFlagCompletionFunc("location", values(func() []string {
		c := catalog()
		if cl := c.Cloud(cmp.Or(s.Cloud, "AzureCloud")); cl != nil {
			return cl.Regions
		}
		return nil
	}))
	var modes []string
	for _, m := range endpoints.Modes {
		modes = append(modes, string(m))
	}
	completeValues(cmd, "mode", modes)
	completeValues(cmd, "extensions", append(slices.Clone(endpoints.Scenarios), "all"))
	completeValues(cmd, "agent", []string{"auto", "off"})
	completeValues(cmd, "profile", []string{endpoints.ProfileLegacyPreview})
	_ = cmd.RegisterFlagCompletionFunc("set", values(func() []string {
		var out []string
		for _, v := range endpoints.Values {
			out = append(out, v.Name+"=")
		}
		return out
	}))
}
