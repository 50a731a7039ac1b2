"""Parse speed per format: reports/s on this machine, printed one line per measure as `name: value unit`.

Inputs: the real reports in tests/fixtures (text, HTML, PDF), the same reports saved as Word 97 .doc and
RTF by LibreOffice (tests/fixtures/word97), and reports rendered by gongkai.demo.render (and gongkai.demo.msdoc for
.doc) for the formats the corpus lacks (Markdown, DOCX, GBK HTML), so every reader is measured on a full report.

    python benchmarks/parse_bench.py [--seconds 2] [--only doc,docx]
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from gongkai.parser import parse_bytes

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def samples() -> dict[str, list[bytes]]:
    out: dict[str, list[bytes]] = {
        "text (seed)": [(FIXTURES / "000_604589b9a90ba4e6.txt").read_bytes()],
        "html (portal pages)": [
            (FIXTURES / n).read_bytes() for n in ("pingtan_2019.html", "pingtan_2022.html", "shanghai_bgt_2019.html")
        ],
        "pdf (hongze 2024, 5 pages)": [(FIXTURES / "hongze_2024.pdf").read_bytes()],
        # the five real reports as LibreOffice saves them (two are whole portal pages, 150-160 KB)
        "doc (real reports, LibreOffice)": [p.read_bytes() for p in sorted((FIXTURES / "word97").glob("*.doc"))
                                            if (FIXTURES / f"{p.stem}.truth.json").exists()],
        "rtf (real reports, LibreOffice)": [p.read_bytes() for p in sorted((FIXTURES / "word97").glob("*.rtf"))
                                            if (FIXTURES / f"{p.stem}.truth.json").exists()],
    }
    try:
        from gongkai.demo import render
    except ImportError:
        return out
    rng = random.Random(7)
    specs = [render.random_report(rng, fmt) for fmt in ("2019", "2021", "2021")]
    out["text (rendered)"] = [render.render_text(s) for s in specs]
    out["markdown (rendered)"] = [render.render_markdown(s) for s in specs]
    out["html utf-8 (rendered)"] = [render.render_html(s) for s in specs]
    out["html gbk (rendered)"] = [render.render_html(s, encoding="gbk") for s in specs]
    out["docx (rendered)"] = [render.render_docx(s) for s in specs]
    out["pdf (rendered)"] = [render.render_pdf(s) for s in specs]
    # Tables printed without rulings are read by mending the rulings from the text's gaps.
    out["pdf without rulings (rendered)"] = [render.render_pdf(s, rulings="none") for s in specs]
    from gongkai.demo import msdoc

    out["doc (rendered)"] = [msdoc.render_doc(s) for s in specs]
    return out


def measure(files: list[bytes], seconds: float) -> float:
    parse_bytes(files[0], "warmup")
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for data in files:
            parse_bytes(data, "bench")
            n += 1
    return n / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=2.0, help="time per format")
    ap.add_argument("--only", default="", help="comma-separated formats (the first word of a name: text, doc, …)")
    args = ap.parse_args()
    only = {f.strip() for f in args.only.split(",") if f.strip()}
    for name, files in samples().items():
        if only and name.split()[0] not in only:
            continue
        print(f"parse {name}: {measure(files, args.seconds):.1f} reports/s", flush=True)


if __name__ == "__main__":
    main()
