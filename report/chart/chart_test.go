package chart

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func labels(a Axis) []string {
	a.settle()
	var out []string
	for _, t := range a.ticks() {
		out = append(out, t.label)
	}
	return out
}

// TestTicks: a log axis is labelled in the values' own units, a linear
// one in round steps without floating-point noise or "-0".
func TestTicks(t *testing.T) {
	log := Axis{Scale: Log, Tight: true}
	log.Include(0.001, 0.3)
	if got, want := labels(log), []string{"0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2"}; !slices.Equal(got, want) {
		t.Errorf("log ticks %v, want %v", got, want)
	}
	lin := Axis{Tight: true}
	lin.Include(0, 1)
	if got, want := labels(lin), []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}; !slices.Equal(got, want) {
		t.Errorf("linear ticks %v, want %v", got, want)
	}
	lin = Axis{}
	lin.Include(0.7, 0.9)
	for _, l := range labels(lin) {
		if len(l) > 5 || strings.HasPrefix(l, "-0") {
			t.Errorf("tick label %q", l)
		}
	}
	cat := Axis{Scale: Category, Categories: []string{"constant", "cosine"}}
	if got := labels(cat); !slices.Equal(got, []string{"constant", "cosine"}) {
		t.Errorf("categories %v", got)
	}
}

func TestViridis(t *testing.T) {
	if Viridis(0) != "#440154" || Viridis(1) != "#fde725" || Viridis(-3) != Viridis(0) {
		t.Errorf("Viridis(0) %s, (1) %s", Viridis(0), Viridis(1))
	}
}

// TestMarksCarryTrials: a mark standing for a trial carries its number;
// one standing for none lets the pointer through; the legend sits right
// of the plot area.
func TestMarksCarryTrials(t *testing.T) {
	c := New("t", "x", "y")
	c.Point(1, 2, Style{Fill: "#000"}, 7)
	c.Line([]float64{0, 1}, []float64{0, 1}, Style{Stroke: "#000"}, NoTrial)
	c.Legend("a <b>", Style{Fill: "#000"}, "point")
	svg := string(c.SVG())
	if !strings.Contains(svg, `data-trial="7"`) || !strings.Contains(svg, `pointer-events="none"`) || !strings.Contains(svg, "a &lt;b&gt;") {
		t.Errorf("svg: %s", svg)
	}
	m := regexp.MustCompile(`<text x="([0-9.]+)"[^>]*>a &lt;b`).FindStringSubmatch(svg)
	if m == nil {
		t.Fatal("no legend text")
	}
	if x, _ := strconv.ParseFloat(m[1], 64); x < Width-right-keyColumn {
		t.Errorf("legend at x=%v, inside the plot area (which ends at %v)", x, Width-right-keyColumn)
	}
}
