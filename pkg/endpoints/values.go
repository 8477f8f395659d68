package endpoints

import (
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/arccheck/arccheck/internal/lazyre"
)

// Value is a name only the user knows that some endpoints contain: a Log Analytics workspace ID, a data
// collection endpoint, a Key Vault. The user gives it as name=value (cmd's --set); without it those
// endpoints are listed as not tested.
type Value struct {
	// Name is what the user sets, e.g. "workspace-id".
	Name string
	// Placeholders are how the documentation writes it in endpoints, e.g. "<workspace-id>".
	Placeholders []string
	// Scenarios are the scenarios whose endpoints contain it; setting it needs one of them selected.
	Scenarios []string
	// Form says in words what a valid value looks like.
	Form  string
	valid func() *regexp.Regexp
}

// Values are the names the catalog's endpoints may contain.
var Values = []Value{
	{Name: "workspace-id", Placeholders: []string{"<workspace-id>"}, Scenarios: []string{"ama"},
		Form:  "a Log Analytics workspace ID, a GUID such as 0b6c3b5e-1f2a-4c8d-9e7f-123456789abc",
		valid: lazyre.New(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)},
	{Name: "dce", Placeholders: []string{"<dce>"}, Scenarios: []string{"ama"},
		Form:  "the name of a data collection endpoint, the first label of its host name (letters, digits and hyphens)",
		valid: lazyre.New(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)},
	{Name: "vault", Placeholders: []string{"<vault>", "<azure-keyvault-name>"}, Scenarios: []string{"keyvault", "sql"},
		Form:  "a Key Vault name: 3 to 24 letters, digits and single hyphens, starting with a letter",
		valid: lazyre.New(`^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$`)},
}

// valueNames are the names of Values, for errors.
func valueNames() []string {
	var out []string
	for _, v := range Values {
		out = append(out, v.Name)
	}
	return out
}

// valuePlaceholders are every placeholder a Value stands for.
func valuePlaceholders() []string {
	var out []string
	for _, v := range Values {
		out = append(out, v.Placeholders...)
	}
	return out
}

// resolveValues checks the values given against Values and the selected scenarios, and returns them
// keyed by placeholder, lower-cased as DNS names are.
func resolveValues(given map[string]string, scenarios []string) (map[string]string, error) {
	names := make([]string, 0, len(given))
	for n := range given {
		names = append(names, n)
	}
	sort.Strings(names) // report the same error whatever the map's order
	out := map[string]string{}
	for _, name := range names {
		raw := given[name]
		i := slices.IndexFunc(Values, func(v Value) bool { return v.Name == strings.ToLower(name) })
		if i < 0 {
			return nil, &SelectionError{Field: FieldSet, Value: name, Reason: "unknown name", Valid: valueNames()}
		}
		v := Values[i]
		if !overlaps(v.Scenarios, scenarios) {
			return nil, &SelectionError{Field: FieldSet, Reason: v.Name + " is used only by the scenarios " +
				strings.Join(v.Scenarios, ", ") + ", none of which is selected", With: FieldExtensions, WithValue: strings.Join(scenarios, ",")}
		}
		if !v.valid().MatchString(raw) || strings.Contains(raw, "--") {
			return nil, &SelectionError{Field: FieldSet, Value: name + "=" + raw, Reason: "malformed value", Valid: []string{v.Form}}
		}
		for _, ph := range v.Placeholders {
			out[ph] = strings.ToLower(raw)
		}
	}
	return out, nil
}

// valueFor returns the Value a placeholder stands for.
func valueFor(placeholder string) (Value, bool) {
	i := slices.IndexFunc(Values, func(v Value) bool { return slices.Contains(v.Placeholders, placeholder) })
	if i < 0 {
		return Value{}, false
	}
	return Values[i], true
}
