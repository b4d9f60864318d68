"""wandb, as a sweep run by `sweep` sees it: offline, local, in the run.

A program written for W&B sweeps imports this module in place of W&B's
when `sweep` runs it (it is first on PYTHONPATH). wandb.config holds the
trial's parameters; wandb.log() is a report: each committed history row
is printed to stdout as one JSON line, which `sweep` records (see
docs/programs.md). Nothing is sent anywhere; media, tables, artifacts,
alerts and model watching are accepted and ignored.
"""
import atexit
import json
import math
import os
import sys
import time

__version__ = "0.0.0+sweep"

_SWEEP_PARAMS = json.loads(os.environ.get("SWEEP_CONFIG") or "{}")


def _warn(msg):
    print("wandb (sweep): " + msg, file=sys.stderr, flush=True)


class Config(object):
    """The run's configuration: attribute and item access, a mapping.

    The sweep's parameters are merged last and locked, as W&B does: a
    program's writes to them are ignored with a warning.
    """

    def __init__(self):
        object.__setattr__(self, "_items", {})
        object.__setattr__(self, "_locked", set())

    def _sweep(self, params):
        for k, v in params.items():
            old = self._items.get(k)
            if isinstance(old, dict) and isinstance(v, dict):
                self._items[k] = _deep_merge(old, v)
            else:
                self._items[k] = v
            self._locked.add(k)

    def _set(self, k, v, allow_val_change=True):
        if k in self._locked:
            _warn("Config item '%s' was locked by 'sweep' (ignored update)." % k)
            return
        self._items[k] = v

    def update(self, d=None, allow_val_change=None, **kwargs):
        d = _as_dict(d)
        d.update(kwargs)
        for k, v in d.items():
            self._set(k, v)

    def setdefaults(self, d):
        for k, v in _as_dict(d).items():
            self._items.setdefault(k, v)

    def get(self, k, default=None):
        return self._items.get(k, default)

    def keys(self):
        return self._items.keys()

    def values(self):
        return self._items.values()

    def items(self):
        return self._items.items()

    def as_dict(self):
        return dict(self._items)

    def __getitem__(self, k):
        return self._items[k]

    def __setitem__(self, k, v):
        self._set(k, v)

    def __delitem__(self, k):
        del self._items[k]

    def __contains__(self, k):
        return k in self._items

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)

    def __getattr__(self, k):
        try:
            return self._items[k]
        except KeyError:
            raise AttributeError(k)

    def __setattr__(self, k, v):
        self._set(k, v)

    def __repr__(self):
        return repr(self._items)


def _deep_merge(a, b):
    out = dict(a)
    for k, v in b.items():
        out[k] = _deep_merge(out[k], v) if isinstance(out.get(k), dict) and isinstance(v, dict) else v
    return out


def _as_dict(d):
    if d is None:
        return {}
    if isinstance(d, dict):
        return dict(d)
    if isinstance(d, Config):
        return d.as_dict()
    if isinstance(d, str):  # a YAML file of defaults
        try:
            import yaml
        except ImportError:
            _warn("config=%r: PyYAML is not installed; ignored" % d)
            return {}
        with open(d) as f:
            raw = yaml.safe_load(f) or {}
        return {k: (v.get("value") if isinstance(v, dict) and "value" in v else v) for k, v in raw.items() if k != "wandb_version"}
    if hasattr(d, "__dict__"):  # an argparse.Namespace
        return dict(vars(d))
    return dict(d)


def _number(v):
    if isinstance(v, bool):
        return None
    if hasattr(v, "item") and callable(v.item):  # numpy and torch scalars
        try:
            v = v.item()
        except Exception:
            return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v


def _flatten(d, prefix, out):
    for k, v in d.items():
        key = prefix + str(k)
        if isinstance(v, dict):
            _flatten(v, key + ".", out)
            continue
        n = _number(v)
        if n is not None:
            out[key] = n


class _Ignored(object):
    """Media, tables, artifacts: accepted, kept nowhere."""

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return self

    def __getattr__(self, name):
        return self


Table = Image = Histogram = Artifact = Video = Audio = Html = Object3D = Molecule = Plotly = _Ignored
plot = _Ignored()


class Summary(dict):
    """run.summary: each key's last logged value, unless set."""

    def __init__(self):
        dict.__init__(self)
        self._explicit = {}

    def __setitem__(self, k, v):
        dict.__setitem__(self, k, v)
        self._explicit[k] = v

    def update(self, d=None, **kwargs):
        for k, v in dict(d or {}, **kwargs).items():
            self[k] = v


class Run(object):
    def __init__(self, name=None, config=None, project=None, entity=None, tags=None, group=None, job_type=None, notes=None, dir=None):
        self.id = os.environ.get("WANDB_RUN_ID", "sweep-run")
        self.name = name or self.id
        self.sweep_id = os.environ.get("WANDB_SWEEP_ID")
        self.project = project or os.environ.get("WANDB_PROJECT", "")
        self.entity = entity or os.environ.get("WANDB_ENTITY", "")
        self.tags = tuple(tags or ())
        self.group, self.job_type, self.notes = group, job_type, notes
        self.dir = dir or os.environ.get("SWEEP_TRIAL_DIR", os.getcwd())
        self.config = config
        self.summary = Summary()
        self.step = 0
        self._row = {}
        self._start = time.time()
        self._finished = False
        self.url = ""
        self.offline = True
        self.disabled = False

    def log(self, data, step=None, commit=None, sync=None):
        if self._finished:
            _warn("log() after finish() is ignored")
            return
        if not isinstance(data, dict):
            raise TypeError("wandb.log must be passed a dictionary")
        if step is not None:
            step = int(step)
            if step < self.step:
                _warn("Tried to log to step %d that is less than the current step %d. Steps must be monotonically increasing, so this data will be ignored." % (step, self.step))
                return
            if step > self.step:
                self._commit()
                self.step = step
        row = {}
        _flatten(data, "", row)
        self._row.update(row)
        for k, v in row.items():
            dict.__setitem__(self.summary, k, v)
        if commit is None:
            commit = step is None
        if commit:
            self._commit()

    def _commit(self):
        if not self._row:
            return
        row = dict(self._row)
        row["_step"] = self.step  # the run's time is the sweep's to record
        self._row = {}
        self.step += 1
        _emit(row)

    def finish(self, exit_code=None, quiet=None):
        if self._finished:
            return
        self._commit()
        extra = {}
        _flatten(self.summary._explicit, "", extra)
        if extra:
            extra["_step"] = self.step
            _emit(extra)
        self._finished = True
        global run
        if run is self:
            run = None

    def define_metric(self, name, step_metric=None, step_sync=None, hidden=None, summary=None, goal=None, overwrite=None, **kwargs):
        return _Ignored()

    def watch(self, *args, **kwargs):
        return None

    def unwatch(self, *args, **kwargs):
        return None

    def alert(self, *args, **kwargs):
        return None

    def save(self, *args, **kwargs):
        return True

    def log_artifact(self, *args, **kwargs):
        return _Ignored()

    def use_artifact(self, *args, **kwargs):
        return _Ignored()

    def log_code(self, *args, **kwargs):
        return None

    def mark_preempting(self):
        return None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.finish(exit_code=1 if exc_type else 0)
        return False


def _emit(row):
    try:
        sys.stdout.flush()
    except Exception:
        pass
    out = sys.__stdout__ or sys.stdout
    out.write(json.dumps(row, allow_nan=False) + "\n")
    out.flush()


run = None
config = Config()
summary = Summary()


def init(project=None, entity=None, config=None, name=None, id=None, reinit=None, resume=None, mode=None,
         tags=None, group=None, job_type=None, notes=None, dir=None, settings=None, **kwargs):
    """Starts the run: the sweep's parameters, merged last and locked."""
    global run, summary
    g = globals()
    if run is not None and not reinit:
        return run
    if run is not None:
        run.finish()
    cfg = Config()
    if os.path.exists("config-defaults.yaml"):
        cfg.update(_as_dict("config-defaults.yaml"))
    cfg.update(_as_dict(config))
    cfg._sweep(_SWEEP_PARAMS)
    g["config"] = cfg
    run = Run(name=name, config=cfg, project=project, entity=entity, tags=tags, group=group, job_type=job_type, notes=notes, dir=dir)
    summary = run.summary
    return run


def log(data, step=None, commit=None, sync=None):
    if run is None:
        raise Error("You must call wandb.init() before wandb.log()")
    run.log(data, step=step, commit=commit)


def finish(exit_code=None, quiet=None):
    if run is not None:
        run.finish(exit_code=exit_code)


def define_metric(*args, **kwargs):
    return _Ignored()


def watch(*args, **kwargs):
    return None


def unwatch(*args, **kwargs):
    return None


def alert(*args, **kwargs):
    return None


def save(*args, **kwargs):
    return True


def log_artifact(*args, **kwargs):
    return _Ignored()


def use_artifact(*args, **kwargs):
    return _Ignored()


def login(*args, **kwargs):
    return True


def setup(*args, **kwargs):
    return None


def sweep(sweep, entity=None, project=None, **kwargs):
    """A sweep inside a run: the run's own id; its agent runs the function once."""
    return os.environ.get("WANDB_SWEEP_ID", "sweep")


def agent(sweep_id, function=None, entity=None, project=None, count=None):
    """Inside a run of `sweep`, the run is the one trial: function runs once."""
    if function is not None:
        function()


class Error(Exception):
    pass


class Settings(_Ignored):
    pass


@atexit.register
def _at_exit():
    if run is not None:
        run.finish()
