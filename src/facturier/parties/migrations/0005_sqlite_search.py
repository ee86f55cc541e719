"""On SQLite, a full-text index (FTS5, trigram tokenizer) for the customer search (issue 9).

The search (`parties.selectors.customer_list`, and the customers an invoice search reads first) is a
case-insensitive substring match on name, code, VAT number and city, and a prefix match on the SIREN.
SQLite's LIKE reads every row and folds the case of ASCII letters only; FTS5's trigram tokenizer
answers a substring of three characters or more from its index and folds the case of every letter
(é and É), as PostgreSQL's `upper()` does. The index holds a copy of the searched columns, one row per
customer, keyed by the customer id (`key`: the id as Django stores it on SQLite, 32 hex digits, also
indexed so a trigger finds a customer's row without a scan; rowids are not used: VACUUM may renumber
them). Triggers keep it in the transaction of every insert, update and delete, whatever the code path
(services, imports, bulk updates, the admin). PostgreSQL keeps its trigram indexes (parties 0003).
"""

from django.db import migrations

from facturier.common.text_search import sqlite_index


class Migration(migrations.Migration):
    dependencies = [
        ("parties", "0004_api_order_index"),
    ]

    operations = [
        sqlite_index(
            "parties_customer_search", "parties_customer", ("name", "code", "siren", "vat_number", "city")
        )
    ]
