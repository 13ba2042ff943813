"""Pure-Python policy engine: parse, validate and decide.

Nothing in this package imports Odoo; the models in ``../models`` adapt it to
the ORM.  Call order: load a policy document into a frozen spec, compute facts
in bulk (the models do that in SQL), then ask the engine to decide per case
with an explicit ``today``; applying the decision is the models' job.
"""

from .engine import CaseInput, Decision, InvoiceInput, assign_segment, decide, make_step_key, suggest_payment_term
from .errors import PolicyError
from .loader import LoadResult, load_policy
from .schema import PolicySpec
