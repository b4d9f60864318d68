package pgstore

import (
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/c-bata/goptuna"

	"github.com/sweepml/sweep/study"
)

// trialColumns are what a read of a trial selects, t being its row: the
// trial's own columns, then its parameters, attributes and intermediate
// values as JSON arrays (fillTrial). Numbers travel as the hex of their
// IEEE 754 bits (float8send), exact whatever the server's
// extra_float_digits.
const trialColumns = `t.id, t.study_id, t.number, t.state, t.value, t.started, t.completed,
	COALESCE((SELECT json_agg(json_build_array(p.name, encode(float8send(p.value), 'hex'), p.distribution)) FROM trial_params p WHERE p.trial_id = t.id), '[]'),
	COALESCE((SELECT json_agg(json_build_array(a.system, a.key, a.value)) FROM trial_attrs a WHERE a.trial_id = t.id), '[]'),
	COALESCE((SELECT json_agg(json_build_array(v.step, encode(float8send(v.value), 'hex'))) FROM trial_values v WHERE v.trial_id = t.id), '[]')`

// trials reads the trials matching a condition on t (trials), each with
// its parameters, attributes and intermediate values, in one statement:
// one round trip and one snapshot.
func (s *Store) trials(cond string, args ...any) ([]goptuna.FrozenTrial, error) {
	var out []goptuna.FrozenTrial
	err := s.query(func(rows *sql.Rows) error {
		out = nil
		for rows.Next() {
			ft, err := scanTrial(rows)
			if err != nil {
				return err
			}
			out = append(out, ft)
		}
		return nil
	}, `SELECT `+trialColumns+` FROM trials t WHERE `+cond+` ORDER BY t.number`, args...)
	return out, err
}

// scanTrial scans a row of trialColumns, after the columns before, into
// a trial.
func scanTrial(rows *sql.Rows, before ...any) (goptuna.FrozenTrial, error) {
	ft := goptuna.FrozenTrial{IntermediateValues: map[int]float64{}, InternalParams: map[string]float64{},
		Params: map[string]any{}, Distributions: map[string]any{}, UserAttrs: map[string]string{}, SystemAttrs: map[string]string{}}
	var state string
	var completed sql.NullTime
	var params, attrs, values []byte
	if err := rows.Scan(append(before, &ft.ID, &ft.StudyID, &ft.Number, &state, &ft.Value, &ft.DatetimeStart, &completed, &params, &attrs, &values)...); err != nil {
		return ft, err
	}
	ft.State = stateNames[state]
	ft.DatetimeComplete = completed.Time
	if err := fillTrial(&ft, params, attrs, values); err != nil {
		return ft, fmt.Errorf("trial %d: %w", ft.ID, err)
	}
	return ft, nil
}

// fillTrial fills a trial's maps from its rows, as read by trials: JSON
// arrays of [name, value, distribution], [system, key, value] and [step,
// value].
func fillTrial(ft *goptuna.FrozenTrial, params, attrs, values []byte) error {
	var ps [][3]string
	var as, vs [][]json.RawMessage
	if err := errors.Join(json.Unmarshal(params, &ps), json.Unmarshal(attrs, &as), json.Unmarshal(values, &vs)); err != nil {
		return err
	}
	for _, p := range ps {
		v, err := float8(p[1])
		if err != nil {
			return err
		}
		if err := setParam(ft, p[0], v, p[2]); err != nil {
			return err
		}
	}
	for _, a := range as {
		var system bool
		var k, v string
		if len(a) != 3 {
			return fmt.Errorf("an attribute row of %d fields", len(a))
		}
		if err := errors.Join(json.Unmarshal(a[0], &system), json.Unmarshal(a[1], &k), json.Unmarshal(a[2], &v)); err != nil {
			return err
		}
		if system {
			ft.SystemAttrs[k] = v
		} else {
			ft.UserAttrs[k] = v
		}
	}
	for _, sv := range vs {
		var step int
		var h string
		if len(sv) != 2 {
			return fmt.Errorf("an intermediate value row of %d fields", len(sv))
		}
		if err := errors.Join(json.Unmarshal(sv[0], &step), json.Unmarshal(sv[1], &h)); err != nil {
			return err
		}
		v, err := float8(h)
		if err != nil {
			return err
		}
		ft.IntermediateValues[step] = v
	}
	return nil
}

// setParam sets a trial's parameter from its internal value and its
// distribution's JSON.
func setParam(ft *goptuna.FrozenTrial, name string, v float64, dist string) error {
	d, err := goptuna.JSONToDistribution([]byte(dist))
	if err == nil {
		err = study.CheckInternal(name, d, v)
	}
	if err != nil {
		return err
	}
	ext, err := goptuna.ToExternalRepresentation(d, v)
	if err != nil {
		return err
	}
	ft.InternalParams[name], ft.Params[name], ft.Distributions[name] = v, ext, d
	return nil
}

// float8 decodes the hex of a float8's IEEE 754 bits, big-endian.
func float8(h string) (float64, error) {
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != 8 {
		return 0, fmt.Errorf("a float8 %q", h)
	}
	return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
}
