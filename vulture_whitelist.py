"""Names vulture (``make lint``) must not report as dead code: used by a framework, not by our code.

vulture reads this file as more source and counts every name below as used; it is never imported. It
matches by name, not by owner, so each entry covers every definition of that name in sim/, tools/ and
benchmarks/. Pydantic validators are exempt by decorator (``ignore_decorators`` in pyproject.toml), typer
commands are registered by call and ``__all__`` members count as used, so neither needs an entry.

The format is vulture's own (``vulture --make-whitelist``): attribute names on an undefined ``_``. Keep
entries few and say why; an entry whose name no longer appears in the code fails
tests/test_vulture_whitelist.py.
"""

# --- pydantic models: read by pydantic, never by our code -------------------------------------------------
_.model_config  # model configuration (frozen, extra="forbid", strict) on every scenario and sweep model
_.dist  # the Literal tag pydantic uses to pick a distribution class from the union
_.schema_  # the scenario's ``schema: 1`` key, validated on load
_.notes  # free-text field every scenario entity accepts (docs/scenario-format.md)

# --- protocols and hooks called by other libraries -------------------------------------------------------
_.__getattr__  # sim/__init__.py: module __getattr__ (PEP 562) loads run/write_run/RunResult lazily
_.tb  # the traceback argument of __exit__ in context managers
_.setup  # dask WorkerPlugin.setup, called by distributed on each worker
_._ok  # SimPy's private Event state, set by sim.engines.simpy_internals to make a triggered event
_._value  # same (the triggered event's value)
