"""Random sequences of API calls on a few invoices (hypothesis state machine).

Whatever the order of create, edit, submit, approve, reject, issue, credit and delete calls: no server
error, an issued document never changes, invoice numbers stay one unbroken sequence, and every audit
and seal chain still verifies.
"""

import re

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from facturier.audit.verify import verify_all
from facturier.invoicing.models import Document

ACTIONS = ("submit", "approve", "issue")
# What a client may do next to an invoice; repeated entries are more likely.
STEPS = (*ACTIONS, *ACTIONS, "all the way", "all the way", "credit", "credit", "reject", "edit", "delete")


def _frozen(document: Document) -> tuple:
    return (document.number, document.issue_date, document.tax_inclusive, document.seal_hash,
            list(document.lines.values_list("description", "quantity", "unit_price")))  # fmt: skip


@pytest.mark.slow
def test_random_call_sequences_keep_issued_invoices_immutable_and_numbers_gapless(
    api, approver_api, entity, customer, product
):
    entity.requires_approval = True
    entity.save()

    class Lifecycle(RuleBasedStateMachine):
        invoices = Bundle("invoices")

        def __init__(self):
            super().__init__()
            self.frozen: dict[str, tuple] = {}

        def call(self, method, path, body=None):
            # approving and rejecting are the approving system's key's business: the writer's key may not
            client = approver_api if path.endswith(("/approve", "/reject")) else api
            response = (
                getattr(client, method)(path, body) if body is not None else getattr(client, method)(path)
            )
            assert response.status_code < 500, response.content
            return response

        @rule(target=invoices, quantity=st.sampled_from(["1", "2.5", "-1", "10"]))
        def create(self, quantity):
            body = {
                "customer": str(customer.pk),
                "lines": [{"product": str(product.pk), "quantity": quantity}],
            }
            response = self.call("post", "/api/v1/invoices", body)
            return response.json()["id"] if response.status_code == 201 else None

        @rule(invoice=invoices, step=st.sampled_from(STEPS))
        def act(self, invoice, step):
            if not invoice:
                return
            url = f"/api/v1/invoices/{invoice}"
            if step in ACTIONS:
                self.call("post", f"{url}/{step}")
            elif step == "all the way":
                for action in ACTIONS:
                    self.call("post", f"{url}/{action}")
            elif step == "reject":
                self.call("post", f"{url}/reject", {"reason": "Mauvais prix"})
            elif step == "edit":
                self.call("patch", url, {"lines": [{"description": "Revu", "quantity": "3", "unit_price": "99.99"}],
                                         "note": "modifié"})  # fmt: skip
            elif step == "delete":
                self.call("delete", url)
            elif step == "credit":
                response = self.call("post", f"{url}/credit-note", {"reason": "Avoir"})
                if response.status_code == 201:
                    for action in ACTIONS:
                        self.call("post", f"/api/v1/credit_notes/{response.json()['id']}/{action}")

        @invariant()
        def issued_documents_never_change(self):
            for document in Document.objects.filter(entity=entity).exclude(seal_hash=""):
                snapshot = _frozen(document)
                assert self.frozen.setdefault(str(document.pk), snapshot) == snapshot

        @invariant()
        def numbers_form_one_unbroken_sequence(self):
            for series in ("invoice", "credit_note"):
                numbers = Document.objects.filter(
                    entity=entity, series__code=series, kind="invoice"
                ).values_list("number", flat=True)
                sequence = sorted(int(re.search(r"(\d+)$", number).group(1)) for number in numbers)
                assert sequence == list(range(1, len(sequence) + 1))

        def teardown(self):
            assert verify_all() == []

    run_state_machine_as_test(
        Lifecycle,
        settings=settings(
            max_examples=12,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
        ),  # fmt: skip
    )
