"""Loads a function's handler module from functions/<name>/ the way Lambda does: the layer's
code on the path, the module imported fresh (a cold start) under its own name."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from devstack.template import ROOT, FunctionSpec

LAYER = ROOT / "layers" / "common"


def ensure_layer_on_path() -> None:
    if str(LAYER) not in sys.path:
        sys.path.insert(0, str(LAYER))


def load_handler_module(spec: FunctionSpec) -> ModuleType:
    """Import functions/<name>/<module>.py as a new module: module-level code (clients, settings)
    runs again, as in a new Lambda container. Callers reset helpdesk caches first if needed."""
    ensure_layer_on_path()
    module_file, _handler = spec.handler.rsplit(".", 1)
    path = Path(spec.code_dir) / f"{module_file}.py"
    name = f"function_{spec.name}"
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    module_spec.loader.exec_module(module)
    return module


def reset_layer_caches() -> None:
    """Forget the per-container singletons (settings, clients), as a new container would."""
    ensure_layer_on_path()
    from helpdesk import config, runtime

    config.settings.cache_clear()
    config.mail_settings.cache_clear()
    config.sla_policies.cache_clear()
    for cached in (
        runtime.dynamodb,
        runtime.ticket_store,
        runtime.ticket_service,
        runtime.ticket_attributes,
        runtime.account_lookup,
        runtime.tickets_for_customers,
        runtime.report_store,
        runtime.ticket_search,
        runtime.account_store,
        runtime.account_service,
        runtime.address_confirmation,
        runtime.mail_identity,
        runtime.mailer,
        runtime.mail_bucket,
        runtime.file_bucket,
        runtime.file_service,
        runtime.rating_service,
        runtime.operator_directory,
        runtime.assignment_service,
    ):
        cached.cache_clear()
