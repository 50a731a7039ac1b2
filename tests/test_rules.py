"""The in-report rules: the exact rule a broken report breaks, and blank cells treated as unknown."""

from gongkai.rules import check
from gongkai.template import figure_keys


def zero_report(fmt="2021"):
    return {k: 0 for k in figure_keys(fmt)}


def rules_of(findings, severity="error"):
    return sorted({(f.rule, f.row, f.column) for f in findings if f.severity == severity})


def test_consistent_report_has_no_findings():
    assert check(zero_report(), {"t2", "t3", "t4"}) == []


def test_balance_broken_in_one_column():
    fig = zero_report()
    # 自然人: 新收 5 + 结转 0, handled 4 + carried 0, the outcome rows say 4 → only t3_balance breaks.
    fig["t3/new_received/natural_person"] = 5
    fig["t3/new_received/total"] = 5
    fig["t3/granted/natural_person"] = 4
    fig["t3/granted/total"] = 4
    fig["t3/total/natural_person"] = 4
    fig["t3/total/total"] = 4
    findings = check(fig)
    assert rules_of(findings) == [("t3_balance", None, "natural_person"), ("t3_balance", None, "total")]
    f = next(f for f in findings if f.column == "natural_person")
    assert (f.printed, f.expected) == (4, 5)
    assert "自然人" in f.message and "相差 1" in f.message


def test_outcomes_and_columns():
    fig = zero_report()
    fig["t3/granted/natural_person"] = 2  # neither （七）总计 nor the row's 总计 follows
    assert rules_of(check(fig)) == [("t3_columns", "granted", None), ("t3_outcomes", None, "natural_person")]


def test_t4_row():
    fig = zero_report()
    fig["t4/review/upheld"] = 1
    f = check(fig)
    assert rules_of(f) == [("t4_rows", "review", None)]
    assert "行政复议" in f[0].message


def test_other_printed_as_one_row_is_an_outcome():
    fig = {k: 0 for k in figure_keys("2021", other_split=False)}
    fig["t3/other/natural_person"] = 3
    fig["t3/other/total"] = 3
    fig["t3/total/natural_person"] = 3
    fig["t3/total/total"] = 3
    fig["t3/new_received/natural_person"] = 3
    fig["t3/new_received/total"] = 3
    assert check(fig) == []


def test_blank_that_could_balance_is_a_warning():
    fig = zero_report("2019")
    fig["t3/granted/natural_person"] = 5
    fig["t3/granted/total"] = None  # blank: unknown, could be 5
    fig["t3/total/natural_person"] = 5
    fig["t3/total/total"] = 5
    fig["t3/new_received/natural_person"] = 5
    fig["t3/new_received/total"] = 5
    findings = check(fig)
    assert rules_of(findings) == []
    # One warning per rule the blank stops: the row's column sum and the 总计 column's outcome sum.
    assert [(f.rule, f.severity, f.cells) for f in findings] == [
        ("blank_cells", "warning", ["t3/granted/total"]),
        ("blank_cells", "warning", ["t3/granted/total"]),
    ]
    assert "申请人合计" in findings[0].message + findings[1].message
    assert "办理结果合计" in findings[0].message + findings[1].message


def test_blank_that_cannot_balance_is_an_error():
    fig = zero_report("2019")
    # Printed parts already exceed the printed total: no non-negative blank can fix that.
    fig["t3/granted/natural_person"] = 5
    fig["t3/granted/commercial"] = None
    fig["t3/granted/total"] = 4
    findings = check(fig)
    assert ("t3_columns", "granted", None) in rules_of(findings)
    err = next(f for f in findings if f.rule == "t3_columns")
    assert "空白" in err.message


def test_missing_table():
    fig = {k: v for k, v in zero_report().items() if not k.startswith("t4/")}
    findings = check(fig, {"t2", "t3"})
    assert [(f.rule, f.table) for f in findings] == [("missing_table", "t4")]
    assert "表四" in findings[0].message

