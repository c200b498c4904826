"""What the steps after the parse would otherwise spend seconds on, on one core: started on background
threads while the parse workers keep the cores busy."""

import threading

from pipeline.quality.suites import preload_great_expectations

_started = threading.Event()


def warm_up_for_publishing() -> None:
    """Great Expectations' import (the suites) and the report's JavaScript bundle (1.6 s; functools.cache
    keeps it for the dataset report), once per process."""
    if _started.is_set():
        return
    _started.set()
    preload_great_expectations()
    threading.Thread(target=_report_bundle, name="preload-report", daemon=True).start()


def _report_bundle() -> None:
    from pipeline.report import javascript_bundle  # Altair and vl-convert: imported here, not at start-up

    javascript_bundle()
