"""compengine: incentive compensation for usage-based (consumption) sales.

Data flows plan files -> validated plans (``plan``), ledger files -> stored rows and
monthly usage (``ledger``, ``storage``), then crediting, component calculators and
payouts (``calc``, ``crediting``, ``results``), payout cycles (``cycles``), and out to
reps and payroll (``statements``, ``api``). ``cli`` ties the steps together.
"""

__version__ = "0.1.0"
