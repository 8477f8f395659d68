// Package report shows arccheck's results to the people who run it: the catalog listing and the check
// results as a table, JSON for machines and support tickets (the schemas of check, list, list --changes
// and catalog diff), JUnit, Markdown and Prometheus; and the words users read: the hints that say what
// to fix (a table keyed by failure class) and the display words of the facts of pkg/probe, pkg/check and
// pkg/endpoints. It has no network code.
//
// The other audiences have rooms of their own: pkg/report/exports writes the rule files firewall and
// proxy teams paste (allowlist, CSV, squid, Azure Firewall), and pkg/report/fleet reads many servers'
// check reports and shows them together (arccheck merge). What every format shares, the terminal table
// and the escaping and writing of documents, is under pkg/report/internal.
package report
