"""Group names of accounts by one of their fields (spec section 12): an empty field is the
group `(none)`, for the bridge and the windows alike."""

from __future__ import annotations

import numpy as np
import pandas as pd

NONE_GROUP = "(none)"


def field_groups(accounts: pd.DataFrame, account_ids: np.ndarray, field: str) -> list[str]:
    """The value of `field` of each given account, `(none)` where empty or unknown."""
    values = accounts.set_index("account_id")[field].reindex(account_ids)
    return [NONE_GROUP if v is None or pd.isna(v) or v == "" else str(v) for v in values]
