"""First run: generate the demo corpus and ingest it, with the real sample reports, into one database.

`build_demo(db_path, progress=callback)` is what `gongkai demo build` and the dashboard's first start call
when `data/gongkai.duckdb` is missing.  The demo reports are stored with the 模拟数据 flag
(`reports.is_demo`); the real samples in `data/samples/real/` are stored as real reports, each placed by
`PROVENANCE.csv` (which is both their provenance and their region manifest).

The demo files go through the same path as anybody's reports (files → parser → ingest), so the demo
exercises the product rather than a shortcut into the database.  Each district is ingested as one batch
with its region given explicitly: 青岚市 is fictional, so its districts cannot be looked up in the national
division code (nor should region inference ever guess them).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from gongkai import regions, store
from gongkai.demo import generate as G
from gongkai.ingest import FAILED, REPLACED, SKIPPED, STORED, FileResult, IngestSummary, ingest

# The real reports shipped with the repository (not with an installed wheel: then they are skipped).
SAMPLES_DIR = Path(__file__).resolve().parents[2] / "data" / "samples" / "real"
SAMPLES_MANIFEST = "PROVENANCE.csv"

# progress(fraction done in [0, 1], what is happening — Chinese, for the user); fits st.progress(value, text).
ProgressCallback = Callable[[float, str], None]

# Share of the progress bar for writing the files; the rest is ingest (parsing dominates).
_GENERATE_SHARE = 0.25


@dataclass
class BuildResult:
    db_path: Path
    corpus: G.DemoCorpus
    summaries: list[IngestSummary] = field(default_factory=list)
    sample_files: int = 0
    seconds: float = 0.0

    @property
    def results(self) -> list[FileResult]:
        return [r for s in self.summaries for r in s.results]

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == FAILED]

    def lines(self) -> list[str]:
        """The closing summary, in Chinese."""
        stored = sum(1 for r in self.results if r.status in (STORED, REPLACED))
        skipped = sum(1 for r in self.results if r.status == SKIPPED)
        planted = len(self.corpus.errors) + len(self.corpus.defects)
        out = [
            f"已生成 {len(self.corpus.reports)} 份模拟报告（{G.CITY}，{len(G.DISTRICTS)} 个区县，"
            f"{G.YEARS[0]}–{G.YEARS[-1]} 年，预埋 {planted} 处问题，见 {G.ANSWER_KEY}），"
            f"另有真实报告样本 {self.sample_files} 份。",
            f"数据库：{self.db_path}　导入 {stored} 个文件，跳过 {skipped} 个已导入的文件，"
            f"失败 {len(self.failed)} 个，用时 {self.seconds:.1f} 秒。",
        ]
        out += [f"失败：{r.path}：{r.message}" for r in self.failed]
        return out


def district_region(district: G.District) -> regions.Region:
    """The fictional district as a region (division codes under 3699, which no real city uses)."""
    return regions.Region(
        adcode=district.adcode,
        province=G.PROVINCE,
        city=G.CITY,
        county=district.name,
        province_adcode=G.PROVINCE_ADCODE,
        city_adcode=G.CITY_ADCODE,
    )


def sample_files(samples: Path = SAMPLES_DIR) -> list[Path]:
    """The real sample reports: the files PROVENANCE.csv lists, in its order."""
    manifest = samples / SAMPLES_MANIFEST
    if not manifest.is_file():
        return []
    return [samples / name for name in regions.load_manifest(manifest) if (samples / name).is_file()]


def build_demo(
    db_path: str | Path = store.DEFAULT_DB,
    progress: ProgressCallback | None = None,
    *,
    out: str | Path = G.DEFAULT_OUT,
    seed: int = G.DEFAULT_SEED,
    samples: str | Path | None = SAMPLES_DIR,
    workers: int | None = None,
) -> BuildResult:
    """Generate the demo corpus into `out` and ingest it plus the real samples into `db_path`.

    An existing database is added to, not replaced (ingest is idempotent: a second build changes nothing)."""
    started = time.perf_counter()
    db_path = Path(db_path)

    def tell(fraction: float, message: str) -> None:
        if progress:
            progress(min(1.0, max(0.0, fraction)), message)

    tell(0.0, "正在生成模拟报告…")
    corpus = G.generate(
        out, seed, workers=workers,
        progress=lambda i, n, name: tell(_GENERATE_SHARE * i / n, f"生成模拟报告 {i}/{n}：{name}"),
    )
    real = sample_files(Path(samples)) if samples else []
    result = BuildResult(db_path, corpus, sample_files=len(real))

    total = len(corpus.reports) + len(real)
    done = 0

    def on_file(r: FileResult) -> None:
        nonlocal done
        done += 1
        tell(_GENERATE_SHARE + (1 - _GENERATE_SHARE) * done / total, f"导入报告 {done}/{total}：{r.path.name}")

    out = Path(out)
    for district in G.DISTRICTS:
        paths = [out / r.path for r in corpus.reports if r.agency.district == district]
        result.summaries.append(
            ingest(paths, db_path, region=district_region(district), manifest=out / G.DATES, demo=True,
                   workers=workers, on_file=on_file)
        )
    if real:
        manifest = Path(samples) / SAMPLES_MANIFEST  # type: ignore[arg-type]
        result.summaries.append(ingest(real, db_path, manifest=manifest, demo=False, workers=workers,
                                       on_file=on_file))
    result.seconds = time.perf_counter() - started
    tell(1.0, f"完成：用时 {result.seconds:.1f} 秒")
    return result
