"""Run warnings for usage that no contract covers (spec section 8).

Such usage earns nobody anything, so ops must see it: usually a contract is missing,
ends too early or lacks a product. One warning per account, product and month, the
first ones only when there are many, then one line with the rest.
"""

from __future__ import annotations

import pandas as pd

from compengine.money import format_cents
from compengine.months import format_period

SHOWN = 20  # cells listed one by one


def uncovered_warnings(uncovered: pd.DataFrame) -> list[str]:
    """uncovered: account_id, product, month, amount_cents, ordered, non-zero amounts."""
    warnings = [
        f"usage not covered by any contract: account {account!r}, "
        f"{f'product {product!r}' if product else 'no product'}, {format_period(int(month))}: "
        f"{format_cents(int(cents), grouping=True)}"
        for account, product, month, cents in uncovered.head(SHOWN).itertuples(index=False)
    ]
    rest = uncovered.iloc[SHOWN:]
    if len(rest):
        total = sum(int(cents) for cents in rest["amount_cents"].tolist())
        warnings.append(
            f"usage not covered by any contract: {len(rest):,} more account/product/month "
            f"cells on {rest['account_id'].nunique():,} accounts, "
            f"{format_cents(total, grouping=True)} in all"
        )
    return warnings
