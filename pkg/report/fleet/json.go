package fleet

import (
	"io"

	"github.com/arccheck/arccheck/pkg/report"
	"github.com/arccheck/arccheck/pkg/report/internal/write"
)

// Document is the JSON form of the fleet view.
type Document struct {
	Schema    string         `json:"schema"`
	Tool      report.Tool    `json:"tool"`
	Servers   []ServerJSON   `json:"servers"`
	Endpoints []EndpointJSON `json:"endpoints"`
	WhatToFix []FixJSON      `json:"whatToFix"`
	Proxies   []ProxyJSON    `json:"proxies"`
	// NeedRegion are the servers whose report failed because required patterns needed a region.
	NeedRegion []string `json:"needRegion"`
}

// ServerJSON is one merged report.
type ServerJSON struct {
	Name        string `json:"name"`
	File        string `json:"file"`
	Version     string `json:"arccheckVersion"`
	Proxy       string `json:"proxy"`
	Failed      bool   `json:"failed"`
	Unreachable int    `json:"unreachable"`
}

// EndpointJSON is one endpoint across the fleet.
type EndpointJSON struct {
	Endpoint string `json:"endpoint"`
	Pattern  string `json:"pattern"`
	Required bool   `json:"required"`
	Servers  int    `json:"servers"`
	Failed   int    `json:"failed"`
	// RequiredFailed counts the failures on servers that required it: those that failed a run.
	RequiredFailed int            `json:"requiredFailed"`
	Classes        map[string]int `json:"classes"`
	FailedOn       []string       `json:"failedOn"`
}

// FixJSON is one change for one pattern and the servers that need it.
type FixJSON struct {
	Action  string   `json:"action"`
	Pattern string   `json:"pattern"`
	Servers []string `json:"servers"`
}

// ProxyJSON is one proxy and the servers behind it.
type ProxyJSON struct {
	Proxy   string `json:"proxy"`
	Servers int    `json:"servers"`
	Failed  int    `json:"failed"`
}

// JSON writes the fleet view as indented JSON.
func JSON(w io.Writer, tool report.Tool, f *Fleet) error {
	doc := Document{Schema: Schema, Tool: tool, Servers: []ServerJSON{}, Endpoints: []EndpointJSON{},
		WhatToFix: []FixJSON{}, Proxies: []ProxyJSON{}, NeedRegion: write.NonNil(f.NeedRegion)}
	for _, s := range f.Servers {
		doc.Servers = append(doc.Servers, ServerJSON(s))
	}
	for _, e := range f.Endpoints {
		doc.Endpoints = append(doc.Endpoints, EndpointJSON{Endpoint: e.Endpoint, Pattern: e.Pattern, Required: e.Required,
			Servers: e.Servers, Failed: e.Failed, RequiredFailed: e.RequiredFailed, Classes: e.Classes, FailedOn: write.NonNil(e.FailedOn)})
	}
	for _, fx := range f.Fixes {
		doc.WhatToFix = append(doc.WhatToFix, FixJSON(fx))
	}
	for _, p := range f.Proxies {
		doc.Proxies = append(doc.Proxies, ProxyJSON(p))
	}
	return write.JSON(w, doc)
}
