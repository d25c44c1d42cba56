"""Write the example notebooks in ``notebooks/`` (reproducibly, without outputs).

    python scripts/make_notebooks.py [--out notebooks] [--check]

Each notebook runs top to bottom against the embedded emulator when no
credentials are set, and against the real APIs when they are. ``--check``
exits non-zero when a committed notebook differs from what this script writes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]

SOURCE_CELL = '''\
%matplotlib inline
import pandas as pd
from IPython.display import HTML, display

import invoice_analytics as ia

configured = ia.configured_providers()
DEMO = not configured
print("Data source:", "embedded emulator (made-up demo data)" if DEMO
      else "real APIs for " + ", ".join(configured))'''

SOURCE_NOTE = """\
**Where the data comes from.** When credentials are set in the environment
(`FASPAY_USERNAME` + `FASPAY_PASSWORD`, or `FASPAY_SIGNATURE`; `MAYAR_API_KEY`),
the real APIs are called. When none is set, an embedded emulator serving
made-up sample invoices is started on 127.0.0.1, so the notebook runs offline.
Credentials are only read from the environment, and never printed."""

AS_OF_CELL = '''\
# The demo data were captured on 2026-11-21; real data are aged as of today (in Jakarta).
AS_OF = pd.Timestamp("2026-11-21").date() if DEMO else pd.Timestamp.now(tz="Asia/Jakarta").date()
df = ia.load_invoices(progress=False)
print(f"{len(df):,} invoices, aged as of {AS_OF}")'''


def quickstart() -> list:
    return [
        new_markdown_cell("""\
# Quickstart: Faspay Billing and Mayar invoices as one DataFrame

Load each provider's invoice list, look at the shared schema, and combine them.

""" + SOURCE_NOTE),
        new_code_cell(SOURCE_CELL),
        new_markdown_cell("""\
## 1. Load each provider

`ia.load_faspay()` and `ia.load_mayar()` return each provider's whole invoice
list as a typed DataFrame (paging, retries and rate limits are handled for
you), reading the credentials from the environment. Without credentials,
`ia.load_invoices(provider, demo=True)` loads the same from the embedded
emulator; sample data always says so: a `DemoDataWarning` and
`df.attrs["source"] == "demo"` (and "DEMO DATA" in every chart and file made
from it). A provider without credentials gets an empty frame here, with the
same columns."""),
        new_code_cell('''\
def load(provider: str) -> pd.DataFrame:
    if DEMO:
        return ia.load_invoices(provider, demo=True, progress=False)
    if provider in configured:
        loader = ia.load_faspay if provider == "faspay" else ia.load_mayar
        return loader(progress=False)
    return ia.empty_frame()  # no credentials for this provider

faspay = load("faspay")
mayar = load("mayar")
print(f"Faspay Billing: {len(faspay):,} invoices, {faspay.shape[1]} columns, source {faspay.attrs.get('source')!r}")
print(f"Mayar:          {len(mayar):,} invoices, {mayar.shape[1]} columns, source {mayar.attrs.get('source')!r}")'''),
        new_markdown_cell("""\
## 2. The shared core schema

Every loader returns the same core columns first, with the same dtypes:
money is whole rupiah (`Int64`, never floats; a negative `outstanding` is a
credit), datetimes are timezone-aware Asia/Jakarta, and `status` is one of
the shared statuses (the provider's own value stays in `provider_status`)."""),
        new_code_cell('''\
pd.DataFrame({"dtype": [str(t) for t in ia.CORE_SCHEMA.values()]}, index=list(ia.CORE_SCHEMA))'''),
        new_code_cell('''\
core = list(ia.CORE_COLUMNS)
faspay[core].head(3)'''),
        new_code_cell('''\
mayar[core].head(3)'''),
        new_markdown_cell("""\
Gaps are kept visible rather than guessed: Faspay lists carry no invoice
amount (`<NA>`) and Mayar invoices have no due date (`NaT`). After the core
columns come each provider's own fields:"""),
        new_code_cell('''\
print("Faspay only:", [c for c in faspay.columns if c not in core])
print("Mayar only: ", [c for c in mayar.columns if c not in core])'''),
        new_markdown_cell("""\
## 3. Combine

`ia.combine` stacks the frames and keeps every dtype (categoricals get the
union of their categories instead of silently becoming text); a column one
provider lacks is filled with missing values."""),
        new_code_cell('''\
df = ia.combine(faspay, mayar)
print(f"{len(df):,} invoices")
df.dtypes[core]'''),
        new_code_cell('''\
summary = df.groupby(["provider", "status"], observed=True).agg(
    invoices=("invoice_id", "size"), outstanding=("outstanding", "sum"))
ia.style_report(summary)  # rupiah and counts in the number locale (ia.set_locale("id"), the default)'''),
        new_markdown_cell("""\
**Customers.** Customer ids are each provider's own: a customer is a
`(provider, customer_id)` pair, shown with its name (an invoice without an id
belongs to its provider's customer of that name). Every table and chart of the
toolkit groups customers by this one key; `ia.customer_key(df)` gives it for
each invoice."""),
        new_code_cell('''\
keys = ia.customer_key(df)
print(f"{len(keys.drop_duplicates()):,} customers; {df['customer_name'].nunique():,} distinct names")
keys.drop_duplicates().head()'''),
        new_markdown_cell("""\
The one-call shortcut, `ia.load_invoices()`, does all of the above: every
configured provider (or, with no `FASPAY_*` / `MAYAR_*` variable set, the
emulator), combined, with `attrs["source"]` naming where it came from."""),
        new_code_cell('''\
everything = ia.load_invoices(progress=False)
print(f"ia.load_invoices(): {len(everything):,} invoices from", sorted(everything["provider"].unique()),
      "source:", repr(everything.attrs["source"]))'''),
        new_markdown_cell("""\
Next: `02_aging_report.ipynb` (who owes what, and how late: tables, charts,
Excel and PDF), `03_dashboard.ipynb` (an interactive filter panel) and
`04_history.ipynb` (a history store: aging as of past dates, trends)."""),
    ]


TERMS_CELL = '''\
# Payment terms per provider: Mayar invoices carry no due date, so they are due 14 days after issue
# here (0 would make every open Mayar invoice overdue the day after it was issued). Faspay invoices
# have their own due dates; the terms apply only where the due date is missing.
TERMS = {"mayar": 14}'''


def aging() -> list:
    return [
        new_markdown_cell("""\
# Aging report: who owes what, and how late

Buckets of open invoices by days past due, credits, the customers owing most,
who to chase first, one customer's statement, charts, and the files finance
keeps: CSV, an Excel workbook and a printable PDF.

""" + SOURCE_NOTE),
        new_code_cell(SOURCE_CELL),
        new_code_cell(AS_OF_CELL),
        new_markdown_cell("""\
## Number formats and payment terms

Figures are written as Indonesians read them (`ia.set_locale("id")`, the
default): `Rp 1.234.567` in full, `Rp 575,4 jt` compact, `65,1 %`.
`ia.set_locale("en")` switches every table, chart and summary to English.
Mayar invoices have no due date: give the terms you really grant, per provider."""),
        new_code_cell('''\
ia.set_locale("id")
print(ia.get_locale(), ia.format_rupiah(575_400_000), ia.format_rupiah(1_234_567, compact=False),
      ia.format_percent(0.651))'''),
        new_code_cell(TERMS_CELL),
        new_markdown_cell("""\
## 1. Buckets

An invoice is **open** when its `outstanding` is positive and its status is
not draft, cancelled or proforma. Its days past due count calendar days in
Asia/Jakarta from the due date (Mayar: the issue date plus `TERMS`) to `AS_OF`."""),
        new_code_cell('''\
aged = ia.aging_buckets(df, AS_OF, terms_days=TERMS)
aged[["provider", "invoice_id", "customer_name", "due_at", "outstanding", "days_past_due", "bucket"]].head()'''),
        new_code_cell('''\
by_bucket = aged.groupby("bucket", observed=False)["outstanding"].sum()
by_bucket.map(lambda v: ia.format_rupiah(v, compact=False))'''),
        new_markdown_cell("""\
## 2. The aging report by customer

One row per customer, one column per bucket, then **Credit** (negative
outstanding) and **Total** (the net balance), sorted by Total; with
`totals=True` a last row sums everything (as `pivot_table`'s `margins`: the
default returns the customers' rows only). Amounts are exact integer rupiah.

A **customer** is a provider's customer id, shown with its name
(`by="customer"`): two ids sharing a name stay two rows, and an invoice
without an id belongs to its provider's customer of that name. Every table,
chart and file below uses this one key (`ia.customer_key(df)` gives it per invoice)."""),
        new_code_cell('''\
report = ia.aging_report(df, AS_OF, by="customer", terms_days=TERMS, totals=True)
display(HTML(ia.format_report_table(report, max_rows=15)))'''),
        new_markdown_cell("""\
Other bucket edges and other row keys (a column, a list of columns, or the
virtual `"issue_month"`):"""),
        new_code_cell('''\
ia.style_report(ia.aging_report(df, AS_OF, by="provider", edges=(30, 60, 90, 120), terms_days=TERMS,
                                totals=True))'''),
        new_markdown_cell("""\
## 3. Credits

A credit is an invoice whose `outstanding` is negative (typically an
overpayment). Credits lower a customer's net balance in the report."""),
        new_code_cell('''\
credit_rows = ia.credit_invoices(df)
print(f"{len(credit_rows):,} credits, {ia.format_rupiah(credit_rows['outstanding'].sum(), compact=False)} in total")
credit_rows[["provider", "invoice_id", "customer_name", "status", "outstanding"]].head()'''),
        new_markdown_cell("""\
## 4. Who owes most, and who to chase first

Overdue = open and at least one day past due. `top_debtors` ranks the
customers (here by overdue amount) with their oldest overdue invoice; the
chart below draws the same customers and amounts."""),
        new_code_cell('''\
top = ia.top_debtors(df, AS_OF, n=10, sort_by="overdue_amount", terms_days=TERMS)
ia.style_report(top)'''),
        new_code_cell('''\
ia.plot_top_overdue(df, AS_OF, n=10, terms_days=TERMS)'''),
        new_markdown_cell("""\
The collections list: per customer, the invoices at least `min_days` past due,
the oldest one, and the contact the provider gives (Mayar's email and phone)."""),
        new_code_cell('''\
chase = ia.collections_list(df, AS_OF, min_days=30, terms_days=TERMS)
print(f"{len(chase):,} customers with invoices 30+ days past due")
chase.head(10)'''),
        new_markdown_cell("""\
## 5. One customer's statement

Pass a row label of any table by customer (`(name, customer id, provider)`),
or `(provider, customer_id)`: the open invoices, oldest due date first, then the
credits, then the net total."""),
        new_code_cell('''\
customer = top.index[0]
print("Statement of", customer)
statement = ia.customer_statement(df, customer, AS_OF, terms_days=TERMS)
statement'''),
        new_markdown_cell("""\
## 6. Charts

Every chart function draws on a new matplotlib figure (or the `ax` you give)
and returns the axes; a cell ending with one shows it. Charts of the demo data
say "DEMO DATA" under their title."""),
        new_code_cell('''\
display(ia.plot_aging(df, AS_OF, terms_days=TERMS).figure)
display(ia.plot_outstanding_by_month(df, AS_OF).figure)'''),
        new_markdown_cell("""\
The same chart in English number formats (then back to Indonesian):"""),
        new_code_cell('''\
ia.set_locale("en")
display(ia.plot_aging(df, AS_OF, terms_days=TERMS).figure)
ia.set_locale("id")'''),
        new_markdown_cell("""\
## 7. Export

CSV (rupiah as plain integers), an Excel workbook (rupiah stay numbers, with a
rupiah number format; datetimes become Jakarta wall time, since Excel has no
time zones; a title block and a print setup on every sheet) and a printable
PDF (A4 landscape: summary by provider, the aging chart, the top customers,
the conventions). Excel needs openpyxl: `pip install 'invoice-analytics[excel]'`.
Files go to `out/`, which git ignores."""),
        new_code_cell('''\
from pathlib import Path

out = Path("out")
ia.write_csv(report, out / "aging_report.csv")
title = ["Accounts receivable aging", f"As of {AS_OF} (Asia/Jakarta)", f"Terms: {TERMS}",
         "Source: " + ("DEMO DATA (embedded sample invoices)" if DEMO else ", ".join(configured))]
try:
    path = ia.write_excel({"Aging by customer": report, "Top debtors": top, "Collections": chase,
                           "Statement": statement, "Credits": credit_rows},
                          out / "aging_report.xlsx", title=title, print_setup=True)
    print("wrote", out / "aging_report.csv", "and", path)
except ImportError as exc:
    print(exc)
print("wrote", ia.write_pdf(df, out / "aging_report.pdf", AS_OF, terms_days=TERMS))'''),
        new_code_cell('''\
pd.read_csv(out / "aging_report.csv", index_col=[0, 1, 2]).tail(3)'''),
    ]


def dashboard() -> list:
    return [
        new_markdown_cell("""\
# Exploratory dashboard

`FilterPanel` puts filters (provider, the provider's status, customer search,
issue dates), the aging date, the bucket scheme and the payment terms on top
of the KPIs, the aging report, the charts and a customer's statement;
everything below the controls follows every change.

""" + SOURCE_NOTE),
        new_code_cell(SOURCE_CELL),
        new_code_cell(AS_OF_CELL),
        new_markdown_cell("""\
## The panel

Select several providers or statuses with Ctrl/Cmd-click. **Provider status**
is the status each provider reports (its own "overdue" flag is one of them);
**Past due** (the KPI card and the "Top past due" tab) is computed here: open
and at least one day after the due date. The customer search (a
case-insensitive part of the name or id) applies on Enter. **Terms** are the
days from issue to due for invoices without a due date (every Mayar invoice;
0 = due on issue).

The buttons: **Reset** puts every control back, **All providers** selects
them all, **Statement** opens a customer's open invoices and credits in the
Statement tab, **Export Excel** / **Export CSV** make the file and show a
link that saves it from the browser (the link goes as soon as a control
changes, so a saved file always matches what is shown). Only the chart of
the open tab is redrawn on a change; the other tabs are drawn when opened."""),
        new_code_cell('''\
panel = ia.FilterPanel(df, as_of=AS_OF)
panel'''),
        new_markdown_cell("""\
## What the panel shows, as data

`panel.filtered` is the filtered invoice frame (every column), `panel.report`
the aging report shown (one row per customer: name, customer id and provider,
the customers of the "Top past due" tab and of the Statement list),
`panel.kpis` the KPI figures. They follow the controls:
re-run these cells after changing a filter."""),
        new_code_cell('''\
print(f"{len(panel.filtered):,} of {len(df):,} invoices selected")
panel.kpis'''),
        new_code_cell('''\
panel.report.head()'''),
        new_markdown_cell("""\
The panel is driven from code the same way: set a control's `.value`
(`panel.terms["mayar"].value = 14`, `panel.statement_customer.value =
("mayar", customer_id)`) or click a button (`panel.reset_button.click()`).
The Statement tab shows `ia.customer_statement` (every open invoice and
credit of the customer, whatever the filters); here for the first customer
in its list:"""),
        new_code_cell('''\
label, (provider, customer_id) = panel.statement_customer.options[1]
print(label)
ia.customer_statement(df, (provider, customer_id), AS_OF)'''),
        new_markdown_cell("""\
The same filters as a plain function, for scripts and reports:"""),
        new_code_cell('''\
late_faspay = ia.filter_invoices(df, providers=["faspay"], statuses=["overdue", "partially_paid"])
k = ia.panel_kpis(late_faspay, AS_OF)
print(f"{len(late_faspay):,} overdue or partially paid Faspay invoices; "
      f"{k['overdue_count']:,} past due as of {AS_OF}")'''),
        new_markdown_cell("""\
## More charts of the selection"""),
        new_code_cell('''\
display(ia.plot_paid_ratio_by_month(panel.filtered, by_provider=True).figure)
display(ia.plot_outstanding_by_month(panel.filtered, AS_OF).figure)'''),
        new_markdown_cell("""\
## Export what is shown

The Export buttons hand the files to the browser; from code they are written
to a path. CSV: the aging report (or `what="invoices"` for the filtered
rows). Excel: the report, the KPIs, the filters (with the terms and the data
source) and the filtered invoices in one workbook, plus the statement when a
customer is chosen (needs `pip install 'invoice-analytics[excel]'`). Files go
to `out/`."""),
        new_code_cell('''\
print("wrote", panel.export_csv("out/dashboard_report.csv"))
try:
    print("wrote", panel.export_excel("out/dashboard.xlsx"))
except ImportError as exc:
    print(exc)'''),
    ]


def history() -> list:
    return [
        new_markdown_cell("""\
# History: aging as of any past date, trends, roll rates, days to pay, cash-in forecast

The providers' lists keep no history: a load shows today's balances only. An
`ia.InvoiceStore` keeps every version of every invoice it has observed, so
each refresh adds what changed and the store answers "as known on a date".

With credentials set, point a store at a directory and refresh it (daily, from
cron: `invoice-analytics refresh --store DIR`). Offline, `ia.demo_store()`
builds one from the embedded emulator: the sample data as they stood week by
week over the six months before their date (2026-11-21), each invoice open from
its issue until its payment on a made-up day, the last week the sample data
themselves. That past is made up. The demo store lives in a temporary
directory, removed when the kernel stops (nothing is left behind)."""),
        new_code_cell('''\
import tempfile

import pandas as pd
from IPython.display import HTML, display

import invoice_analytics as ia

configured = ia.configured_providers()
if configured:
    print("Data source: real APIs for", ", ".join(configured))
    store = ia.InvoiceStore("out/history")
    print(store.refresh())
else:
    print("Data source: embedded emulator (demo data: the six months before the sample date, a made-up past)")
    scratch = tempfile.TemporaryDirectory(prefix="ia-history-")  # removed with the kernel (or scratch.cleanup())
    store = ia.demo_store(scratch.name + "/store")
store.refreshes().tail()'''),
        new_markdown_cell("""\
## As of a past date

`store.as_of(date)` is the frame as it was known on that date: invoices issued
later are left out, every other invoice in its latest version observed by then.
Every analytics function, chart and the panel take it unchanged."""),
        new_code_cell('''\
dates = pd.to_datetime(store.refreshes()["observed_at"]).dt.date.unique()
past, last = dates[len(dates) // 2], dates[-1]
then = store.as_of(past)
print(f"{len(then):,} invoices known on {past}; {len(store.current()):,} now")
display(HTML(ia.format_report_table(ia.aging_report(then, past, by="provider", totals=True))))'''),
        new_markdown_cell("""\
## The aging trend

Outstanding per bucket at each refresh date, as known on that date."""),
        new_code_cell('''\
trend = ia.aging_trend(store)
display(ia.plot_aging_trend(trend).figure)
trend.tail()'''),
        new_markdown_cell("""\
## Roll rates, days to pay, DSO

Of the amount in each bucket at the start, where it was at the end; how long
invoices took to be paid (as ranges: a payment is only known to fall between
two refreshes); days sales outstanding by the countback method (Mayar amounts:
Faspay lists carry none)."""),
        new_code_cell('''\
ia.roll_rates(store, dates[-5], last)'''),
        new_code_cell('''\
ia.days_to_pay(store, by="provider", totals=True)'''),
        new_code_cell('''\
ia.dso(store, last, by="provider", totals=False)'''),
        new_markdown_cell("""\
## Cash-in forecast: what will we collect in the next weeks?

The store holds, for every invoice seen open and later paid, the window in
which it was paid. `ia.payment_behaviour` turns that into each customer's
pace, shrunk toward its provider's when it has few payments (`own_weight`:
how much a row leans on its own history). `ia.forecast_collections` sums, over
the invoices open at a date, their outstanding times the chance that each is
paid in each coming Monday-start week, given that it is still open at its age.
Figures are what the store knew at that date."""),
        new_code_cell('''\
behaviour = ia.payment_behaviour(store, last)
behaviour.sort_values("payments", ascending=False)[
    ["payments", "days_late_median_low", "days_late_median_high", "late_share_low", "old_open_share",
     "own_weight", "pace"]].head(8)'''),
        new_code_cell('''\
forecast = ia.forecast_collections(store, last, weeks=8)
display(ia.plot_forecast(forecast).figure)
forecast'''),
        new_markdown_cell("""\
### Backtest: how did it do at past month ends?

At each month end with 8 weeks of later history, the forecast made with what the
store knew then is compared with what it later saw collected, beside the
due-date projection of accounting tools (each invoice paid on its due date) and
one average days-to-pay per provider. WAPE is the error over the amount
collected; coverage the share of weeks inside the 80 % interval."""),
        new_code_cell('''\
import datetime as dt

month_ends = [d.date() for d in pd.date_range(dates[0], last, freq="ME")]
backtest_dates = [d for d in month_ends if d + dt.timedelta(days=63) <= last]
backtest = ia.backtest_forecast(store, backtest_dates, weeks=8)
backtest[["collected", "wape_forecast", "wape_due_date", "wape_provider_average", "bias_forecast", "coverage"]]'''),
        new_markdown_cell("""\
### Where it fails

Only invoices open at the date are forecast: what is issued and paid within the
weeks is in neither the forecast nor the collections compared. Week 1 carries
the payments made since the last refresh, which the store sees only later; far
weeks rest on few past payments at those ages; a customer who changes habits
is followed only as fast as its history grows. The worst weeks:"""),
        new_code_cell('''\
detail = ia.backtest_forecast(store, backtest_dates, weeks=8, detail=True)
detail["error"] = detail["forecast"] - detail["collected"]
worst = detail.loc[detail["error"].abs().sort_values(ascending=False).index[:5]]
one = detail[detail["date"] == worst["date"].iloc[0]]
past = ia.forecast_collections(store, one["date"].iloc[0].date(), weeks=8)
display(ia.plot_forecast(past, actual=one.set_index("week_start")["collected"]).figure)
worst[["date", "week", "week_start", "collected", "forecast", "low", "high", "due_date"]]'''),
        new_markdown_cell("""\
## The panel over the store

`ia.FilterPanel(store)`: the as-of control moves through the store's dates, and
every figure is the one known on the chosen date. Its "Forecast" tab shows the
cash-in forecast at that date."""),
        new_code_cell('''\
panel = ia.FilterPanel(store)
panel'''),
    ]


def month_end() -> list:
    return [
        new_markdown_cell("""\
# The month-end AR pack

At month-end close a finance manager signs a pack: the aging at the month end
against the previous one, what changed during the month, the trend, roll
rates, DSO, days to pay, who to chase and a statement of account for every
customer with a past-due amount. `ia.month_end_pack(store, "YYYY-MM")` makes
all of it from a history store, every figure as known at the end of the
month; `pack.to_excel(...)` and `pack.to_pdf(...)` write the workbook and the
PDF (the command line: `invoice-analytics pack --store DIR --month YYYY-MM`).

With credentials set, the store is the one named in the settings
(`invoice-analytics.toml`: `store = "..."`). Offline, a demo store is built in
a temporary directory (removed at the end): the sample data as they stood week
by week over the ten weeks before their date (2026-11-21), a made-up past; its
last full month is October 2026."""),
        new_code_cell('''\
import tempfile

import pandas as pd
from IPython.display import display

import invoice_analytics as ia
from invoice_analytics.settings import load_settings

settings = load_settings()
scratch = None
if ia.configured_providers() and settings.store is not None:
    print("Data source: the history store", settings.store)
    store = ia.InvoiceStore(settings.store)
    last = store.refreshes()["observed_at"].max()
    MONTH = str(pd.Period(last.date(), "M") - 1)  # the last full month
else:
    print("Data source: embedded emulator (demo data: the ten weeks before the sample date, a made-up past)")
    scratch = tempfile.TemporaryDirectory(prefix="ia-month-end-")
    store = ia.demo_store(scratch.name + "/store", days=72)
    MONTH = "2026-10"
print("Settings:", settings.terms, settings.edges, settings.locale)'''),
        new_markdown_cell("""\
## The pack

Mayar lists carry no due date: an invoice is due `terms` days after issue.
Pass the terms (or keep them in `invoice-analytics.toml`: `[terms] mayar = 14`);
with terms 0 every open Mayar invoice is past due, and the pack says so."""),
        new_code_cell('''\
pack = ia.month_end_pack(store, MONTH, terms_days={"mayar": 14})
print(f"As of {pack.as_of} (previous month end {pack.previous}), source: {pack.source}")
for note in pack.notes:
    print("Note:", note)
list(pack.sections)'''),
        new_code_cell('''\
pack.sections["Summary by provider"]'''),
        new_markdown_cell("""\
## What changed

The aging at this month end against the previous one, and each invoice that
changed, with the window in which the store saw it change (the lists carry no
payment dates). `ia.changes(store, since, until)` gives the same for any two
dates."""),
        new_code_cell('''\
pack.sections["Comparative aging"]'''),
        new_code_cell('''\
pack.sections["Changes in the month"]'''),
        new_code_cell('''\
ia.changes(store, pack.previous, pack.as_of).head()'''),
        new_markdown_cell("""\
## The trend, roll rates, DSO

The trend is read as known at each month end. DSO has one row per provider:
Faspay's uses the amounts the store observed (its lists carry none), and
"All providers" covers exactly the rows above."""),
        new_code_cell('''\
display(ia.plot_aging_trend(pack.sections["Trend"]).figure)
pack.sections["Roll rates"]'''),
        new_code_cell('''\
pack.sections["DSO by provider"]'''),
        new_markdown_cell("""\
## Who to chase, and their statements

A statement of account per customer with a past-due amount: the open items
with a running balance, then the month's activity from the opening to the
closing balance."""),
        new_code_cell('''\
chase = pack.sections["Collections"]
first = chase.iloc[0]
items = pack.sections["Statements"]
items[(items["provider"] == first["provider"]) & (items["customer_name"] == first["customer_name"])]'''),
        new_markdown_cell("""\
## The files

One workbook (a sheet per section, set up to print on A4 landscape) and one
PDF (typeset tables, numbered pages, a statement per customer)."""),
        new_code_cell('''\
xlsx = pack.to_excel("out/month-end-pack.xlsx")
pdf = pack.to_pdf("out/month-end-pack.pdf")
print("Wrote", xlsx, "and", pdf)
if scratch is not None:
    scratch.cleanup()  # the demo store: nothing left behind'''),
    ]


NOTEBOOKS = {
    "01_quickstart.ipynb": quickstart,
    "02_aging_report.ipynb": aging,
    "03_dashboard.ipynb": dashboard,
    "04_history.ipynb": history,
    "05_month_end.ipynb": month_end,
}


def build(name: str) -> nbformat.NotebookNode:
    """The notebook ``name`` with stable cell ids and no outputs."""
    nb = new_notebook(
        cells=NOTEBOOKS[name](),
        metadata={
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
    )
    stem = name.split("_", 1)[0]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"nb{stem}-{i:02d}"
    nbformat.validate(nb)
    return nb


def render(name: str) -> str:
    return nbformat.writes(build(name)) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--check", action="store_true", help="only compare with the files in --out")
    args = parser.parse_args(argv)
    stale = []
    for name in NOTEBOOKS:
        path = args.out / name
        text = render(name)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
        else:
            args.out.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print("wrote", path)
    if stale:
        print("out of date (run scripts/make_notebooks.py):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
