"""The assessment (gongkai.assess, gongkai.similarity, queries/assess_*.sql, `gongkai assess`): sections found
by their numbered headings, the fee statement, the carried-over share of a narrative, the score and its reasons
under the shipped and an office's own rules; on the real samples and on the demo corpus, where it must find
exactly the planted defects."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from gongkai import assess, similarity, store
from gongkai.demo import generate as G
from gongkai.parser import parse_file

FIXTURES = Path(__file__).parent / "fixtures"
REAL = ["000_604589b9a90ba4e6.txt", "hongze_2024.pdf", "pingtan_2019.html", "pingtan_2022.html",
        "shanghai_bgt_2019.html"]
SIX = ["overview", "proactive", "requests", "review", "problems", "other"]


@pytest.fixture(scope="module")
def narratives() -> dict[str, str]:
    return {name: parse_file(FIXTURES / name).narrative for name in REAL}


# ---------------------------------------------------------------- sections and fee, by structure
def test_real_reports_have_their_six_sections_found_by_heading(narratives):
    for name, text in narratives.items():
        found = assess.find_sections(text)
        assert sorted(found, key=SIX.index) == SIX, name
        lines = text.split("\n")
        assert lines[found["overview"][0] - 1] == "一、总体情况", name
    # label variants real reports print: 平潭 2022 "行政法复议", 上海 2019 "政府信息公开工作存在的主要问题"
    assert assess.find_sections(narratives["pingtan_2022.html"])["review"]
    assert assess.find_sections(narratives["shanghai_bgt_2019.html"])["problems"]


def test_an_introduction_naming_the_six_parts_is_not_six_sections():
    intro = ("本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、"
             "行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项共六个部分组成。")
    assert assess.find_sections(intro) == {}
    text = "\n".join([intro, "一、总体情况。2024年，我局依法公开。", "（一）主动公开", "五、存在问题及改进措施",
                      "第六部分 其他需要报告的事项", "本年度未收取信息处理费。"])
    found = assess.find_sections(text)
    assert list(found) == ["overview", "problems", "other"]  # run-in heading, variant, 第六部分; （一） is not one
    assert found["other"] == (5, 6)


def test_fee_statement():
    assert assess.states_fee("六、其他需要报告的事项\n本机关未收取信息处理费。")
    assert assess.states_fee("六、其他需要报告的事项\n本年度未收取任何费用。")
    assert not assess.states_fee("六、其他需要报告的事项\n本年度无其他需要报告的事项。")
    # 收费 mentioned elsewhere (表二's 行政事业性收费) is not a word on 信息处理费
    assert not assess.states_fee("二、主动公开政府信息情况\n行政事业性收费 0 万元\n六、其他需要报告的事项\n无。")


def test_real_reports_state_the_fee(narratives):
    assert [assess.states_fee(narratives[n]) for n in REAL] == [True, True, False, True, False]


# ---------------------------------------------------------------- similarity
def test_a_copy_with_other_figures_is_the_same_text(narratives):
    old = narratives["pingtan_2019.html"]
    assert similarity.similarity(old.replace("2599", "3100").replace("2019", "2020"), old) == 1.0
    assert similarity.similarity(old, old) == 1.0
    assert similarity.similarity("", old) is None and similarity.similarity("一、总体情况", old) is None


def test_two_real_years_of_one_agency_differ(narratives):
    """平潭综合实验区 2022 against its 2019 report (its previous one in the samples): 25 % of the 2022 text is
    sentences 2019 had (the introduction and headings the template prescribes); 15 % the other way round."""
    this, last = narratives["pingtan_2022.html"], narratives["pingtan_2019.html"]
    assert round(similarity.similarity(this, last), 4) == 0.2546
    assert round(similarity.similarity(last, this), 4) == 0.1521


def test_shared_passages_mark_the_shared_sentences_only():
    last = "一、总体情况\n2023年，我局依法公开政府信息。全年收到申请5件。\n其他事项：无。"
    this = "一、总体情况\n2024年，我局依法公开政府信息。全年收到申请8件。\n今年新建了查阅点，方便群众。"
    a, b = similarity.shared_passages(this, last)
    assert "".join(s.text for s in a) == this and "".join(s.text for s in b) == last
    assert [s.text for s in a if s.shared] == ["一、总体情况\n2024年，我局依法公开政府信息。全年收到申请8件。\n"]
    assert [s.text for s in a if not s.shared] == ["今年新建了查阅点，方便群众。"]
    assert [s.text for s in b if not s.shared] == ["其他事项：无。"]


# ---------------------------------------------------------------- scoring and rules
def facts(**kw) -> assess.Facts:
    base = dict(agency="某局", year=2024, has_report=True, template="2021", first_year=2019,
                narrative="\n".join(["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                                     "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
                                     "六、其他需要报告的事项", "本年度未收取信息处理费。"]))
    base.update(kw)
    return assess.Facts(**base)


def test_a_clean_report_scores_full_marks():
    result = assess.assess(facts(), assess.load_config())
    assert (result.score, result.reasons) == (100, [])


def test_every_criterion_loses_its_points_once_with_every_reason():
    config = assess.load_config()
    f = facts(template="2019", narrative="一、总体情况\n正文", findings=[
        {"rule": "t3_balance", "severity": "error", "message": "表三第一列不平衡"},
        {"rule": "t4_rows", "severity": "error", "message": "表四合计不符"},
        {"rule": "late_publication", "severity": "warning", "message": "逾期 3 天"},
        {"rule": "blank_cells", "severity": "warning", "message": "空白"},  # not a criterion
    ])
    result = assess.assess(f, config)
    assert [item.criterion for item in result.lost] == ["on_time", "template_rules", "current_template", "sections"]
    assert result.score == 100 - 15 - 20 - 10 - 10
    assert result.reasons[:3] == ["未按期发布：逾期 3 天（扣 15 分）", "表内勾稽关系不成立：表三第一列不平衡（扣 20 分）",
                                  "表内勾稽关系不成立：表四合计不符"]
    assert "正文缺少“主动公开政府信息情况”部分（未找到该部分的标题）（扣 10 分）" in result.reasons
    # a 2019-format report is not asked about 信息处理费
    assert "fee_statement" not in [item.criterion for item in result.lost]


def test_a_missing_report_scores_zero():
    result = assess.assess(facts(has_report=False, year=2022, first_year=2019), assess.load_config())
    assert result.to_json() == {"agency": "某局", "year": 2022, "score": 0,
                                "reasons": ["未发布 2022 年度政府信息公开工作年度报告（该单位自 2019 年度起有报告）（扣 100 分）"]}


def test_an_office_sets_its_own_points_and_threshold(tmp_path):
    own = tmp_path / "本单位.toml"
    own.write_text("full_marks = 50\n[points]\nnarrative_changed = 30\n[thresholds]\nnarrative_similarity = 0.5\n",
                   encoding="utf-8")
    config = assess.load_config(own)
    assert (config.full_marks, config.points["narrative_changed"], config.points["on_time"]) == (50, 30, 15)
    text = facts().narrative
    half = facts(narrative=text + "\n今年新写了一段很长的话，说明本机关如何推进政务公开标准化建设。" * 1,
                 prev_narrative=text, prev_year=2023)
    assert assess.assess(half, assess.load_config()).score == 100  # 0.66 < 0.95 by default
    result = assess.assess(half, config)
    assert result.score == 20 and result.reasons[0].startswith("正文与 2023 年度报告基本相同：")


@pytest.mark.parametrize("text,message", [
    ("[points]\nbogus = 1\n", "[points] 中未知的项“bogus”"),
    ("colour = 1\n", "未知的项“colour”"),
    ("[thresholds]\nnarrative_similarity = 2\n", "narrative_similarity 应在 0 到 1 之间"),
    ("[points\n", "格式错误"),
])
def test_a_bad_config_is_refused_in_chinese(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(assess.ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        assess.load_config(path)


# ---------------------------------------------------------------- the query, on a tiny database
def test_assess_query_expected_years_and_previous_report(tmp_path):
    """Two agencies of one city: A reports 2020 and 2022 (2021 missing), B only 2020 (so 2021 and 2022 are
    expected of it: its city reported up to 2022). Built with the store's writer, as ingest does."""
    from gongkai.report import Report

    con = store.connect(tmp_path / "t.duckdb")
    con.execute("INSERT INTO regions VALUES ('320813', '江苏省', '淮安市', '洪泽区', '320000', '320800')")
    ids = {}
    for name in ("甲局", "乙局"):
        ids[name] = con.execute("INSERT INTO agencies (name, name_key, adcode, kind, region_source)"
                                " VALUES (?, ?, '320813', '部门', '清单') RETURNING agency_id", [name, name]).fetchone()[0]
    for n, (name, year) in enumerate([("甲局", 2020), ("甲局", 2022), ("乙局", 2020)]):
        report = Report(file=f"{n}.txt", agency=name, year=year, template="2021" if year > 2020 else "2019",
                        figures={}, narrative=f"{name}{year}年的正文")
        store.insert_report(con, report, agency_id=ids[name], sha256=f"h{n}", source_file=f"{n}.txt")
    store.refresh_wide(con)
    rows = store.run_query(con, "assess_agency_years", {}).sort_values(["agency", "year"])
    got = [(r.agency, r.year, not pd.isna(r.report_id), None if pd.isna(r.prev_year) else int(r.prev_year),
            None if pd.isna(r.prev_narrative) else r.prev_narrative) for r in rows.itertuples()]
    assert got == [
        ("乙局", 2020, True, None, None), ("乙局", 2021, False, None, None), ("乙局", 2022, False, None, None),
        ("甲局", 2020, True, None, None), ("甲局", 2021, False, None, None), ("甲局", 2022, True, 2020, "甲局2020年的正文"),
    ]
    assert len(store.run_query(con, "assess_agency_years", {"year_from": 2021, "year_to": 2021})) == 2
    pair = store.run_query(con, "assess_report_narratives", {"report_id": int(rows.iloc[-1]["report_id"])})
    assert (pair.loc[0, "prev_year"], pair.loc[0, "prev_narrative"]) == (2020, "甲局2020年的正文")


# ---------------------------------------------------------------- the demo corpus and the real samples
# The rule each planted error breaks → the criterion that must lose points for it.
PLANTED_CRITERION = {
    "missing_year": "present", "late_publication": "on_time", "t3_balance": "template_rules",
    "t3_outcomes": "template_rules", "t3_columns": "template_rules", "t4_rows": "template_rules",
    "carry_chain": "cross_year", "text_vs_table": "text_vs_table", "copied_narrative": "narrative_changed",
    "missing_section": "sections", "no_fee_statement": "fee_statement",
}


@pytest.fixture(scope="module")
def demo_scores(demo_built):
    con = duckdb.connect(str(demo_built["db"]), read_only=True)
    try:
        return assess.assess_store(con)
    finally:
        con.close()


def test_demo_answer_key_lists_the_assessment_defects(demo_built):
    key = demo_built["key"]
    assert sorted(d["defect"] for d in key["assessment"]) == sorted(
        d for d, n in G.ASSESSMENT_PLANTED.items() for _ in range(n))
    assert all(r["published_on"] for r in key["reports"])
    late = [e for e in key["errors"] if e["rule"] == "late_publication"]
    assert len(late) == G.PLANTED["late_publication"] == 4


def test_demo_assessment_finds_exactly_the_planted_defects(demo_built, demo_scores):
    key = demo_built["key"]
    planted = {(a, y, PLANTED_CRITERION[r]) for a, y, r in G.planted(key) | G.planted_defects(key)
               if r != "blank_cells"}
    demo = demo_scores[demo_scores["is_demo"]]
    found = {(r.agency, r.year, c) for r in demo.itertuples() for c in r.criteria}
    assert found - planted == set(), "points lost that were not planted"
    assert planted - found == set(), "planted defects the assessment missed"
    assert len(planted) == 35
    # every clean demo agency-year has full marks; the ranking puts the missing reports first
    lost = {(a, y) for a, y, _ in planted}
    assert set(demo[[(r.agency, r.year) not in lost for r in demo.itertuples()]]["score"]) == {100}
    assert list(demo_scores["score"][:4]) == [0, 0, 0, 0]


def test_demo_similarities_clean_below_copied(demo_built, demo_scores):
    """What the threshold separates on the demo: clean consecutive years vs the planted copies."""
    copied = {(a, y) for a, y, d in G.planted_defects(demo_built["key"]) if d == "copied_narrative"}
    demo = demo_scores[demo_scores["is_demo"] & demo_scores["similarity"].notna()]
    clean = [r.similarity for r in demo.itertuples() if (r.agency, r.year) not in copied]
    assert len(clean) > 500
    assert max(clean) < 0.89 < assess.load_config().narrative_similarity  # 0.884 measured
    assert sorted(r.similarity for r in demo.itertuples() if (r.agency, r.year) in copied) == [1.0] * 4


def test_real_samples_scores(demo_scores):
    real = demo_scores[~demo_scores["is_demo"]]
    got = {(r.agency, r.year): (r.score, r.reasons) for r in real.itertuples()}
    assert got[("平潭综合实验区", 2020)][0] == got[("平潭综合实验区", 2021)][0] == 0
    assert got[("淮安市洪泽区人民政府", 2024)] == (95, [
        "正文与表格不一致：正文称“2024 年,区政府办代表区政府受理政府信息公开申请 17 件,均已在法定期限内予以答复”（17件），"
        "但表三“一、本年新收政府信息公开申请数量”总计为95（扣 5 分）"])
    for report in [("台儿庄区工业和信息化局", 2024), ("平潭综合实验区", 2019), ("平潭综合实验区", 2022),
                   ("上海市人民政府办公厅", 2019)]:
        assert got[report] == (100, []), report
    assert round(real.set_index(["agency", "year"]).loc[("平潭综合实验区", 2022), "similarity"], 4) == 0.2546


# ---------------------------------------------------------------- the command
def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gongkai", *args], capture_output=True, text=True, timeout=120)


def test_cli_json_is_one_object_per_agency_year(demo_built, demo_scores):
    out = run("assess", "--db", str(demo_built["db"]), "--year", "2024", "--region", "江西省/青岚市/岚桥县", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    want = demo_scores[(demo_scores["year"] == 2024) & (demo_scores["county"] == "岚桥县")]
    assert len(data) == len(want) == 16
    assert all(list(d) == ["agency", "year", "score", "reasons"] for d in data)
    assert data[0] == {"agency": "岚桥县人民政府", "year": 2024, "score": 0,
                       "reasons": ["未发布 2024 年度政府信息公开工作年度报告（该单位自 2019 年度起有报告）（扣 100 分）"]}
    assert [d["agency"] for d in data] == list(want["agency"])


def test_cli_table_and_errors(demo_built, tmp_path):
    out = run("assess", "--db", str(demo_built["db"]), "--year", "2022", "--region", "江西省/青岚市/澄溪区")
    assert out.returncode == 0 and "年报评估（16 个单位年度，满分 100）" in out.stdout
    out = run("assess", "--db", str(tmp_path / "none.duckdb"))
    assert out.returncode == 2 and "找不到数据库" in out.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("[points]\nbogus = 1\n", encoding="utf-8")
    out = run("assess", "--db", str(demo_built["db"]), "--config", str(bad))
    assert out.returncode == 2 and "未知的项“bogus”" in out.stderr
