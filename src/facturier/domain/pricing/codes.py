"""Checking a promotion code entered on a document: unknown, not yet valid, expired, not for this customer."""

from __future__ import annotations

from enum import StrEnum

from facturier.domain.pricing.rules import Context, Discount, DiscountKind

__all__ = ["CodeProblem", "check_code"]


class CodeProblem(StrEnum):
    UNKNOWN = "promotion_code_unknown"
    NOT_YET_VALID = "promotion_code_not_yet_valid"
    EXPIRED = "promotion_code_expired"
    NOT_FOR_CUSTOMER = "promotion_code_not_for_customer"


def check_code(context: Context, promotions: list[Discount]) -> CodeProblem | None:
    """Why `context.promotion_code` cannot be used, or None when it can (or when no code is given).

    Codes compare without case or surrounding spaces. Among promotions sharing a code, one usable is
    enough; otherwise the problem reported is the one of the closest miss (customer before dates).
    """
    code = context.promotion_code.strip().casefold()
    if not code:
        return None
    same = [p for p in promotions if p.kind == DiscountKind.PROMOTION_CODE and p.code.casefold() == code]
    if not same:
        return CodeProblem.UNKNOWN
    problems = [_problem(context, promotion) for promotion in same]
    if None in problems:
        return None
    order = [CodeProblem.NOT_FOR_CUSTOMER, CodeProblem.EXPIRED, CodeProblem.NOT_YET_VALID]
    return min((p for p in problems if p is not None), key=order.index)


def _problem(context: Context, promotion: Discount) -> CodeProblem | None:
    if promotion.customer_id is not None and promotion.customer_id != context.customer_id:
        return CodeProblem.NOT_FOR_CUSTOMER
    if promotion.segment_id is not None and promotion.segment_id not in context.segment_ids:
        return CodeProblem.NOT_FOR_CUSTOMER
    if promotion.valid_until is not None and context.day > promotion.valid_until:
        return CodeProblem.EXPIRED
    if promotion.valid_from is not None and context.day < promotion.valid_from:
        return CodeProblem.NOT_YET_VALID
    return None
