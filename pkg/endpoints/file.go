package endpoints

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"sort"

	"github.com/arccheck/arccheck/data"
	"github.com/arccheck/arccheck/internal/boundedfile"
)

// EmbeddedName is the Name of the catalog embedded in the binary.
const EmbeddedName = "embedded"

// maxFileSize is the largest catalog file ParseFile reads (the embedded catalog is about 100 KB).
const maxFileSize = 4 << 20

// errCatalogTooLarge is returned for a catalog file larger than maxFileSize.
var errCatalogTooLarge = errors.New("catalog file too large")

// ErrNotRegularFile is returned for a catalog path that is not a regular file (a directory, a FIFO, a
// device): reading a FIFO or a terminal would wait for a writer that may never come.
var ErrNotRegularFile = errors.New("not a regular file")

// ParseFile reads and validates the catalog file at path, written as Export writes it: the data/
// format, each cloud's stanzas starting at its Cloud stanza, the regions stanzas (Cloud and Regions)
// and the sources table (Page stanzas). It validates exactly as Parse does; errors name the file and
// line. Anything but a regular file of at most 4 MiB is refused before it is read. The catalog's Name
// is path and its SHA256 the checksum of the bytes read.
func ParseFile(path string) (*Catalog, error) {
	raw, err := readRegular(path)
	if err != nil {
		return nil, err
	}
	stanzas, err := parseStanzas(path, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCatalog, err)
	}
	clouds, regions, pages, err := splitClouds(path, stanzas)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCatalog, err)
	}
	c, err := assemble(path, clouds, regions, pages)
	if err != nil {
		return nil, err
	}
	c.Name, c.SHA256 = path, checksum(raw)
	return c, nil
}

// readRegular reads a regular file of at most maxFileSize bytes (boundedfile.Read: a FIFO, which would
// block the read until a writer came, is refused, even one put in place of a regular file after a check
// by name).
func readRegular(path string) ([]byte, error) {
	raw, err := boundedfile.Read(path, maxFileSize)
	var notRegular *boundedfile.NotRegularError
	var tooLarge *boundedfile.TooLargeError
	switch {
	case errors.As(err, &notRegular):
		return nil, fmt.Errorf("%s: %w", path, ErrNotRegularFile)
	case errors.As(err, &tooLarge):
		return nil, fmt.Errorf("%w: %s: %w: more than %d bytes", ErrInvalidCatalog, path, errCatalogTooLarge, maxFileSize)
	}
	return raw, err
}

// cloudStanzas are the stanzas of one cloud, from the file they were read from.
type cloudStanzas struct {
	file    string
	stanzas []stanza
}

// assemble builds and validates a catalog from each cloud's stanzas, the regions stanzas (read from
// regionsFile) and the Page stanzas of the sources table, for Parse and ParseFile alike.
func assemble(regionsFile string, clouds []cloudStanzas, regions, pages []stanza) (*Catalog, error) {
	c := &Catalog{}
	var pt pageTable
	var err error
	if c.Pages, pt, err = parsePages(pages); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCatalog, err)
	}
	for _, group := range clouds {
		cloud, err := parseCloudFile(group.file, group.stanzas, pt)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidCatalog, err)
		}
		if c.Cloud(cloud.Name) != nil {
			return nil, fmt.Errorf("%w: %s:%d: cloud %s is defined twice", ErrInvalidCatalog, group.file, group.stanzas[0].line, cloud.Name)
		}
		c.Clouds = append(c.Clouds, cloud)
	}
	if len(c.Clouds) == 0 {
		return nil, fmt.Errorf("%w: %s: no cloud (want a stanza naming the Cloud, then its entries)", ErrInvalidCatalog, regionsFile)
	}
	if err := c.addRegions(regionsFile, regions); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCatalog, err)
	}
	return c, nil
}

// splitClouds groups a one-file catalog's stanzas by cloud: a stanza with Cloud and Regions (or
// PreviewRegions) names regions; a Page stanza is a row of the sources table, wherever it is; any other
// stanza with Cloud starts a cloud.
func splitClouds(name string, stanzas []stanza) (clouds []cloudStanzas, regions, pages []stanza, err error) {
	for _, s := range stanzas {
		switch {
		case s.first("Page") != "":
			pages = append(pages, s)
		case s.first("Cloud") != "" && len(s.all("Regions"))+len(s.all("PreviewRegions")) > 0:
			regions = append(regions, s)
		case s.first("Cloud") != "":
			clouds = append(clouds, cloudStanzas{file: name, stanzas: []stanza{s}})
		case len(clouds) == 0:
			return nil, nil, nil, fmt.Errorf("%s:%d: the first stanza must name the Cloud", name, s.line)
		default:
			last := &clouds[len(clouds)-1]
			last.stanzas = append(last.stanzas, s)
		}
	}
	return clouds, regions, pages, nil
}

// Export writes the embedded catalog as one file that ParseFile reads back (and --catalog FILE loads):
// every cloud file, then the regions and the sources table, each introduced by a comment naming its
// file in data/.
func Export(w io.Writer) error { return exportFS(w, data.FS) }

func exportFS(w io.Writer, fsys fs.FS) error {
	names, err := fs.Glob(fsys, "*.txt")
	if err != nil {
		return err
	}
	sort.Strings(names)
	// Cloud files first, then the regions and the sources table: a reader sees each cloud before its
	// regions, and the rows before the pages their sources name.
	for _, last := range []string{"regions.txt", pagesFile} {
		if i := slices.Index(names, last); i >= 0 {
			names = append(slices.Delete(names, i, i+1), last)
		}
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("# arccheck catalog: every data/*.txt file of the embedded catalog in one file.\n" +
		"# Edit it and give it to arccheck with --catalog FILE; the format is described in docs/catalog.md.\n")
	for _, name := range names {
		text, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		bw.WriteString("\n# ==== data/" + name + " ====\n\n")
		bw.Write(bytes.TrimRight(text, "\n"))
		bw.WriteString("\n")
	}
	return bw.Flush()
}

// checksum is the hex SHA-256 of b.
func checksum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
