package recipe

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated parts of docs/")

// TestDocsMatchTable: the settings a spec may name (docs/spec.md) and the
// flags of sweep train (docs/train.md) are the rows of Table, with their
// kinds, defaults and meanings — derived here, compared with the pages.
func TestDocsMatchTable(t *testing.T) {
	var settings, flags strings.Builder
	settings.WriteString("| setting | kind | default | meaning |\n|---|---|---|---|\n")
	flags.WriteString("| flag | default | meaning |\n|---|---|---|\n")
	for _, d := range Table {
		if d.Spec {
			fmt.Fprintf(&settings, "| `%s` | %s | `%s` | %s |\n", d.Name, d.Kind, d.Default(), d.Doc)
		}
		fmt.Fprintf(&flags, "| `--%s` | `%s` | %s |\n", d.FlagName(), d.Default(), d.Doc)
	}
	for _, page := range []struct{ path, marker, want string }{
		{"../docs/spec.md", "settings", settings.String()},
		{"../docs/train.md", "flags", flags.String()},
	} {
		b, err := os.ReadFile(page.path)
		if err != nil {
			t.Fatal(err)
		}
		doc := string(b)
		begin := strings.Index(doc, "<!-- "+page.marker+":")
		end := strings.Index(doc, "<!-- end "+page.marker+" -->")
		if begin < 0 || end < begin {
			t.Fatalf("%s: no <!-- %s: … --> … <!-- end %s --> section", page.path, page.marker, page.marker)
		}
		begin += strings.Index(doc[begin:], "\n") + 1
		if doc[begin:end] == page.want {
			continue
		}
		if *update {
			os.WriteFile(page.path, []byte(doc[:begin]+page.want+doc[end:]), 0o644)
			continue
		}
		t.Errorf("%s does not list recipe.Table's %s; run go test ./recipe -run TestDocsMatchTable -update\ngot:\n%s\nwant:\n%s", page.path, page.marker, doc[begin:end], page.want)
	}
}
