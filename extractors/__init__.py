"""Korean-aware loaders and extractors for government press releases.

Plain functions only: no Prefect, no IO beyond reading the one file a loader is given.
"""
EXTRACTOR_VERSION = "0.1.0"


def code_fingerprint() -> str:
    """Hash of the extraction code, its data and the schemas: a change to any rule or column changes it."""
    import hashlib
    from pathlib import Path

    from bodopress import schemas

    h = hashlib.sha256()
    for root in (Path(__file__).parent, Path(schemas.__file__).parent):
        for p in sorted(root.rglob("*")):
            if p.is_file() and p.suffix in {".py", ".json", ".txt", ".tsv", ".yaml"}:
                h.update(f"{root.name}/{p.relative_to(root).as_posix()}".encode())
                h.update(p.read_bytes())
    return h.hexdigest()[:16]
