"""Collect annual reports from government portals (`gongkai fetch`): walk each column's list pages, pick the
report links, save every report byte for byte and write a manifest that `gongkai ingest --manifest` reads.

- client.py   the polite HTTP client (robots.txt, rate and concurrency limits, retries, conditional requests);
- listing.py  what a page says (links, other list pages, report titles, publication date, attachments);
- manifest.py the column list read, the state and the manifest written;
- run.py      one run, and its summary.
"""

# Nothing is imported here: ingest reads manifests (manifest.py) without loading the HTTP client.
