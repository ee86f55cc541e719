"""Every API schema has its own name: OpenAPI keys components by class name, so two `LineIn` classes made
the published schema describe one of them in place of the other (invoice lines lost `product_code`)."""

import importlib
import inspect
import pkgutil
from collections import defaultdict

from ninja import Schema

import facturier.api.v1 as api_package


def test_no_two_api_schemas_share_a_name():
    owners: dict[str, set[str]] = defaultdict(set)
    for module_info in pkgutil.iter_modules(api_package.__path__):
        module = importlib.import_module(f"{api_package.__name__}.{module_info.name}")
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, Schema) and value.__module__ == module.__name__:
                owners[name].add(module.__name__)
    assert {name: modules for name, modules in owners.items() if len(modules) > 1} == {}
