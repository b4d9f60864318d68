package train

import (
	"fmt"
	"math"
)

// ScheduleKind names a learning-rate schedule.
type ScheduleKind string

// The schedules.
const (
	Constant ScheduleKind = "constant"
	Cosine   ScheduleKind = "cosine"
	Step     ScheduleKind = "step"
)

// ScheduleKinds lists the valid kinds, for messages and flag help.
var ScheduleKinds = []ScheduleKind{Constant, Cosine, Step}

// Schedule sets the learning rate of each epoch from the optimizer's base
// rate. The rate changes between epochs, never within one.
//
//	constant: lr
//	cosine:   MinLR + (lr-MinLR)·(1+cos(π·e/E))/2, e = 0…E-1 after warm-up
//	step:     lr·Gamma^⌊e/StepSize⌋
//
// With Warmup = W > 0 the first W epochs ramp linearly, lr·(e+1)/W, and the
// schedule proper starts after them.
type Schedule struct {
	Kind     ScheduleKind `json:"kind"`
	Warmup   int          `json:"warmup,omitempty"`    // epochs
	MinLR    float64      `json:"min_lr,omitempty"`    // cosine floor
	StepSize int          `json:"step_size,omitempty"` // step: epochs per decay; 0 means 10
	Gamma    float64      `json:"gamma,omitempty"`     // step: factor per decay; 0 means 0.1
}

// Validate reports the first invalid setting.
func (s Schedule) Validate() error {
	switch s.Kind {
	case Constant, Cosine, Step:
	default:
		return fmt.Errorf("unknown schedule %q (want one of %v)", s.Kind, ScheduleKinds)
	}
	if s.Warmup < 0 {
		return fmt.Errorf("warm-up %d epochs must be ≥ 0", s.Warmup)
	}
	if !(s.MinLR >= 0) {
		return fmt.Errorf("cosine minimum learning rate %v must be ≥ 0", s.MinLR)
	}
	if s.StepSize < 0 {
		return fmt.Errorf("step size %d epochs must be ≥ 0", s.StepSize)
	}
	if !(s.Gamma >= 0 && s.Gamma <= 1) {
		return fmt.Errorf("step decay factor %v out of range (0, 1]", s.Gamma)
	}
	return nil
}

// LR returns the learning rate of epoch (counted from 0) out of epochs,
// for base rate lr.
func (s Schedule) LR(lr float64, epoch, epochs int) float64 {
	if epoch < s.Warmup {
		return lr * float64(epoch+1) / float64(s.Warmup)
	}
	e, n := epoch-s.Warmup, epochs-s.Warmup
	switch s.Kind {
	case Cosine:
		return s.MinLR + (lr-s.MinLR)*(1+math.Cos(math.Pi*float64(e)/float64(n)))/2
	case Step:
		size, gamma := s.StepSize, s.Gamma
		if size == 0 {
			size = 10
		}
		if gamma == 0 {
			gamma = 0.1
		}
		return lr * math.Pow(gamma, float64(e/size))
	}
	return lr
}
