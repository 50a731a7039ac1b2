"""The mapper reads label variants real reports print, by structure.

Each test writes a small report as Markdown (the simplest grid to write by hand) with one quirk."""

import pytest

from gongkai.document import ReadError
from gongkai.parser import parse_bytes
from gongkai.template import T3_ROWS, T3_SECTIONS, T3_GROUPS

COLS7 = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def md_row(*cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def t3_rows(labels: dict[str, str] | None = None, one_other_row=False, values=None) -> list[str]:
    """表三 as rows [section, group, item, 7 values]; `labels` overrides printed labels by row key."""
    labels = labels or {}
    values = values or {}
    out = [md_row("", "", "", *COLS7), md_row("---", "---", "---", *["---"] * 7)]
    for row in T3_ROWS:
        if one_other_row and row.key in ("other_no_correction", "other_fee_unpaid", "other_other"):
            continue
        if not one_other_row and row.key == "other":
            continue
        label = labels.get(row.key, row.label)
        v = values.get(row.key, [0] * 7)
        if row.section != "三":
            out.append(md_row(label, "", "", *v))
        elif row.item:
            out.append(md_row(T3_SECTIONS["三"], labels.get("group" + row.group, T3_GROUPS[row.group]), label, *v))
        else:
            out.append(md_row(T3_SECTIONS["三"], label, "", *v))
    return out


def report_md(t3=None, t2_heading="二、主动公开政府信息情况", t4_heading="四、政府信息公开行政复议、行政诉讼情况",
              normative="行政规范性文件", title="某某区教育局2023年政府信息公开工作年度报告") -> bytes:
    lines = [
        f"# {title}",
        "",
        t2_heading,
        "",
        md_row("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
        md_row("---", "---", "---", "---"),
        md_row("规章", 0, 0, 0),
        md_row(normative, 3, 1, 12),
        "",
        md_row("信息内容", "本年处理决定数量"),
        md_row("---", "---"),
        md_row("行政许可", 15),
        md_row("行政处罚", 2),
        md_row("行政强制", 0),
        "",
        md_row("信息内容", "本年收费金额（单位：万元）"),
        md_row("---", "---"),
        md_row("行政事业性收费", "12.50"),
        "",
        "三、收到和处理政府信息公开申请情况",
        "",
        *(t3 or t3_rows()),
        "",
        t4_heading,
        "",
        md_row("行政复议", "", "", "", "", "行政诉讼", "", "", "", "", "", "", "", "", ""),
        md_row(*["---"] * 15),
        md_row("结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""),
        md_row("", "", "", "", "", *["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2),
        md_row(1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    ]
    return "\n".join(lines).encode("utf-8")


def test_plain_report():
    r = parse_bytes(report_md(), "x.md")
    assert (r.agency, r.year, r.template, r.format) == ("某某区教育局", 2023, "2021", "markdown")
    assert len(r.figures) == 200
    assert r.figures["t2/normative_doc/in_force"] == 12
    assert r.figures["t2/fee/amount"] == 12.5
    assert r.figures["t4/review/upheld"] == 1
    assert [f for f in r.findings if f.severity == "error"] == []


@pytest.mark.parametrize(
    "key,label",
    [
        ("denied_law", "2.其他法律行政止公开"),  # the typo a real PDF prints
        ("denied_safety", '3.危及"三安全一稳定"'),
        ("denied_safety", "3.危及'三安全一稳定'"),
        ("denied_safety", "3.危及三安全一稳定"),
        ("refused_confirm", "5.要求行政机关确认或重新<br>出具已获取信息"),  # broken across lines
        ("granted", "（ 一 ）予以 公开"),  # spaces inside
        ("partial", "（二）部分公开"),  # without the parenthetical
        ("denied_secret", "1．属于国家秘密"),  # full-width full stop
    ],
)
def test_label_variants(key, label):
    values = {key: [1, 0, 0, 0, 0, 0, 1]}
    r = parse_bytes(report_md(t3_rows({key: label}, values=values)), "x.md")
    assert r.figures[f"t3/{key}/natural_person"] == 1
    assert len(r.figures) == 200


@pytest.mark.parametrize(
    "key,label",
    [
        ("denied_secret", "三、本年度办理结果 （三）不予公开1.属于国家秘密"),  # the issue's own examples
        ("unable_need_create", "（四）无法提供2.没有现成信息需要另行制作"),
        ("unable_need_create", "三、本年度办理结果（四）无法提供 2. 没有现成信息需要另行制作"),
        ("other_fee_unpaid", "（六）其他处理2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ("denied_third_party", "（三）不予公开 保护第三方合法权益"),  # the item's number left out
        ("partial", "三、本年度办理结果（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
        ("granted", "三、本年度办理结果 （一）予以公开"),
        ("other_other", "三、本年度办理结果 3.其他"),  # the section without the group: the group read above
    ],
)
def test_label_carrying_its_parents_in_one_cell(key, label):
    """A converter joined the merged label cells of a row into its first cell; the other two are empty."""
    values = {key: [1, 0, 0, 0, 0, 0, 1]}
    rows = t3_rows(values=values)
    index = 2 + [r.key for r in T3_ROWS if r.key != "other"].index(key)
    rows[index] = md_row(label, "", "", 1, 0, 0, 0, 0, 0, 1)
    r = parse_bytes(report_md(rows), "x.md")
    assert r.figures[f"t3/{key}/natural_person"] == 1
    assert len(r.figures) == 200
    assert not [f for f in r.findings if f.rule == "unreadable_row"]


def test_other_printed_as_one_row_in_2021_format():
    r = parse_bytes(report_md(t3_rows(one_other_row=True)), "x.md")
    assert r.template == "2021"
    assert "t3/other/total" in r.figures and "t3/other_other/total" not in r.figures
    assert len(r.figures) == 186


def test_normative_doc_label_of_2019():
    r = parse_bytes(report_md(normative="规范性文件"), "x.md")
    assert r.figures["t2/normative_doc/issued"] == 3


def test_heading_worded_differently():
    # A real report prints '四、政府信息公开行政法复议、行政诉讼情况'.
    r = parse_bytes(report_md(t4_heading="四、政府信息公开行政法复议、行政诉讼情况"), "x.md")
    assert r.figures["t4/review/total"] == 1


def test_numbers_with_units_and_blanks():
    values = {"granted": ["1 2", "—", "/", "无", "-", "", 12]}
    r = parse_bytes(report_md(t3_rows(values=values)), "x.md")
    got = [r.figures[f"t3/granted/{c}"] for c in ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")]
    assert got == [12, None, None, None, None, None, 12]


def test_two_line_title_and_agency_in_first_paragraph():
    r = parse_bytes(report_md(title="2023年政府信息公开工作年度报告"), "x.md")
    assert r.agency is None and r.year == 2023
    doc = report_md(title="2023年政府信息公开工作年度报告").decode().replace(
        "二、主动公开政府信息情况",
        "根据《中华人民共和国政府信息公开条例》，现向社会公布某某县卫生健康委员会2023年政府信息公开工作年度报告。\n\n二、主动公开政府信息情况",
        1,
    )
    assert parse_bytes(doc.encode(), "x.md").agency == "某某县卫生健康委员会"


def test_not_a_report():
    with pytest.raises(ReadError, match="不是政府信息公开工作年度报告"):
        parse_bytes("会议纪要\n\n| a | b |\n|---|---|\n| 1 | 2 |\n".encode(), "x.md")


@pytest.mark.parametrize(
    "title,agency,year",
    [
        ("某某市自然资源和规划局关于2023年度政府信息公开工作年度报告", "某某市自然资源和规划局", 2023),
        ("2023年度某某县人民政府办公室政府信息公开工作年度报告", "某某县人民政府办公室", 2023),
        ("某某区教育局政府信息公开工作2023年度报告", "某某区教育局", 2023),
        ("中国（上海）自由贸易试验区管理委员会2023年政府信息公开工作年度报告", "中国(上海)自由贸易试验区管理委员会", 2023),
    ],
)
def test_title_variants(title, agency, year):
    r = parse_bytes(report_md(title=title), "x.md")
    assert (r.agency, r.year) == (agency, year)


def test_year_from_statistics_period_when_title_has_none():
    doc = report_md(title="某某区教育局政府信息公开工作年度报告").decode().replace(
        "二、主动公开政府信息情况", "本报告中所列数据的统计期限自2022年1月1日起至2022年12月31日止。\n\n二、主动公开政府信息情况", 1
    )
    assert parse_bytes(doc.encode(), "x.md").year == 2022
