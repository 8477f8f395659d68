package endpoints

import (
	"slices"
	"sort"
	"strings"
)

// NormaliseRegion turns "West Europe", "west-europe" or "WestEurope" into "westeurope".
func NormaliseRegion(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '_' {
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
}

// matchRegion validates a location against regions (named in errors as those of cloud), suggesting
// the nearest names.
func matchRegion(raw string, regions []string, cloud string) (string, error) {
	r := NormaliseRegion(raw)
	if slices.Contains(regions, r) {
		return r, nil
	}
	return "", &SelectionError{Field: FieldLocation, Value: raw, Reason: "unknown " + cloud + " region",
		Valid: slices.Clone(regions), Suggest: SuggestRegions(r, regions, 3)}
}

// SuggestRegions returns up to n region names closest to r: those containing it, then by edit distance.
func SuggestRegions(r string, regions []string, n int) []string {
	type scored struct {
		name  string
		score int
	}
	var cands []scored
	for _, name := range regions {
		d := editDistance(r, name)
		if r != "" && (strings.Contains(name, r) || strings.Contains(r, name)) {
			d = min(d, 1)
		}
		if d <= max(2, len(r)/3) {
			cands = append(cands, scored{name, d})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score < cands[j].score
		}
		return cands[i].name < cands[j].name
	})
	var out []string
	for _, c := range cands[:min(n, len(cands))] {
		out = append(out, c.name)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
