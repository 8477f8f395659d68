package exports

import (
	"fmt"
	"io"

	"github.com/arccheck/arccheck/internal/safetext"
	"github.com/arccheck/arccheck/pkg/endpoints"
	"github.com/arccheck/arccheck/pkg/report/internal/write"
)

// Allowlist writes one rule a line, "host port protocol" (management.azure.com 443 https,
// *.his.arc.azure.com 443 https), sorted and without duplicates, then the service tags as comment lines
// (# service tag: AzureArcInfrastructure). A URL path is dropped to its host. It returns the endpoints
// it left out because they still hold a placeholder.
func Allowlist(out io.Writer, p *endpoints.Plan) (Unfilled, error) {
	rules, unfilled := exportRules(p)
	w := write.To(out)
	for _, r := range rules {
		fmt.Fprintf(w, "%s %d %s\n", r.host, r.port.Number, r.port.Scheme)
	}
	for _, tag := range serviceTagNotes(p) {
		fmt.Fprintf(w, "# service tag: %s\n", safetext.Escape(tag))
	}
	return unfilled, w.Err()
}
