"""The loaders' paging state without HTTP: Mayar's cursor rule and Faspay's sweep bookkeeping, fed lists."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invoice_analytics.providers._paging import (
    MAX_PASSES,
    FaspayPage,
    FaspaySweep,
    Kept,
    MayarCursor,
    PageBudget,
    created_ms,
    totals_problem,
)
from invoice_analytics.providers._payload import PageProblem


def row(i: int | str, created: int, **extra) -> dict:
    return {"id": str(i), "createdAt": created, **extra}


def pager(rows: list[dict], limit: int, reading: str):
    """A tiny in-memory Mayar: newest first, ``limit`` a page, ``startingAfter`` read as ``<`` or ``<=``."""
    ordered = sorted(rows, key=lambda r: (-r["createdAt"], r["id"]))

    def page(params: dict[str, str]) -> tuple[list[dict], bool]:
        if "startingAfter" in params:
            cursor = int(params["startingAfter"])
            if reading == "<":
                rest = [r for r in ordered if r["createdAt"] < cursor]
            else:
                rest = [r for r in ordered if r["createdAt"] <= cursor]
        else:
            rest = ordered
        return [dict(r) for r in rest[:limit]], len(rest) > limit

    return page


def walk(rows: list[dict], limit: int, reading: str, max_pages: int | None = None) -> MayarCursor:
    """Page through ``rows`` with a cursor the way the loader does; fail if it never ends."""
    page = pager(rows, limit, reading)
    cursor = MayarCursor()
    max_pages = max_pages or 2 * len(rows) + 5
    while not cursor.done:
        assert cursor.pages < max_pages, "the cursor never ends"
        data, has_more = page(cursor.params())
        cursor.take(data, has_more=has_more, source=f"page {cursor.pages + 1}")
    return cursor


# --------------------------------------------------------------------------- MayarCursor


def test_first_page_has_no_cursor_and_the_next_rereads_the_oldest_millisecond():
    cursor = MayarCursor()
    assert cursor.params() == {} and cursor.pages == 0 and not cursor.done
    cursor.take([row("c", 3000), row("b", 2000), row("a", 2000)], has_more=True, source="p1")
    assert cursor.params() == {"startingAfter": "2001"}  # oldest + 1: the 2000 tie is read again
    assert cursor.pages == 1 and not cursor.done and cursor.warnings == []


def test_a_page_without_more_ends_the_walk():
    cursor = MayarCursor()
    cursor.take([row("a", 5)], has_more=False, source="p1")
    assert cursor.done and list(cursor.rows) == ["a"]


def test_an_empty_last_page_is_fine():
    cursor = MayarCursor()
    cursor.take([], has_more=False, source="p1")
    assert cursor.done and cursor.ordered() == []


def test_has_more_with_an_empty_page_is_a_page_problem():
    cursor = MayarCursor()
    with pytest.raises(PageProblem, match="hasMore is true but the page is empty"):
        cursor.take([], has_more=True, source="p1")


@pytest.mark.parametrize("reading", ["<", "<="])
def test_a_tie_across_a_page_boundary_is_neither_lost_nor_repeated(reading):
    # three invoices share 2000 ms; the first page of 4 ends inside the tie
    rows = [row("f", 4000), row("e", 3000), row("b", 2000), row("c", 2000), row("d", 2000), row("z", 1000),
            row("y", 900)]
    page = pager(rows, 4, reading)
    cursor = MayarCursor()
    first, more = page(cursor.params())
    assert [r["id"] for r in first] == ["f", "e", "b", "c"] and more  # d is past the boundary
    cursor.take(first, has_more=more, source="p1")
    assert cursor.params() == {"startingAfter": "2001"}
    second, more = page(cursor.params())
    assert [r["id"] for r in second] == ["b", "c", "d", "z"] and more  # the whole tie again, d with it
    cursor.take(second, has_more=more, source="p2")
    assert cursor.params() == {"startingAfter": "1001"}
    third, more = page(cursor.params())
    assert [r["id"] for r in third] == ["z", "y"] and not more
    cursor.take(third, has_more=more, source="p3")
    assert cursor.done and cursor.pages == 3
    assert [r["id"] for r in cursor.ordered()] == ["f", "e", "d", "c", "b", "z", "y"]
    assert cursor.warnings == []


def test_rows_are_merged_by_id_the_later_copy_winning():
    cursor = MayarCursor()
    cursor.take([row("b", 20, status="active"), row("a", 10, status="active")], has_more=True, source="p1")
    cursor.take([row("a", 10, status="paid"), row("z", 5)], has_more=False, source="p2")
    assert sorted(cursor.rows) == ["a", "b", "z"]
    assert cursor.rows["a"]["status"] == "paid" and cursor.sources["a"] == "p2"
    assert cursor.sources["b"] == "p1"


def test_a_page_of_only_known_rows_steps_past_once_with_one_warning_then_errors_if_stuck_again():
    cursor = MayarCursor()
    tie = [row("y", 5), row("x", 5)]  # a whole page (2) in one millisecond
    cursor.take(tie, has_more=True, source="p1")
    assert cursor.params() == {"startingAfter": "6"} and cursor.warnings == []
    cursor.take(tie, has_more=True, source="p2")  # nothing new: step past with the plain cursor
    assert cursor.params() == {"startingAfter": "5"}
    assert len(cursor.warnings) == 1
    assert cursor.warnings[0].startswith("2 or more invoices share createdAt 5, a whole page")
    with pytest.raises(PageProblem, match="cursor does not go down: this page's oldest createdAt is 5"):
        cursor.take(tie, has_more=True, source="p3")
    assert len(cursor.warnings) == 1  # warned once


def test_the_stall_is_forgotten_once_a_page_brings_something_new():
    cursor = MayarCursor()
    cursor.take([row("y", 5), row("x", 5)], has_more=True, source="p1")
    cursor.take([row("y", 5), row("x", 5)], has_more=True, source="p2")  # stalled: warn, step past
    cursor.take([row("w", 4), row("v", 3)], has_more=True, source="p3")  # new rows
    assert cursor.params() == {"startingAfter": "4"}
    cursor.take([row("v", 3), row("u", 3)], has_more=True, source="p4")  # a second whole-page tie: warns again
    assert len(cursor.warnings) == 2 and cursor.params() == {"startingAfter": "3"}
    with pytest.raises(PageProblem, match="does not go down"):
        cursor.take([row("v", 3), row("u", 3)], has_more=True, source="p5")


def test_a_whole_page_in_one_millisecond_under_strict_reading_loses_the_rest_with_a_warning():
    rows = [row(f"t{i}", 5) for i in range(4)] + [row("old", 1)]  # 4 share 5 ms; pages of 3
    cursor = walk(rows, limit=3, reading="<")
    assert len(cursor.warnings) == 1
    assert "t3" not in cursor.rows and {"t0", "t1", "t2", "old"} <= set(cursor.rows)


def test_a_whole_page_in_one_millisecond_under_inclusive_reading_is_an_error():
    rows = [row(f"t{i}", 5) for i in range(4)] + [row("old", 1)]
    with pytest.raises(PageProblem, match="does not go down"):
        walk(rows, limit=3, reading="<=")


def test_ordered_is_newest_first_ties_by_id_descending():
    cursor = MayarCursor()
    cursor.take([row("a", 10), row("c", 30), row("b", 10), row("d", 20)], has_more=False, source="p1")
    assert [r["id"] for r in cursor.ordered()] == ["c", "d", "b", "a"]


def test_ordered_accepts_numeric_text_and_puts_unreadable_times_last():
    cursor = MayarCursor()
    cursor.take([row("a", "1000"), row("b", None), row("c", 2000.0)], has_more=False, source="p1")
    assert [r["id"] for r in cursor.ordered()] == ["c", "a", "b"]


@pytest.mark.parametrize("value", [None, "soon", True, 1.5, [1]])
def test_a_cursor_from_an_unreadable_created_at_is_a_page_problem(value):
    cursor = MayarCursor()
    with pytest.raises(PageProblem, match=r"invoice 'a': createdAt .* is not epoch milliseconds"):
        cursor.take([row("b", 10), row("a", value)], has_more=True, source="p1")


@pytest.mark.parametrize(("value", "ms"), [(1768375011056, 1768375011056), ("42", 42), (42.0, 42)])
def test_created_ms(value, ms):
    assert created_ms({"id": "a", "createdAt": value}) == ms


@st.composite
def newest_first_with_ties(draw):
    """(rows, page size): a list where no millisecond holds a whole page (ties up to limit - 1)."""
    limit = draw(st.integers(2, 6))
    runs = draw(st.lists(st.integers(1, limit - 1), min_size=1, max_size=25))
    gaps = draw(st.lists(st.integers(1, 3), min_size=len(runs), max_size=len(runs)))  # 1: adjacent ms
    rows, created, n = [], 10_000, 0
    for run, gap in zip(runs, gaps, strict=True):
        for _ in range(run):
            rows.append(row(f"{n:03d}", created))
            n += 1
        created -= gap
    return rows, limit


@settings(max_examples=150, deadline=None)
@given(data=newest_first_with_ties(), reading=st.sampled_from(["<", "<="]))
def test_every_invoice_exactly_once_whatever_the_ties_and_the_cursor_reading(data, reading):
    rows, limit = data
    cursor = walk(rows, limit, reading)
    assert sorted(cursor.rows) == sorted(r["id"] for r in rows)  # every id, each once (keys are unique)
    assert [r["id"] for r in cursor.ordered()] == [
        r["id"] for r in sorted(rows, key=lambda r: (r["createdAt"], r["id"]), reverse=True)]
    if reading == "<":
        assert cursor.warnings == []  # nothing is ever missing, and it never says so


# --------------------------------------------------------------------------- FaspaySweep


def kept(arrival: int, invoice_no: str, code: int = 1, **row) -> Kept:
    return Kept(arrival, {"invoice_no": invoice_no, **row}, f"status={code} (arrival {arrival})", code)


def test_a_consistent_pass_is_settled():
    sweep = FaspaySweep([1])
    pages = [FaspayPage([kept(1, "A"), kept(2, "B")], 3, 2), FaspayPage([kept(3, "C")], 3, 2)]
    assert sweep.pass_settled(1, pages)
    assert sweep.totals == {1: 3} and sorted(sweep.kept) == ["A", "B", "C"]
    assert sweep.count_warnings() == []


def test_a_pass_whose_total_moves_is_not_settled():
    sweep = FaspaySweep([1])
    pages = [FaspayPage([kept(1, "A"), kept(2, "B")], 3, 2), FaspayPage([kept(3, "C")], 4, 2)]
    assert not sweep.pass_settled(1, pages)
    assert sweep.totals == {1: 4}  # the last page's total
    assert sorted(sweep.kept) == ["A", "B", "C"]  # what came is kept all the same


def test_a_pass_whose_total_moves_is_not_settled_even_when_the_count_matches_the_last_total():
    # D arrived at the end of the list between page 1 and page 2: the count agrees with the new total
    sweep = FaspaySweep([1])
    pages = [FaspayPage([kept(1, "A"), kept(2, "B")], 3, 2), FaspayPage([kept(3, "C"), kept(4, "D")], 4, 2)]
    assert not sweep.pass_settled(1, pages)


def test_a_pass_that_repeats_an_invoice_is_not_settled():
    # a new invoice pushed B from page 1 onto page 2: the count matches the total, the ids do not
    sweep = FaspaySweep([1])
    pages = [FaspayPage([kept(1, "A"), kept(2, "B")], 3, 2), FaspayPage([kept(3, "B")], 3, 2)]
    assert not sweep.pass_settled(1, pages)
    assert sorted(sweep.kept) == ["A", "B"] and sweep.kept["B"].arrival == 3


def test_a_pass_that_repeats_an_invoice_is_not_settled_even_when_the_distinct_count_matches():
    sweep = FaspaySweep([1])
    pages = [FaspayPage([kept(1, "A"), kept(2, "B")], 3, 2), FaspayPage([kept(3, "B"), kept(4, "C")], 3, 2)]
    assert not sweep.pass_settled(1, pages)


def test_a_pass_that_comes_up_short_is_not_settled():
    sweep = FaspaySweep([1])
    pages = [FaspayPage([kept(1, "A"), kept(2, "B")], 4, 2), FaspayPage([kept(3, "C")], 4, 2)]
    assert not sweep.pass_settled(1, pages)


def test_a_pass_with_more_than_announced_is_not_settled():
    sweep = FaspaySweep([1])
    assert not sweep.pass_settled(1, [FaspayPage([kept(1, "A"), kept(2, "B")], 1, 1)])


def test_an_empty_status_is_settled():
    sweep = FaspaySweep([3])
    assert sweep.pass_settled(3, [FaspayPage([], 0, 0)])
    assert sweep.totals == {3: 0} and sweep.count_warnings() == []


def test_merge_keeps_the_later_arrival_whatever_the_order_of_merging():
    sweep = FaspaySweep([1, 2])
    sweep.merge([kept(5, "A", code=2, invoice_status="Paid")], 2, 1)
    sweep.merge([kept(3, "A", code=1, invoice_status="Unpaid")], 1, 1)  # older answer merged later
    assert sweep.kept["A"].arrival == 5 and sweep.kept["A"].row["invoice_status"] == "Paid"
    assert sweep.kept["A"].code == 2
    sweep.merge([kept(6, "A", code=1, invoice_status="Unpaid")], 1, 1)
    assert sweep.kept["A"].code == 1


def test_first_page_unchanged_has_not_moved():
    sweep = FaspaySweep([1])
    sweep.pass_settled(1, [FaspayPage([kept(1, "A"), kept(2, "B")], 2, 1)])
    assert not sweep.first_page_moved(1, FaspayPage([kept(3, "A"), kept(4, "B")], 2, 1))
    assert sweep.kept["A"].arrival == 3  # the fresh copy is kept


def test_first_page_with_a_new_total_has_moved():
    sweep = FaspaySweep([1])
    sweep.pass_settled(1, [FaspayPage([kept(1, "A"), kept(2, "B")], 2, 1)])
    assert sweep.first_page_moved(1, FaspayPage([kept(3, "A")], 1, 1))  # B left the status
    assert sweep.totals[1] == 1


def test_first_page_with_an_unseen_invoice_has_moved_even_with_the_same_total():
    # one invoice left, another arrived: the total stands still, page 1 does not
    sweep = FaspaySweep([1])
    sweep.pass_settled(1, [FaspayPage([kept(1, "A"), kept(2, "B")], 2, 1)])
    assert sweep.first_page_moved(1, FaspayPage([kept(3, "N"), kept(4, "A")], 2, 1))
    assert "N" in sweep.kept


def test_first_page_of_a_status_never_swept_has_moved():
    sweep = FaspaySweep([1, 2])
    assert sweep.first_page_moved(2, FaspayPage([], 0, 0))


def test_an_invoice_that_moved_status_is_counted_under_its_later_status():
    sweep = FaspaySweep([1, 2], {1: "unpaid", 2: "paid"})
    sweep.pass_settled(1, [FaspayPage([kept(1, "A", 1), kept(2, "B", 1)], 2, 1)])
    sweep.pass_settled(2, [FaspayPage([kept(3, "B", 2), kept(4, "C", 2)], 2, 1)])  # B was paid meanwhile
    warnings = sweep.count_warnings()
    assert warnings == [
        "status 1 (unpaid): got 1 distinct invoices but the server announced total_data=2; invoices were "
        "created or changed status during the load"]
    sweep.first_page_moved(1, FaspayPage([kept(5, "A", 1)], 1, 1))  # asked again: Unpaid now holds 1
    assert sweep.count_warnings() == []


def test_a_status_that_never_settled_is_warned_about():
    sweep = FaspaySweep([4], {4: "overdue"})
    sweep.pass_settled(4, [FaspayPage([kept(1, "A", 4)], 1, 1)])
    sweep.unsettled = [4]
    (message,) = sweep.count_warnings()
    assert message.startswith(f"status 4 (overdue) was still changing after {MAX_PASSES} sweeps")
    assert "got 1 distinct invoices, last total_data=1" in message


def test_labels_default_to_a_question_mark():
    sweep = FaspaySweep([1])
    sweep.merge([], 1, 5)
    assert sweep.count_warnings()[0].startswith("status 1 (?): got 0 distinct invoices")


def test_ordered_is_by_arrival():
    sweep = FaspaySweep([1, 2])
    sweep.merge([kept(4, "D"), kept(2, "B")], 1, 2)
    sweep.merge([kept(3, "C", 2), kept(1, "A", 2)], 2, 2)
    assert [k.row["invoice_no"] for k in sweep.ordered()] == ["A", "B", "C", "D"]


def test_arrival_numbers_are_unique_across_threads():
    sweep = FaspaySweep([1])
    got: list[int] = []

    def take() -> None:
        numbers = [sweep.arrival() for _ in range(500)]
        got.extend(numbers)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(got) == list(range(1, 2001))


# --------------------------------------------------------------------------- totals and budget (were doctests)

def test_totals_problem_checks_page_1_announcements():
    rows = [Kept(1, {"invoice_no": str(i)}, "p1", 1) for i in range(50)]
    assert totals_problem(FaspayPage(rows, 120, 3), first=True) is None
    assert totals_problem(FaspayPage(rows, 120, 10**9), first=True) == (
        "total_pages 1000000000 does not fit total_data 120 at 50 invoices a page (at most 3 pages)")
    assert totals_problem(FaspayPage([], 0, 1), first=True) is None


def test_page_budget_bounds_a_status_by_its_announcement_or_the_load_by_max_pages():
    budget = PageBudget(None)
    assert (budget.claim(1, 1), budget.announce(1, 2), budget.limit_of(1)) == (None, None, 21)
    claimed = budget.claim(1, 25)
    assert claimed is not None and claimed.startswith("status 1 would need more than 21 page requests")
    assert PageBudget(5).claim(1, 6) == "the load would need more than max_pages=5 page requests"
