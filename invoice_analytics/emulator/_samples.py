"""Deterministic sample invoice lists for Faspay Billing and Mayar.

Each generator returns records exactly in its provider's JSON row shape, with the type drift real APIs show
(numbers sometimes sent as strings, a missing customer id), and always starts from the reference page's own
sample rows. Dates are fixed (invoices from 2025-01-01 to 2026-11-15, statuses as seen on :data:`AS_OF`), so
the same seed always gives the same records.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import string
import uuid
from collections.abc import Callable
from typing import Any

__all__ = [
    "AS_OF",
    "DEFAULT_SEED",
    "FASPAY_REFERENCE_RESPONSE",
    "FIRST_DAY",
    "LAST_DAY",
    "MAYAR_REFERENCE_RESPONSE",
    "faspay_reference_rows",
    "generate_faspay",
    "generate_mayar",
    "mayar_reference_rows",
]

DEFAULT_SEED = 20261121
#: Invoices are dated FIRST_DAY .. LAST_DAY; statuses are as seen on AS_OF.
FIRST_DAY = dt.date(2025, 1, 1)
LAST_DAY = dt.date(2026, 11, 15)
AS_OF = dt.date(2026, 11, 21)
_WIB = dt.timezone(dt.timedelta(hours=7))

#: The Faspay reference page's sample response, as published.
FASPAY_REFERENCE_RESPONSE = """{
    "current_page": "1",
    "total_pages": 1,
    "total_data": 6,
    "response_code": "00",
    "data": [
        {
            "customer_id": 32,
            "customer_name": "PT. Media Indonusa (ASTEL Group)",
            "invoice_date": "2023-02-07 00:00:00",
            "invoice_no": "INV-FPY-022300178",
            "due_date": "2023-02-08 10:04:00",
            "invoice_status": "Paid",
            "outstanding_amount": -400800,
            "period": "202302"
        },
        {
            "customer_id": 66,
            "customer_name": "Fadhil Achmadi 2",
            "invoice_date": "2023-02-23 00:00:00",
            "invoice_no": "INV-T8V-022300005",
            "due_date": "2023-03-09 15:07:00",
            "invoice_status": "Paid",
            "outstanding_amount": 0,
            "period": "202302"
        },
        {
            "customer_id": 66,
            "customer_name": "Fadhil Achmadi 2",
            "invoice_date": "2023-02-24 00:00:00",
            "invoice_no": "INV-T8V-022300008",
            "due_date": "2023-03-08 10:37:00",
            "invoice_status": "Paid",
            "outstanding_amount": 0,
            "period": "202302"
        },
        {
            "customer_id": 66,
            "customer_name": "Fadhil Achmadi 2",
            "invoice_date": "2023-02-24 00:00:00",
            "invoice_no": "INV-T8V-022300007",
            "due_date": "2023-04-20 09:50:00",
            "invoice_status": "Paid",
            "outstanding_amount": 0,
            "period": "202302"
        },
        {
            "customer_id": 99,
            "customer_name": "MP2-Fadhil",
            "invoice_date": "2023-02-27 00:00:00",
            "invoice_no": "INV-MP2-022300002",
            "due_date": "2023-03-22 17:03:00",
            "invoice_status": "Draft",
            "outstanding_amount": 456900,
            "period": "202302"
        },
        {
            "customer_id": 9,
            "customer_name": "customer-new-single",
            "invoice_date": "2023-04-11 00:00:00",
            "invoice_no": "INV-FPY-042301733",
            "due_date": "2023-04-24 11:14:00",
            "invoice_status": "Paid",
            "outstanding_amount": 0,
            "period": "202304"
        }
    ],
    "message": "Success get billing"
}
"""

#: The Mayar reference page's sample response, as published.
MAYAR_REFERENCE_RESPONSE = """{
    "statusCode": 200,
    "messages": "success",
    "data": [
        {
            "id": "6f8c19ff-5b97-4792-aa89-d2a12797b356",
            "amount": 110000,
            "category": null,
            "createdAt": 1768375011056,
            "description": "",
            "link": "ibzfrf4880",
            "type": "invoice",
            "status": "paid",
            "name": "INVOICE",
            "redirectUrl": null,
            "customerId": "21d84338-b46d-42d7-9b49-d402520407a5",
            "transactions": [
                {
                    "id": "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
                    "status": "created",
                    "extraData": null
                },
                {
                    "id": "b2c3d4e5-f6a7-8901-bcde-f23456789012",
                    "status": "paid",
                    "extraData": null
                }
            ],
            "customer": {
                "id": "21d84338-b46d-42d7-9b49-d402520407a5",
                "email": "budi.santoso@example.com",
                "mobile": "081234567890",
                "name": "Budi Santoso"
            }
        },
        {
            "id": "c3d4e5f6-a7b8-9012-cdef-345678901234",
            "amount": 50000,
            "category": null,
            "createdAt": 1768288611056,
            "description": "Pelunasan pesanan",
            "link": "w2wdxisnbtp",
            "type": "invoice",
            "status": "closed",
            "name": "INVOICE",
            "redirectUrl": null,
            "customerId": "348e083d-315a-4e5c-96b1-5a2a98c48413",
            "transactions": [
                {
                    "id": "d4e5f6a7-b8c9-0123-defa-456789012345",
                    "status": "created",
                    "extraData": null
                }
            ],
            "customer": {
                "id": "348e083d-315a-4e5c-96b1-5a2a98c48413",
                "email": "siti.aminah@example.com",
                "mobile": "081298765432",
                "name": "Siti Aminah"
            }
        }
    ],
    "hasMore": true,
    "nextStartingAfter": "1768288611056"
}
"""


def faspay_reference_rows() -> list[dict[str, Any]]:
    """The 6 rows of the Faspay reference page's sample response."""
    rows: list[dict[str, Any]] = json.loads(FASPAY_REFERENCE_RESPONSE)["data"]
    return rows


def mayar_reference_rows() -> list[dict[str, Any]]:
    """The 2 rows of the Mayar reference page's sample response."""
    rows: list[dict[str, Any]] = json.loads(MAYAR_REFERENCE_RESPONSE)["data"]
    return rows


# -- names ---------------------------------------------------------------------

_FIRST = (
    "Budi Siti Agus Dewi Rizky Putri Andi Fitri Ahmad Nur Dian Eko Wahyu Rina Hendra Yusuf Indah Fajar "
    "Ayu Bayu Sri Joko Lina Rudi Maya Arif Ratna Dimas Wulan Teguh Nadia Irfan Sari Galih Anisa Reza Mega "
    "Taufik Citra Yoga Kartika Bambang Intan Hadi Ratih Ilham Novi Gilang Tari"
).split()
_LAST = (
    "Santoso Wijaya Saputra Lestari Pratama Hidayat Kusuma Nugroho Setiawan Siregar Nasution Hasibuan "
    "Sihombing Gunawan Halim Susanto Rahmawati Purnamasari Harahap Simanjuntak Wibowo Hartono Utami "
    "Permana Kurniawan Syahputra Putra Maharani Firmansyah Anggraini Tanjung Sinaga Lubis Situmorang"
).split()
_BIZ_A = (
    "Sinar Maju Cahaya Bumi Mitra Karya Sumber Graha Tunas Mega Citra Surya Putra Bintang Duta Nusa Prima "
    "Anugerah Berkah Inti Sentral Mulia Harapan Dwi Tri Panca Samudra Gemilang"
).split()
_BIZ_B = (
    "Jaya Abadi Sentosa Makmur Mandiri Sejahtera Lestari Utama Perkasa Nusantara Persada Gemilang Raya "
    "Bersama Indah Teknologi Digital Logistik Solusi Kreasi Medika Pangan Energi Niaga"
).split()
_BIZ_C = ("", "", "", "Indonesia", "Indo", "Group", "Internasional", "Tbk")
_CITIES = ("Jakarta", "Bandung", "Surabaya", "Medan", "Semarang", "Makassar", "Denpasar", "Yogyakarta", "Malang")


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _company(rng: random.Random) -> str:
    words = [rng.choice(_BIZ_A), rng.choice(_BIZ_B)]
    if rng.random() < 0.25:
        words.append(rng.choice(_CITIES))
    tail = rng.choice(_BIZ_C)
    if tail:
        words.append(tail)
    form = rng.choices(["PT.", "PT", "CV.", "UD.", "Koperasi", "Yayasan"], weights=[45, 20, 20, 6, 5, 4])[0]
    return f"{form} {' '.join(words)}"


def _unique(make: Callable[[random.Random], str], rng: random.Random, taken: set[str]) -> str:
    while True:
        value = make(rng)
        if value not in taken:
            taken.add(value)
            return value


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _round100(value: float) -> int:
    return round(value / 100.0) * 100


def _day(rng: random.Random) -> dt.date:
    """An invoice day: business grows over the span; weekends are quiet."""
    span = (LAST_DAY - FIRST_DAY).days
    while True:
        offset = rng.randint(0, span)
        day = FIRST_DAY + dt.timedelta(days=offset)
        weight = (0.55 + 0.45 * offset / span) * (0.3 if day.weekday() >= 5 else 1.0)
        if rng.random() < weight:
            return day


# -- Faspay Billing ---------------------------------------------------------------

_FASPAY_PAST_DUE = {"Paid": 76, "Overdue": 8, "Unpaid": 2, "Partial Paid": 4, "Cancelled": 6, "Draft": 2, "Proforma": 2}
#: More than 90 days past due: most invoices have been paid or written off by then.
_FASPAY_LONG_PAST_DUE = {"Paid": 84, "Overdue": 2.5, "Unpaid": 0.5, "Partial Paid": 1, "Cancelled": 9, "Draft": 1.5,
                         "Proforma": 1.5}
_FASPAY_NOT_DUE = {"Paid": 35, "Unpaid": 35, "Partial Paid": 8, "Cancelled": 3, "Draft": 11, "Proforma": 8}


def generate_faspay(n: int = 6000, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """``n`` Faspay ``get-all-billing`` rows, oldest first; the first 6 are the reference page's rows.

    About 400 customers (the reference page's 4 among them), numeric ids (~3% sent as strings, ~1% missing);
    ``outstanding_amount`` in multiples of Rp 100 (~3% sent as strings, negative on ~3% of Paid).
    """
    rng = random.Random(seed)
    reference = faspay_reference_rows()[:n]
    taken: set[str] = set()
    customers: list[tuple[int, str, int]] = []  # (id, name, typical amount)
    for row in reference:
        if all(c[0] != row["customer_id"] for c in customers):
            taken.add(row["customer_name"])
            customers.append((row["customer_id"], row["customer_name"], _round100(rng.lognormvariate(14.5, 0.9))))
    next_id = 100
    while len(customers) < 400:
        next_id += rng.randint(1, 40)
        name = _unique(_company if rng.random() < 0.6 else _person, rng, taken)
        customers.append((next_id, name, _round100(rng.lognormvariate(14.8, 1.0))))
    activity = [rng.paretovariate(1.3) for _ in customers]

    drafts: list[tuple[dt.date, str, tuple[int, str, int]]] = []
    for _ in range(n - len(reference)):
        prefix = rng.choices(["FPY", "T8V", "MP2"], weights=[85, 10, 5])[0]
        drafts.append((_day(rng), prefix, rng.choices(customers, weights=activity)[0]))
    drafts.sort(key=lambda d: (d[0], d[1]))

    counters: dict[tuple[str, str], int] = {}
    rows = list(reference)
    for day, prefix, (customer_id, customer_name, typical) in drafts:
        month = day.strftime("%m%y")
        seq = counters.get((prefix, month), rng.randint(1, 300)) + rng.choices([1, 2, 3], weights=[85, 10, 5])[0]
        counters[(prefix, month)] = seq
        due = dt.datetime.combine(day, dt.time(rng.randint(8, 18), rng.randint(0, 59))) + dt.timedelta(
            days=rng.randint(7, 60)
        )
        past_due = (AS_OF - due.date()).days
        weights = _FASPAY_NOT_DUE if past_due <= 0 else _FASPAY_PAST_DUE if past_due <= 90 else _FASPAY_LONG_PAST_DUE
        status = rng.choices(list(weights), weights=list(weights.values()))[0]
        amount = max(50_000, _round100(typical * rng.uniform(0.6, 1.6) if rng.random() < 0.7 else typical))
        if status in ("Unpaid", "Overdue"):
            outstanding = amount
        elif status == "Partial Paid":
            outstanding = _round100(amount * rng.uniform(0.1, 0.9))
        elif status == "Paid":
            outstanding = -100 * rng.randint(1, 5000) if rng.random() < 0.03 else 0
        elif status == "Cancelled":
            outstanding = amount if rng.random() < 0.35 else 0
        else:  # Draft, Proforma
            outstanding = amount if rng.random() < 0.9 else 0
        drift = rng.random()
        cid: int | str | None = customer_id
        if drift < 0.01:
            cid = None
        elif drift < 0.04:
            cid = str(customer_id)
        rows.append(
            {
                "customer_id": cid,
                "customer_name": customer_name,
                "invoice_date": f"{day.isoformat()} 00:00:00",
                "invoice_no": f"INV-{prefix}-{month}{seq:05d}",
                "due_date": due.strftime("%Y-%m-%d %H:%M:%S"),
                "invoice_status": status,
                "outstanding_amount": str(outstanding) if rng.random() < 0.03 else outstanding,
                "period": day.strftime("%Y%m"),
            }
        )
    return rows


# -- Mayar -------------------------------------------------------------------------

_DOMAINS = ("example.com", "example.co.id", "example.id", "mail.example.com")
_MOBILE_PREFIXES = (
    "11", "12", "13", "21", "22", "52", "53", "55", "56", "57", "58", "77", "78", "81", "82", "95", "96"
)
_CATEGORIES = ("Jasa", "Produk Digital", "Langganan", "Kelas Online", "Konsultasi", "Event", "Merchandise")
_BULAN = ("Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember").split()
_DESCRIPTIONS = (
    "Pelunasan pesanan",
    "Pembayaran DP proyek",
    "Biaya jasa desain logo",
    "Kelas online batch {n}",
    "Tagihan langganan {bulan} {year}",
    "Sewa peralatan {n} hari",
    "Konsultasi bisnis sesi {n}",
    "Ongkos kirim dan pengemasan",
)
_INVOICE_NAMES = (
    "Tagihan Jasa", "Invoice {bulan} {year}", "Pembayaran Pesanan #{n}", "Biaya Langganan", "Cicilan ke-{n}"
)


def _fill(template: str, rng: random.Random, when: dt.datetime) -> str:
    return template.format(n=rng.randint(1, 12), bulan=_BULAN[when.month - 1], year=when.year)


def _slug(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(rng.choice((10, 11))))


def _mayar_customer(rng: random.Random, taken: set[str]) -> dict[str, str]:
    name = _unique(lambda r: _person(r) if r.random() < 0.85 else _company(r), rng, taken)
    handle = ".".join(name.lower().replace(".", "").split()[:2])
    if rng.random() < 0.5:
        handle += str(rng.randint(1, 99))
    mobile = "08" + rng.choice(_MOBILE_PREFIXES) + "".join(rng.choice(string.digits) for _ in range(rng.randint(6, 8)))
    return {"id": _uuid(rng), "email": f"{handle}@{rng.choice(_DOMAINS)}", "mobile": mobile, "name": name}


def _transactions(rng: random.Random, status: str) -> list[dict[str, Any]]:
    attempts = rng.choices([0, 1, 2], weights=[50, 35, 15])[0]
    kinds = ("created", "failed", "expired") if status != "closed" else ("created", "expired")
    out = [{"id": _uuid(rng), "status": rng.choice(kinds), "extraData": None} for _ in range(attempts)]
    if status == "paid":
        out.append({"id": _uuid(rng), "status": "paid", "extraData": None})
    return out


def _created_at(rng: random.Random) -> int:
    """Epoch ms of a moment in WIB business-ish hours on an invoice day."""
    weights = [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 10, 9, 10, 10, 10, 9, 8, 7, 7, 6, 5, 3, 2]
    hour = rng.choices(range(24), weights=weights)[0]
    moment = dt.datetime.combine(_day(rng), dt.time(hour, rng.randint(0, 59), rng.randint(0, 59)), tzinfo=_WIB)
    return int(moment.timestamp()) * 1000 + rng.randint(0, 999)


def generate_mayar(n: int = 2500, seed: int = DEFAULT_SEED, *, page_size: int = 50) -> list[dict[str, Any]]:
    """``n`` Mayar ``/hl/v2/invoices`` rows, newest first (as the API lists them).

    Includes the reference page's 2 rows; about 300 customers; ~2% of ``amount`` values sent as strings.
    Bulk-created invoices share one ``createdAt`` (tie groups of 2..10), some straddling ``page_size`` pages.
    """
    rng = random.Random(seed)
    reference = mayar_reference_rows()[:n]
    taken = {row["customer"]["name"] for row in reference}
    customers = [dict(row["customer"]) for row in reference]
    while len(customers) < 300:
        customers.append(_mayar_customer(rng, taken))
    activity = [rng.paretovariate(1.5) for _ in customers]
    reserved = {row["createdAt"] for row in reference}

    # Creation moments: mostly one invoice each, some bulk batches sharing one millisecond.
    stamps: list[int] = []
    while len(stamps) < n - len(reference):
        moment = _created_at(rng)
        if moment in reserved:
            continue
        reserved.add(moment)
        size = 1
        if rng.random() < 0.08:
            size = rng.choices(range(2, 11), weights=[40, 25, 15, 10, 6, 4, 2, 1, 1])[0]
        stamps.extend([moment] * min(size, n - len(reference) - len(stamps)))

    rows = list(reference)
    links = {row["link"] for row in reference}
    for created in stamps:
        when = dt.datetime.fromtimestamp(created / 1000, _WIB)
        customer = rng.choices(customers, weights=activity)[0]
        status = rng.choices(["active", "paid", "closed"], weights=[25, 60, 15])[0]
        amount = max(10_000, _round100(rng.lognormvariate(12.4, 0.9)))
        rows.append(
            {
                "id": _uuid(rng),
                "amount": str(amount) if rng.random() < 0.02 else amount,
                "category": rng.choice(_CATEGORIES) if rng.random() < 0.45 else None,
                "createdAt": created,
                "description": _fill(rng.choice(_DESCRIPTIONS), rng, when) if rng.random() < 0.7 else "",
                "link": _unique(_slug, rng, links),
                "type": "invoice",
                "status": status,
                "name": "INVOICE" if rng.random() < 0.6 else _fill(rng.choice(_INVOICE_NAMES), rng, when),
                "redirectUrl": (
                    None if rng.random() < 0.8 else f"https://toko.example.com/terima-kasih/{rng.randint(1, 999)}"
                ),
                "customerId": customer["id"],
                "transactions": _transactions(rng, status),
                "customer": dict(customer),
            }
        )
    _order(rows)
    _straddle(rows, rng, page_size, {row["id"] for row in reference})
    _order(rows)
    return rows


def _order(rows: list[dict[str, Any]]) -> None:
    rows.sort(key=lambda r: (-int(r["createdAt"]), r["id"]))


def _straddle(rows: list[dict[str, Any]], rng: random.Random, page_size: int, fixed: set[str]) -> None:
    """Stretch tie groups across some page boundaries (rows newest first): ``[b - before, b + after)`` around
    boundary ``b`` becomes one tie group (at most 10 rows), raising a ``createdAt`` to a newer row's."""
    boundaries = list(range(page_size, len(rows), page_size))
    for b in rng.sample(boundaries, min(len(boundaries), max(1, len(boundaries) // 5))):
        if rows[b - 1]["createdAt"] == rows[b]["createdAt"]:
            continue  # already straddles
        start, end = b - rng.randint(1, 4), b + rng.randint(1, 4)
        stamp = rows[start]["createdAt"]
        already = sum(1 for r in rows[max(0, start - 10) : start] if r["createdAt"] == stamp)
        window = rows[start:end]
        if already + len(window) > 10 or any(r["id"] in fixed for r in window):
            continue
        for r in window:
            r["createdAt"] = stamp
