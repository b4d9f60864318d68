package report

import (
	"math"
	"strconv"

	"github.com/sweepml/sweep/record"
	"github.com/sweepml/sweep/study"
)

// pageData is what the page's script knows of the study: each trial's
// parameters, value and curves, for the hover text and the trial detail.
// Curves are means over runs, rounded to 4 significant digits: the page
// shows them, the journal keeps them exactly.
type pageData struct {
	Metric string      `json:"metric"`
	More   []string    `json:"more,omitempty"` // the objectives after the first
	Params []string    `json:"params"`
	Trials []pageTrial `json:"trials"`
}

type pageTrial struct {
	N      int       `json:"n"`
	State  string    `json:"state"`
	Stage  string    `json:"stage,omitempty"`
	Value  *float64  `json:"value,omitempty"` // finished trials only
	More   []float64 `json:"more,omitempty"`  // the other objectives' values
	Params []any     `json:"params"`          // in the order of pageData.Params
	Seeds  []string  `json:"seeds"`           // strings: a uint64 does not fit a JavaScript number
	Reason string    `json:"reason,omitempty"`
	Secs   float64   `json:"secs"`
	Test   *float64  `json:"test,omitempty"` // mean test accuracy, final stage
	Metric []number  `json:"metric"`         // the metric per epoch
	TLoss  []number  `json:"train_loss"`
	VLoss  []number  `json:"val_loss"`
	Log    string    `json:"log,omitempty"`
}

func (p *Page) data() pageData {
	r := p.Report
	d := pageData{Metric: r.Metric, Params: []string{}}
	d.More = r.moreNames()
	if len(r.Trials) > 0 {
		for _, prm := range r.Trials[0].Params {
			d.Params = append(d.Params, prm.Name)
		}
	}
	for _, t := range r.Trials {
		pt := pageTrial{N: t.Number, State: string(t.State), Stage: string(t.Stage), Reason: t.Reason,
			Secs: roundTo(t.Seconds, 3), Log: p.Logs[t.Number], Params: make([]any, len(t.Params))}
		for i, prm := range t.Params {
			pt.Params[i] = prm.Value
		}
		if t.State == study.Complete || t.State == study.Pruned {
			v := t.Value
			pt.Value = &v
			if len(t.Values) > 1 {
				pt.More = t.Values[1:]
			}
		}
		for _, s := range t.Seeds {
			pt.Seeds = append(pt.Seeds, strconv.FormatUint(s, 10))
		}
		pt.Metric = rounded(meanCurve(t, r.Metric))
		pt.TLoss = rounded(meanCurve(t, record.TrainLoss))
		pt.VLoss = rounded(meanCurve(t, record.ValLoss))
		var test float64
		n := 0
		for _, run := range t.Runs {
			if v, ok := record.Last(run, record.TestAccuracy); ok {
				test += v
				n++
			}
		}
		if n > 0 {
			test /= float64(n)
			pt.Test = &test
		}
		d.Trials = append(d.Trials, pt)
	}
	return d
}

// rounded keeps the second of meanCurve's results, rounded to 4
// significant digits; never nil, so that the script sees an array.
func rounded(_, ys []float64) []number {
	out := make([]number, len(ys))
	for i, y := range ys {
		out[i] = number(roundTo(y, 4))
	}
	return out
}

// number is a float that JSON writes as null when it is not finite (a
// diverged run's loss), where encoding/json would fail.
type number float64

func (n number) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(n)) || math.IsInf(float64(n), 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, float64(n), 'g', -1, 64), nil
}
