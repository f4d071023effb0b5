"""compengine: incentive compensation for usage-based (consumption) sales.

Data flows plan files -> validated plans (``plan``), ledger files -> stored rows and
monthly usage (``ledger``, ``storage``), then crediting, component calculators and
payouts (``calc``, ``crediting``, ``results``) and payout cycles (``cycles``). ``cli``
ties the steps together; ``sample`` is the bundled demo data and plans. Statements and
the REST API (spec sections 9 to 11) are not built yet.
"""

__version__ = "0.1.0"
