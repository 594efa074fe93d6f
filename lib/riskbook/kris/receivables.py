"""Open receivables at any day, from invoices and payments read once.

What is open at a period end is the invoices issued by then less what was paid on them by then. A report
asks it at many ends (each period of the KRI history, each month of a year); the invoice ids of both tables
are coded as integers once, and each end is then a date comparison and a weighted count per invoice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


class Receivables:
    """A unit's invoices and payments, ready to tell what is open at a given day."""

    def __init__(self, invoices: pd.DataFrame, payments: pd.DataFrame | None) -> None:
        self.invoices = invoices
        ids = invoices["invoice_id"]
        pay_ids = payments["invoice_id"] if payments is not None else ids.iloc[:0]
        codes, uniques = pd.factorize(pd.concat([ids, pay_ids], ignore_index=True))  # a blank id is -1
        self.n = len(uniques)
        self.code = codes[: len(ids)]
        self.issue = invoices["issue_date"].to_numpy()
        self.dups = bool(pd.Series(self.code).duplicated().any())
        if payments is None:
            self.pay_code, self.pay_date, self.pay_amount = codes[:0], self.issue[:0], np.zeros(0)
        else:
            known = codes[len(ids) :] >= 0
            self.pay_code = codes[len(ids) :][known]
            self.pay_date = payments["payment_date"].to_numpy()[known]
            amount = payments["amount"].to_numpy(dtype=float, na_value=np.nan)[known]
            self.pay_amount = np.where(np.isnan(amount), 0.0, amount)  # a blank amount pays nothing

    def open_at(self, end: pd.Timestamp) -> pd.DataFrame:
        """Invoices open at ``end``: each invoice issued by then (its first row, where the id repeats) with
        ``paid`` (payments dated by then), ``balance`` (above half a cent) and ``days_past_due``."""
        day = pd.Timestamp(end).to_datetime64()
        rows = np.flatnonzero(self.issue <= day)
        if self.dups:  # the first row of each invoice issued by then
            _, first = np.unique(self.code[rows], return_index=True)
            rows = rows[np.sort(first)]
        paid_by = self.pay_date <= day
        paid = np.bincount(self.pay_code[paid_by], weights=self.pay_amount[paid_by], minlength=self.n)
        code = self.code[rows]
        inv = self.invoices.iloc[rows]
        out = inv.assign(paid=np.where(code >= 0, paid[np.maximum(code, 0)], 0.0) if self.n else 0.0)
        out = out.assign(balance=(out["amount"] - out["paid"]).clip(lower=0.0))
        out = out[out["balance"] > 0.005]
        return out.assign(days_past_due=(end - out["due_date"]).dt.days.clip(lower=0))
