"""Imported once by the batch fork server, so every worker forks with the pipeline
already imported and its lazy tables (lemmas, spaCy) loaded. Never fails: a broken
import is reported per task by the worker itself."""
try:  # noqa: SIM105
    from . import worker  # noqa: F401
    from .worker import warm_up

    warm_up()
except Exception:  # noqa: BLE001
    pass

try:
    # The fork server may outlive one batch (a long-lived parent runs several); the
    # rules must then be read afresh by each worker, not inherited from this snapshot.
    from ..match import rules as _rules

    for _obj in list(vars(_rules).values()):
        if callable(getattr(_obj, "cache_clear", None)):
            _obj.cache_clear()
except Exception:  # noqa: BLE001
    pass
