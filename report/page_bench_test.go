package report

import (
	"bytes"
	"testing"
)

// BenchmarkLivePage is what `sweep serve` does when a study changes:
// analyse a 500-trial study and render its page.
func BenchmarkLivePage(b *testing.B) {
	spec, trials := bigStudy(b)
	for range b.N {
		r := Analyze(spec, trials)
		page := &Page{Report: r, Figures: Plots(spec, r), Live: true}
		if err := page.WriteHTML(new(bytes.Buffer)); err != nil {
			b.Fatal(err)
		}
	}
}
