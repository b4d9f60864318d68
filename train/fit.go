package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/internal/linalg"
)

// ErrStop, returned by Config.OnEpoch, ends training after that epoch
// without error; the history says Stopped.
var ErrStop = errors.New("stop training")

// ErrDiverged is wrapped by the error Fit returns when the training loss
// becomes NaN or infinite.
var ErrDiverged = errors.New("training diverged")

// shuffleStream separates the shuffling random stream from other users of
// the same seed.
const shuffleStream = 0x5_4ff1e

// Bounds on a training run.
const (
	MaxEpochs = 100_000
	MaxBatch  = 1 << 20
)

// DefaultEvalBatch is how many rows evaluation pushes through a model at a
// time: large batches keep the matrix multiplies efficient.
const DefaultEvalBatch = 1000

// Config says how to train.
type Config struct {
	Epochs    int       `json:"epochs"`
	BatchSize int       `json:"batch_size"`
	Optimizer Optimizer `json:"optimizer"`
	Schedule  Schedule  `json:"schedule"`
	// Seed drives the order of examples, reshuffled every epoch.
	Seed uint64 `json:"seed"`
	// EvalBatch is the number of rows per evaluation batch; 0 means
	// DefaultEvalBatch.
	EvalBatch int `json:"-"`
	// OnEpoch, if set, sees every epoch as it ends. Returning ErrStop ends
	// training cleanly; any other error ends it with that error.
	OnEpoch func(Epoch) error `json:"-"`
}

// Validate reports the first invalid setting.
func (c Config) Validate() error {
	if c.Epochs < 1 || c.Epochs > MaxEpochs {
		return fmt.Errorf("epochs %d: want 1 to %d", c.Epochs, MaxEpochs)
	}
	if c.BatchSize < 1 || c.BatchSize > MaxBatch {
		return fmt.Errorf("batch size %d: want 1 to %d", c.BatchSize, MaxBatch)
	}
	if c.EvalBatch < 0 {
		return fmt.Errorf("evaluation batch %d must be ≥ 0", c.EvalBatch)
	}
	if err := c.Optimizer.Validate(); err != nil {
		return err
	}
	return c.Schedule.Validate()
}

// Fit trains m on trainSet for cfg.Epochs epochs of minibatches, measuring
// valSet after each. It returns the history so far together with any error:
// ctx's when cancelled, one wrapping ErrDiverged when the loss stops being
// finite, or the callback's.
func Fit[T Float](ctx context.Context, m Model[T], trainSet, valSet dataset.View, cfg Config) (History, error) {
	var h History
	if err := cfg.Validate(); err != nil {
		return h, err
	}
	if trainSet.Len() == 0 || valSet.Len() == 0 {
		return h, fmt.Errorf("need training and validation examples, have %d and %d", trainSet.Len(), valSet.Len())
	}
	if trainSet.Features() != m.Inputs() || valSet.Features() != m.Inputs() {
		return h, fmt.Errorf("model takes %d inputs but the data has %d features per example", m.Inputs(), trainSet.Features())
	}
	f := newFitting(m, trainSet, valSet, cfg)
	for epoch := range cfg.Epochs {
		e, err := f.epoch(ctx, epoch)
		if err != nil {
			return h, err
		}
		h.Epochs = append(h.Epochs, e)
		if err := diverged(h.Epochs, trainSet.Classes()); err != nil {
			return h, err
		}
		if cfg.OnEpoch != nil {
			if err := cfg.OnEpoch(e); errors.Is(err, ErrStop) {
				h.Stopped = true
				return h, nil
			} else if err != nil {
				return h, err
			}
		}
	}
	return h, nil
}

// fitting is a Fit under way: its stepper, evaluator and shuffled order.
type fitting[T Float] struct {
	cfg     Config
	stepper *Stepper[T]
	eval    *Evaluator[T]
	valSet  dataset.View
	batch   int
	rng     *rand.Rand
	order   []int32
	start   time.Time
}

func newFitting[T Float](m Model[T], trainSet, valSet dataset.View, cfg Config) *fitting[T] {
	batch := min(cfg.BatchSize, trainSet.Len())
	f := &fitting[T]{
		cfg:     cfg,
		stepper: NewStepper(m, cfg.Optimizer, trainSet, batch),
		eval:    NewEvaluator(m, cfg.EvalBatch),
		valSet:  valSet,
		batch:   batch,
		rng:     rand.New(rand.NewPCG(cfg.Seed, shuffleStream)),
		order:   make([]int32, trainSet.Len()),
		start:   time.Now(),
	}
	for i := range f.order {
		f.order[i] = int32(i)
	}
	return f
}

// epoch trains epoch (from 0) and measures the validation set, the
// goroutine kept on its OS thread meanwhile (linalg.LockThread).
func (f *fitting[T]) epoch(ctx context.Context, epoch int) (Epoch, error) {
	linalg.LockThread()
	defer linalg.UnlockThread()
	lr := f.cfg.Schedule.LR(f.cfg.Optimizer.LR, epoch, f.cfg.Epochs)
	order, batch := f.order, f.batch
	f.rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	var lossSum float64
	var correct int
	for from := 0; from < len(order); from += batch {
		if err := ctx.Err(); err != nil {
			return Epoch{}, fmt.Errorf("training stopped in epoch %d: %w", epoch+1, err)
		}
		rows := order[from:min(from+batch, len(order))]
		if next := from + batch; next < len(order) {
			f.stepper.Prefetch(order[next:min(next+batch, len(order))])
		}
		loss, c := f.stepper.Step(rows, lr)
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return Epoch{}, fmt.Errorf("%w: loss is %v in epoch %d at example %d (learning rate %g)", ErrDiverged, loss, epoch+1, from, lr)
		}
		lossSum += loss * float64(len(rows))
		correct += c
	}
	valLoss, valAccuracy := f.eval.Evaluate(f.valSet)
	return Epoch{
		Epoch:         epoch + 1,
		LR:            lr,
		TrainLoss:     lossSum / float64(len(order)),
		TrainAccuracy: float64(correct) / float64(len(order)),
		ValLoss:       valLoss,
		ValAccuracy:   valAccuracy,
		Seconds:       time.Since(f.start).Seconds(),
	}, nil
}

// diverged reports a training loss that has run away while staying
// finite: above 100·ln(classes), a hundred times what guessing scores, or
// a million times the first epoch's. Such a run ends at chance.
func diverged(epochs []Epoch, classes int) error {
	last := epochs[len(epochs)-1]
	bound := 100 * math.Log(float64(max(classes, 2)))
	if first := epochs[0].TrainLoss; 1e6*first < bound && len(epochs) > 1 {
		bound = 1e6 * first
	}
	if last.TrainLoss > bound {
		return fmt.Errorf("%w: training loss %.4g in epoch %d is beyond %.4g (100·ln(classes), or a million times the first epoch's)", ErrDiverged, last.TrainLoss, last.Epoch, bound)
	}
	return nil
}

// Stepper performs training steps: gather a minibatch, compute gradients,
// move the parameters. A ColumnModel gets compact batches. After the first
// step of the largest batch size it allocates nothing.
type Stepper[T Float] struct {
	model   Model[T]
	columns ColumnModel[T] // the model, if it takes compact batches
	cols    dataset.Columns
	opt     *optimizer[T]
	data    dataset.View
	x       []T
	labels  []uint8
}

// NewStepper prepares steps of at most maxBatch rows of data for m.
func NewStepper[T Float](m Model[T], opt Optimizer, data dataset.View, maxBatch int) *Stepper[T] {
	columns, _ := m.(ColumnModel[T])
	return &Stepper[T]{
		model:   m,
		columns: columns,
		opt:     newOptimizer(opt, m.Tensors()),
		data:    data,
		x:       make([]T, maxBatch*data.Features()),
		labels:  make([]uint8, maxBatch),
	}
}

// Prefetch starts loading the data rows at the given positions, those of
// the next step, into the processor's cache without waiting for them.
func (s *Stepper[T]) Prefetch(positions []int32) { dataset.Prefetch(s.data, positions) }

// Step trains on the data rows at the given positions with learning rate lr
// and returns the batch's mean loss and number of correct predictions
// (before the update).
func (s *Stepper[T]) Step(positions []int32, lr float64) (loss float64, correct int) {
	n := len(positions)
	labels := s.labels[:n]
	if s.columns != nil {
		s.cols.Find(s.data, positions)
		x := s.x[:n*s.cols.Width]
		dataset.GatherColumns(x, labels, s.data, positions, &s.cols)
		loss, correct = s.columns.GradientColumns(x, s.cols.Spans, labels)
	} else {
		x := s.x[:n*s.data.Features()]
		dataset.Gather(x, labels, s.data, positions)
		loss, correct = s.model.Gradient(x, labels)
	}
	s.opt.update(lr)
	return loss, correct
}

// Evaluator measures a model on a data set in large batches, reusing its
// buffers from call to call. A ColumnModel gets compact batches: only the
// pixels some row of the batch uses are converted and held, and, where
// its RowGroup allows, they are converted and pushed through the model a
// part of the batch at a time (evalPart rows), which gives the result of
// the whole batch in a quarter of the memory.
type Evaluator[T Float] struct {
	model     Model[T]
	columns   ColumnModel[T] // the model, if it takes compact batches
	cols      dataset.Columns
	batch     int
	part      int // rows per part of a compact batch; 0: the whole batch
	x         []T
	labels    []uint8
	positions []int32
}

// evalPart is the most rows of a compact batch an Evaluator converts and
// evaluates at once, rounded down to the model's RowGroup.
const evalPart = 256

// NewEvaluator prepares to evaluate m in batches of batch rows (0 means
// DefaultEvalBatch).
func NewEvaluator[T Float](m Model[T], batch int) *Evaluator[T] {
	if batch <= 0 {
		batch = DefaultEvalBatch
	}
	e := &Evaluator[T]{model: m, batch: batch}
	if columns, ok := m.(ColumnModel[T]); ok {
		e.columns = columns
		if g := columns.RowGroup(); g > 0 {
			e.part = max(g, evalPart/g*g)
		}
	}
	return e
}

// Evaluate returns the mean loss and the accuracy of the model on v.
func (e *Evaluator[T]) Evaluate(v dataset.View) (loss, accuracy float64) {
	if v.Len() == 0 {
		return math.NaN(), math.NaN()
	}
	linalg.LockThread() // see fitting.epoch
	defer linalg.UnlockThread()
	batch := min(e.batch, v.Len())
	if len(e.labels) < batch {
		e.labels = make([]uint8, batch)
		e.positions = make([]int32, batch)
	}
	var lossSum float64
	var correct int
	for from := 0; from < v.Len(); from += batch {
		n := min(batch, v.Len()-from)
		l, c := e.evaluate(v, from, n)
		lossSum += l
		correct += c
	}
	return lossSum / float64(v.Len()), float64(correct) / float64(v.Len())
}

// evaluate measures the n rows of v from start.
func (e *Evaluator[T]) evaluate(v dataset.View, start, n int) (lossSum float64, correct int) {
	labels := e.labels[:n]
	if e.columns == nil {
		x := e.reserve(n * v.Features())
		dataset.GatherRange(x, labels, v, start, n)
		return e.model.Evaluate(x, labels)
	}
	positions := e.positions[:n]
	for i := range positions {
		positions[i] = int32(start + i)
	}
	e.cols.Find(v, positions) // the whole batch's pixels, for every part
	part := n
	if e.part > 0 {
		part = min(e.part, n)
	}
	for from := 0; from < n; from += part {
		rows := min(part, n-from)
		x := e.reserve(rows * e.cols.Width)
		dataset.GatherColumns(x, labels[from:from+rows], v, positions[from:from+rows], &e.cols)
		var c int
		lossSum, c = e.columns.EvaluateColumns(x, e.cols.Spans, labels[from:from+rows], lossSum)
		correct += c
	}
	return lossSum, correct
}

// reserve returns e.x resized to size values; it grows by at least an
// eighth, as compact batches of a data set differ a little in width.
func (e *Evaluator[T]) reserve(size int) []T {
	if len(e.x) < size {
		e.x = make([]T, max(size, len(e.x)+len(e.x)/8))
	}
	return e.x[:size]
}
