"""The Finnish bank barcode in its printed form (virtuaaliviivakoodi), symbol versions 4 and 5.

How to use: ``virtual_barcode(iban, amount, reference, due_date)`` returns the
54 digits a payer types or scans into an online bank to fill in the account,
amount, reference and due date of a credit transfer, as the Finnish banks'
Bank Bar Code Guide (Finanssiala, version 5.3) defines them:

* version 4 (a Finnish national reference): ``4``, the IBAN's 16 digits
  without ``FI``, the euros (6 digits) and cents (2), three reserved zeros, the
  reference right-aligned on 20 digits, the due date ``YYMMDD``;
* version 5 (an RF creditor reference, ISO 11649): ``5``, the IBAN's digits,
  the amount, the reference's two check digits, its body right-aligned on 21
  digits, the due date.

An amount of 0 (or ``None``) and a due date of ``None`` are written as zeros:
the payer fills them in.  Only Finnish IBANs, euro amounts below one million
and numeric references qualify; anything else raises ``ValueError`` (a letter
then prints the payment details without a barcode).  Pure Python, no Odoo.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

MAX_AMOUNT = Decimal("999999.99")


def _compact(value):
    return "".join(str(value).split()).upper()


def iban_is_valid(iban) -> bool:
    """ISO 13616 check digits (mod 97) of ``iban`` (spaces allowed)."""
    iban = _compact(iban)
    if len(iban) < 5 or not iban[:2].isalpha() or not iban[2:4].isdigit() or not iban.isalnum():
        return False
    digits = "".join(str(int(char, 36)) for char in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def finnish_reference_is_valid(reference) -> bool:
    """A Finnish national reference (viitenumero): 4 to 20 digits, the last one its 7-3-1 check digit."""
    reference = _compact(reference)
    if not reference.isdigit() or not 4 <= len(reference) <= 20:
        return False
    return finnish_check_digit(reference[:-1]) == int(reference[-1])


def finnish_check_digit(body) -> int:
    """The check digit of a Finnish reference's ``body``: weights 7, 3, 1 from the right, to the next ten."""
    weights = (7, 3, 1)
    total = sum(int(digit) * weights[index % 3] for index, digit in enumerate(reversed(str(body))))
    return (10 - total % 10) % 10


def rf_reference_is_valid(reference) -> bool:
    """An RF creditor reference (ISO 11649): ``RF``, two check digits, up to 21 characters, mod 97 = 1."""
    reference = _compact(reference)
    if not reference.startswith("RF") or not 5 <= len(reference) <= 25 or not reference[2:4].isdigit():
        return False
    return iban_is_valid(reference)


def virtual_barcode(iban, amount, reference, due_date=None) -> str:
    """The 54-digit virtual bank barcode (version 4 or 5, chosen by the reference's form); see the module."""
    iban = _compact(iban)
    if not iban.startswith("FI") or len(iban) != 18 or not iban_is_valid(iban):
        raise ValueError(f"not a Finnish IBAN: {iban!r}")
    amount = Decimal(str(amount or 0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount < 0 or amount > MAX_AMOUNT:
        raise ValueError(f"amount out of the barcode's range: {amount}")
    euros, cents = divmod(int(amount * 100), 100)
    money = f"{euros:06d}{cents:02d}"
    due = due_date.strftime("%y%m%d") if isinstance(due_date, date) else "000000"
    reference = _compact(reference)
    if rf_reference_is_valid(reference):
        body = reference[4:]
        if not body.isdigit():
            raise ValueError(f"an RF reference the barcode cannot carry (letters): {reference!r}")
        return f"5{iban[2:]}{money}{reference[2:4]}{body.zfill(21)}{due}"
    if finnish_reference_is_valid(reference):
        return f"4{iban[2:]}{money}000{reference.zfill(20)}{due}"
    raise ValueError(f"not a Finnish or RF reference: {reference!r}")
