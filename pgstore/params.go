package pgstore

import (
	"sync"

	"github.com/c-bata/goptuna"
)

// A new trial's parameters travel with its Begin: SetTrialParam keeps
// them, and Begin writes them in the statement that starts the attempt, a
// round trip a parameter fewer. Any other statement of the store first
// sends the parameters kept, so that the store reads what was written to
// it. A worker that dies before Begin leaves its trial without
// parameters, as one that dies while proposing does: the trial is claimed
// and proposed again (sweep's engine does so).

// param is a parameter set and not yet sent.
type param struct {
	trial int
	name  string
	value float64
	dist  string
}

// kept are the parameters set and not yet sent. mu is held while they
// are sent, so that a statement that follows waits for them.
type kept struct {
	mu     sync.Mutex
	params []param
}

// take removes and returns the parameters kept for trialID, or for every
// trial when trialID < 0. The caller holds k.mu.
func (k *kept) take(trialID int) (trials []int, names []string, values []float64, dists []string) {
	rest := k.params[:0]
	for _, p := range k.params {
		if trialID >= 0 && p.trial != trialID {
			rest = append(rest, p)
			continue
		}
		trials, names, values, dists = append(trials, p.trial), append(names, p.name), append(values, p.value), append(dists, p.dist)
	}
	clear(k.params[len(rest):])
	k.params = rest
	return trials, names, values, dists
}

// takeFor removes and returns the parameters kept for a trial, to be sent
// with it.
func (k *kept) takeFor(trialID int) (names []string, values []float64, dists []string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, names, values, dists = k.take(trialID)
	return names, values, dists
}

// SetTrialParam records a trial's parameter: sent with the trial's Begin,
// or before the store's next other statement.
func (s *Store) SetTrialParam(trialID int, name string, internal float64, distribution any) error {
	dist, err := goptuna.DistributionToJSON(distribution)
	if err != nil {
		return err
	}
	s.kept.mu.Lock()
	defer s.kept.mu.Unlock()
	s.kept.params = append(s.kept.params, param{trialID, name, internal, string(dist)})
	return nil
}

// writeParams is the statement that writes parameters: $1.. the trial IDs,
// names, internal values and distributions.
const writeParams = `INSERT INTO trial_params (trial_id, name, value, distribution)
	SELECT * FROM unnest($1::integer[], $2::text[], $3::float8[], $4::text[])
	ON CONFLICT (trial_id, name) DO UPDATE SET value = EXCLUDED.value, distribution = EXCLUDED.distribution`

// sendParams sends the parameters kept, in one statement; every
// statement of the store but Begin comes after it. Those it fails to send
// are kept. With retry false it tries once (Close).
func (s *Store) sendParams(retry bool) error {
	s.kept.mu.Lock()
	defer s.kept.mu.Unlock()
	if len(s.kept.params) == 0 {
		return nil
	}
	all := append([]param(nil), s.kept.params...)
	trials, names, values, dists := s.kept.take(-1)
	ctx := s.ctx()
	send := func() error {
		s.statements.Add(1)
		_, err := s.db.ExecContext(ctx, writeParams, trials, names, values, dists)
		return err
	}
	var err error
	if retry {
		err = s.retry(ctx, "writing trial_params", send)
	} else if err = send(); err != nil {
		err = s.clean(err)
	}
	if err != nil {
		s.kept.params = all
	}
	return err
}
