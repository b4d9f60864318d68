package pgstore

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/c-bata/goptuna"
)

var stateNames = func() map[string]goptuna.TrialState {
	m := map[string]goptuna.TrialState{}
	for st := goptuna.TrialStateRunning; st <= goptuna.TrialStateWaiting; st++ {
		m[st.String()] = st
	}
	return m
}()

// CreateNewStudy creates the study, or returns the ID of the existing one
// of that name: workers starting together all get the same study.
func (s *Store) CreateNewStudy(name string) (int, error) {
	var id int
	err := s.queryRow([]any{&id}, `INSERT INTO studies (name) VALUES ($1)
		ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id`, name)
	return id, err
}

// DeleteStudy deletes a study and its trials.
func (s *Store) DeleteStudy(studyID int) error {
	s.cache.forget(studyID)
	_, err := s.exec(`DELETE FROM studies WHERE id = $1`, studyID)
	return err
}

// SetStudyDirection sets the study's direction.
func (s *Store) SetStudyDirection(studyID int, d goptuna.StudyDirection) error {
	_, err := s.exec(`UPDATE studies SET direction = $2 WHERE id = $1`, studyID, string(d))
	return err
}

func (s *Store) setStudyAttr(studyID int, system bool, key, value string) error {
	_, err := s.exec(`INSERT INTO study_attrs (study_id, system, key, value) VALUES ($1, $2, $3, $4)
		ON CONFLICT (study_id, system, key) DO UPDATE SET value = EXCLUDED.value`, studyID, system, key, value)
	return err
}

// SetStudyUserAttr sets a study user attribute.
func (s *Store) SetStudyUserAttr(studyID int, key, value string) error {
	return s.setStudyAttr(studyID, false, key, value)
}

// SetStudySystemAttr sets a study system attribute.
func (s *Store) SetStudySystemAttr(studyID int, key, value string) error {
	return s.setStudyAttr(studyID, true, key, value)
}

// SetStudySystemAttrIfAbsent stores a study system attribute unless it is
// already set, atomically, and returns the value stored.
func (s *Store) SetStudySystemAttrIfAbsent(studyID int, key, value string) (string, error) {
	if _, err := s.exec(`INSERT INTO study_attrs (study_id, system, key, value) VALUES ($1, true, $2, $3)
		ON CONFLICT (study_id, system, key) DO NOTHING`, studyID, key, value); err != nil {
		return "", err
	}
	var stored string
	err := s.queryRow([]any{&stored}, `SELECT value FROM study_attrs WHERE study_id = $1 AND system AND key = $2`, studyID, key)
	return stored, err
}

// GetStudyIDFromName finds a study by name.
func (s *Store) GetStudyIDFromName(name string) (int, error) {
	var id int
	err := s.queryRow([]any{&id}, `SELECT id FROM studies WHERE name = $1`, name)
	if errors.Is(err, sql.ErrNoRows) {
		return -1, goptuna.ErrInvalidStudyID
	}
	return id, err
}

// GetStudyIDFromTrialID finds a trial's study.
func (s *Store) GetStudyIDFromTrialID(trialID int) (int, error) {
	var id int
	err := s.queryRow([]any{&id}, `SELECT study_id FROM trials WHERE id = $1`, trialID)
	return id, notFound(err, goptuna.ErrInvalidTrialID)
}

// GetStudyNameFromID names a study.
func (s *Store) GetStudyNameFromID(studyID int) (string, error) {
	var name string
	err := s.queryRow([]any{&name}, `SELECT name FROM studies WHERE id = $1`, studyID)
	return name, notFound(err, goptuna.ErrInvalidStudyID)
}

// GetStudyDirection returns the study's direction.
func (s *Store) GetStudyDirection(studyID int) (goptuna.StudyDirection, error) {
	var d string
	err := s.queryRow([]any{&d}, `SELECT direction FROM studies WHERE id = $1`, studyID)
	return goptuna.StudyDirection(d), notFound(err, goptuna.ErrInvalidStudyID)
}

func (s *Store) studyAttrs(studyID int, system bool) (map[string]string, error) {
	attrs := map[string]string{}
	err := s.query(func(rows *sql.Rows) error {
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				return err
			}
			attrs[k] = v
		}
		return nil
	}, `SELECT key, value FROM study_attrs WHERE study_id = $1 AND system = $2`, studyID, system)
	return attrs, err
}

// GetStudyUserAttrs returns the study's user attributes.
func (s *Store) GetStudyUserAttrs(studyID int) (map[string]string, error) {
	return s.studyAttrs(studyID, false)
}

// GetStudySystemAttrs returns the study's system attributes.
func (s *Store) GetStudySystemAttrs(studyID int) (map[string]string, error) {
	return s.studyAttrs(studyID, true)
}

// GetAllStudySummaries lists the studies.
func (s *Store) GetAllStudySummaries() ([]goptuna.StudySummary, error) {
	var out []goptuna.StudySummary
	err := s.query(func(rows *sql.Rows) error {
		for rows.Next() {
			var sum goptuna.StudySummary
			var d string
			if err := rows.Scan(&sum.ID, &sum.Name, &d); err != nil {
				return err
			}
			sum.Direction = goptuna.StudyDirection(d)
			out = append(out, sum)
		}
		return nil
	}, `SELECT id, name, direction FROM studies ORDER BY id`)
	return out, err
}

// CreateNewTrial creates a running trial numbered after the study's last.
func (s *Store) CreateNewTrial(studyID int) (int, error) {
	id, _, _, err := s.CreateTrialWithin(studyID, -1, "")
	return id, err
}

// CloneTrial is not supported.
func (s *Store) CloneTrial(int, goptuna.FrozenTrial) (int, error) {
	return -1, errors.New("pgstore does not clone trials")
}

// SetTrialValue sets a running trial's value.
func (s *Store) SetTrialValue(trialID int, value float64) error {
	return s.updateRunning(`UPDATE trials SET value = $2 WHERE id = $1 AND state IN ('Running', 'Waiting')`, trialID, value)
}

func (s *Store) updateRunning(query string, trialID int, args ...any) error {
	res, err := s.exec(query, append([]any{trialID}, args...)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return goptuna.ErrTrialCannotBeUpdated
	}
	return nil
}

// SetTrialIntermediateValue records a trial's value at a step.
func (s *Store) SetTrialIntermediateValue(trialID, step int, value float64) error {
	_, err := s.exec(`INSERT INTO trial_values (trial_id, step, value) VALUES ($1, $2, $3)
		ON CONFLICT (trial_id, step) DO UPDATE SET value = EXCLUDED.value`, trialID, step, value)
	return err
}

// SetTrialState sets a running trial's state. Setting the state it
// already has succeeds, so that a retry after a lost reply is harmless.
func (s *Store) SetTrialState(trialID int, state goptuna.TrialState) error {
	err := s.updateRunning(`UPDATE trials SET state = $2, completed = CASE WHEN $3 THEN now() END
		WHERE id = $1 AND state IN ('Running', 'Waiting')`, trialID, state.String(), state.IsFinished())
	if errors.Is(err, goptuna.ErrTrialCannotBeUpdated) {
		var now string
		if s.queryRow([]any{&now}, `SELECT state FROM trials WHERE id = $1`, trialID) == nil && now == state.String() {
			return nil
		}
	}
	return err
}

func (s *Store) setTrialAttr(trialID int, system bool, key, value string) error {
	_, err := s.exec(`INSERT INTO trial_attrs (trial_id, system, key, value) VALUES ($1, $2, $3, $4)
		ON CONFLICT (trial_id, system, key) DO UPDATE SET value = EXCLUDED.value`, trialID, system, key, value)
	return err
}

// SetTrialUserAttr sets a trial user attribute.
func (s *Store) SetTrialUserAttr(trialID int, key, value string) error {
	return s.setTrialAttr(trialID, false, key, value)
}

// SetTrialSystemAttr sets a trial system attribute.
func (s *Store) SetTrialSystemAttr(trialID int, key, value string) error {
	return s.setTrialAttr(trialID, true, key, value)
}

// GetTrialNumberFromID returns a trial's number in its study.
func (s *Store) GetTrialNumberFromID(trialID int) (int, error) {
	var n int
	err := s.queryRow([]any{&n}, `SELECT number FROM trials WHERE id = $1`, trialID)
	return n, notFound(err, goptuna.ErrInvalidTrialID)
}

// GetTrialParam returns a parameter's internal value.
func (s *Store) GetTrialParam(trialID int, name string) (float64, error) {
	var v float64
	err := s.queryRow([]any{&v}, `SELECT value FROM trial_params WHERE trial_id = $1 AND name = $2`, trialID, name)
	return v, notFound(err, errors.New("no such parameter"))
}

// GetTrial returns one trial.
func (s *Store) GetTrial(trialID int) (goptuna.FrozenTrial, error) {
	trials, err := s.trials(`t.id = $1`, trialID)
	if err != nil {
		return goptuna.FrozenTrial{}, err
	}
	if len(trials) == 0 {
		return goptuna.FrozenTrial{}, goptuna.ErrInvalidTrialID
	}
	return trials[0], nil
}

// GetAllTrials returns the study's trials in number order (see cache.go).
func (s *Store) GetAllTrials(studyID int) ([]goptuna.FrozenTrial, error) {
	return s.allTrials(studyID)
}

// GetBestTrial returns the best complete trial.
func (s *Store) GetBestTrial(studyID int) (goptuna.FrozenTrial, error) {
	d, err := s.GetStudyDirection(studyID)
	if err != nil {
		return goptuna.FrozenTrial{}, err
	}
	trials, err := s.GetAllTrials(studyID)
	if err != nil {
		return goptuna.FrozenTrial{}, err
	}
	var best *goptuna.FrozenTrial
	for i, t := range trials {
		if t.State == goptuna.TrialStateComplete && (best == nil || d == goptuna.StudyDirectionMaximize && t.Value > best.Value || d == goptuna.StudyDirectionMinimize && t.Value < best.Value) {
			best = &trials[i]
		}
	}
	if best == nil {
		return goptuna.FrozenTrial{}, goptuna.ErrNoCompletedTrials
	}
	return *best, nil
}

// GetTrialParams returns a trial's parameters, external values.
func (s *Store) GetTrialParams(trialID int) (map[string]any, error) {
	t, err := s.GetTrial(trialID)
	return t.Params, err
}

// GetTrialUserAttrs returns a trial's user attributes.
func (s *Store) GetTrialUserAttrs(trialID int) (map[string]string, error) {
	t, err := s.GetTrial(trialID)
	return t.UserAttrs, err
}

// GetTrialSystemAttrs returns a trial's system attributes.
func (s *Store) GetTrialSystemAttrs(trialID int) (map[string]string, error) {
	t, err := s.GetTrial(trialID)
	return t.SystemAttrs, err
}

func notFound(err, with error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w", with)
	}
	return err
}
