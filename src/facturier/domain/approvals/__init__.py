"""Approval circuits, pure: which levels a document must pass (``rules``), who may decide each level
(``approvers``) and what the automatic pre-checks of a supplier invoice find (``prechecks``).

No Django here: the ``approvals`` app reads rows, turns them into these values and stores the outcome.
"""
