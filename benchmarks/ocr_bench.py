"""OCR speed: pages/s of gongkai.readers.ocr on report pages, printed as `name: value unit`.

Inputs: 洪泽区 2024 (tests/fixtures/hongze_2024.truth.json, 2021 format, 2 pages as gongkai.demo.render lays
it out) rendered to PDF with a CJK TrueType font embedded (the paperang-p2-fonts-cjk package of the test
extras: this machine has no CJK fonts) and rasterised by PDFium at 150 and 300 dpi; then the same pages as an
image-only PDF through `parse_bytes` end to end (render at 200 dpi, straighten, rulings, recognition, mapper,
rules).  Each measure also checks that every figure came back exactly, so a fast wrong reading is no result.

    python benchmarks/ocr_bench.py [--rounds 1]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gongkai.demo.render import ReportSpec, render_pdf  # noqa: E402
from gongkai.parser import parse_bytes  # noqa: E402
from gongkai.readers import ocr  # noqa: E402

TRUTH = json.loads((ROOT / "tests" / "fixtures" / "hongze_2024.truth.json").read_text(encoding="utf-8"))


def font_file() -> str:
    import paperang_p2_fonts_cjk

    return str(Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc")


def page_pictures(dpi: int) -> list:
    import pypdfium2 as pdfium

    spec = ReportSpec(agency=TRUTH["agency"], year=TRUTH["year"], template=TRUTH["template"],
                      figures=TRUTH["figures"], other_split=False)
    pdf = pdfium.PdfDocument(render_pdf(spec, font_file=font_file()))
    return [pdf[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(pdf))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=1, help="passes over the pages per measure")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    start = time.perf_counter()
    ocr._engine()
    print(f"ocr_model_load: {time.perf_counter() - start:.2f} s", flush=True)
    for dpi in (150, 300):
        pictures = page_pictures(dpi)
        start = time.perf_counter()
        for _ in range(args.rounds):
            for picture in pictures:
                ocr.read_picture(picture)
        elapsed = time.perf_counter() - start
        print(f"ocr_pages_{dpi}dpi: {len(pictures) * args.rounds / elapsed:.3f} pages/s "
              f"({elapsed / (len(pictures) * args.rounds):.1f} s a page)", flush=True)
    pictures = page_pictures(150)
    scan = io.BytesIO()
    pictures[0].save(scan, format="PDF", save_all=True, append_images=pictures[1:], resolution=150)
    start = time.perf_counter()
    report = parse_bytes(scan.getvalue(), "scan.pdf")
    elapsed = time.perf_counter() - start
    exact = report.figures == TRUTH["figures"]
    print(f"ocr_scanned_pdf_parse: {len(pictures) / elapsed:.3f} pages/s ({elapsed:.1f} s for {len(pictures)} pages; "
          f"figures exact: {exact})", flush=True)


if __name__ == "__main__":
    main()
