package endpoints

import (
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
)

// EmbeddedName is the Name of the catalog embedded in the binary.
const EmbeddedName = "embedded"

// MaxFileSize is the largest catalog file ParseFile reads (the embedded catalog is about 100 KB).
const MaxFileSize = 4 << 20

// ErrCatalogTooLarge is returned for a catalog file larger than MaxFileSize.
var ErrCatalogTooLarge = errors.New("catalog file too large")

// ParseFile reads and validates a catalog written as one file, as Export writes it: the data/ format,
// each cloud's stanzas starting at its Cloud stanza, and the regions stanzas (Cloud and Regions). It
// validates exactly as Parse does; errors name the file (name) and line. The catalog's Name is name and
// its SHA256 the checksum of the bytes read.
func ParseFile(name string, r io.Reader) (*Catalog, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(raw) > MaxFileSize {
		return nil, fmt.Errorf("%w: %s: %w: more than %d bytes", ErrInvalidCatalog, name, ErrCatalogTooLarge, MaxFileSize)
	}
	stanzas, err := parseStanzas(name, bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCatalog, err)
	}
	clouds, regions, err := splitClouds(name, stanzas)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCatalog, err)
	}
	c := &Catalog{Name: name, SHA256: checksum(raw)}
	for _, group := range clouds {
		cloud, err := parseCloudFile(name, group)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidCatalog, err)
		}
		if prev := c.Cloud(cloud.Name); prev != nil {
			return nil, fmt.Errorf("%w: %s:%d: cloud %s is defined twice", ErrInvalidCatalog, name, group[0].line, cloud.Name)
		}
		c.Clouds = append(c.Clouds, cloud)
	}
	if len(c.Clouds) == 0 {
		return nil, fmt.Errorf("%w: %s: no cloud (a catalog file starts with a stanza naming the Cloud)", ErrInvalidCatalog, name)
	}
	if err := c.addRegions(name, regions); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCatalog, err)
	}
	return c, nil
}

// splitClouds groups a one-file catalog's stanzas by cloud: a stanza with Cloud and Regions (or
// PreviewRegions) names regions; any other stanza with Cloud starts a cloud.
func splitClouds(name string, stanzas []stanza) (clouds [][]stanza, regions []stanza, err error) {
	for _, s := range stanzas {
		switch {
		case s.first("Cloud") != "" && (s.has("Regions") || s.has("PreviewRegions")):
			regions = append(regions, s)
		case s.first("Cloud") != "":
			clouds = append(clouds, []stanza{s})
		case len(clouds) == 0:
			return nil, nil, fmt.Errorf("%s:%d: the first stanza must name the Cloud", name, s.line)
		default:
			clouds[len(clouds)-1] = append(clouds[len(clouds)-1], s)
		}
	}
	return clouds, regions, nil
}

// Export writes the embedded catalog as one file that ParseFile reads back (and --catalog FILE loads):
// every cloud file, then the regions, each introduced by a comment naming its file in data/.
func Export(w io.Writer) error { return exportFS(w, data.FS) }

func exportFS(w io.Writer, fsys fs.FS) error {
	names, err := fs.Glob(fsys, "*.txt")
	if err != nil {
		return err
	}
	sort.Strings(names)
	// Cloud files first, regions last: a reader sees each cloud before its regions.
	if i := slices.Index(names, "regions.txt"); i >= 0 {
		names = append(slices.Delete(names, i, i+1), "regions.txt")
	}
	var b bytes.Buffer
	b.WriteString("# arccheck catalog: every data/*.txt file of the embedded catalog in one file.\n" +
		"# Edit it and give it to arccheck with --catalog FILE; the format is described in docs/catalog.md.\n")
	for _, name := range names {
		text, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "\n# ==== data/%s ====\n\n", name)
		b.Write(bytes.TrimRight(text, "\n"))
		b.WriteString("\n")
	}
	_, err = w.Write(b.Bytes())
	return err
}

// checksum is the hex SHA-256 of b.
func checksum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
