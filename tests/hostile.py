"""A reproducible hostile raw/ directory: every kind of bad input an unattended ingest may meet.

    python tests/hostile.py DIR        # writes the files, prints name -> expected error_type

`build(raw)` writes each file and returns what bodo must make of it: the `error_type` of its
one `errors` row, or None for a good release that must be curated (under an odd name).
Nothing here is stored as a file in the repository: the bytes are made on the spot.
"""
from __future__ import annotations

import io
import os
import sys
import zipfile
import zlib
from pathlib import Path

GOOD = ("보도자료\n보도시점 2026. 6. 2.(화) 12:00\n\n수출바우처 지원 확대\n\n"
        "□ 산업통상부는 수출기업 1,200개사에 바우처 300억원을 지원한다고 밝혔다.\n"
        "담당 부서\t무역투자실 수출지원과\t책임자\t과 장\t김민준 (044-203-4010)\n")
MIMETYPE = "application/hwp+zip"


def _hwpx(section: bytes, extra: dict[str, bytes] | None = None, mimetype: bool = True) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        if mimetype:
            zf.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE)
        zf.writestr("Contents/section0.xml", section)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def _section(body: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><hs:sec xmlns:hp="urn:p" xmlns:hs="urn:s">{body}</hs:sec>'
            ).encode()


def _pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer_extra, xref))
    return out.getvalue()


def _pdf_with_stream(data: bytes, compressed: bool) -> bytes:
    stream = zlib.compress(data, 1) if compressed else data
    flt = b"/Filter /FlateDecode " if compressed else b""
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                 b"<< /Length %d %s>>\nstream\n" % (len(stream), flt) + stream + b"\nendstream"])


def _flate_bomb(size: int) -> bytes:
    """A PDF whose one content stream inflates to `size` bytes of spaces (compressed in pieces)."""
    c = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    parts = [c.compress(chunk) for _ in range(size >> 20)] + [c.flush()]
    stream = b"".join(parts)
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                 b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"])


def _encrypted_pdf(v: int) -> bytes:
    """A PDF with a Standard security handler (V1 RC4 or V4 AES); opening it needs a password."""
    crypt = (b"/CF << /StdCF << /CFM /AESV2 /Length 16 /AuthEvent /DocOpen >> >> /StmF /StdCF /StrF /StdCF "
             if v == 4 else b"")
    enc = (b"<< /Filter /Standard /V %d /R %d /Length 128 %s/O <%s> /U <%s> /P -4 >>"
           % (v, 4 if v == 4 else 2, crypt, b"11" * 32, b"22" * 32))
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>", enc],
                trailer_extra=b"/Encrypt 4 0 R /ID [<%s> <%s>] " % (b"ab" * 16, b"ab" * 16))


def _nested_hwpx(depth: int) -> bytes:
    open_ = "".join("<hp:p><hp:run><hp:ctrl><hp:subList>" for _ in range(depth))
    close = "".join("</hp:subList></hp:ctrl></hp:run></hp:p>" for _ in range(depth))
    return _hwpx(_section(f"{open_}<hp:p><hp:run><hp:t>깊은 문단</hp:t></hp:run></hp:p>{close}"))


def _patched_hwp(real: bytes, flag: int) -> bytes:
    """A real HWP 5 file with a FileHeader flag set (password, distribution): the header sits
    uncompressed in the compound file, so the flag can be set in place."""
    i = real.find(b"HWP Document File")
    data = bytearray(real)
    flags = int.from_bytes(data[i + 36:i + 40], "little") | flag
    data[i + 36:i + 40] = flags.to_bytes(4, "little")
    return bytes(data)


def build(raw: Path, hwp_sample: Path | None = None, heavy: bool = True) -> dict[str, str | None]:
    """Write the hostile files (and three good releases) into `raw`; return name -> expected error_type."""
    raw = Path(raw)
    raw.mkdir(parents=True, exist_ok=True)
    out: dict[str, str | None] = {}

    def put(name: str, data: bytes, expect: str | None) -> None:
        (raw / name).write_bytes(data)
        out[name] = expect

    put("good-1.txt", GOOD.encode(), None)
    put("good-2.txt", GOOD.replace("1,200개사", "1,300개사").encode("cp949"), None)
    put("good-3.md", ("# 안전점검 결과 발표\n\n□ 행정안전부는 시설 2,400곳을 점검했다.\n").encode(), None)
    odd = os.fsencode(raw) + b"/\xff\xfe-odd.txt"
    with open(odd, "wb") as f:
        f.write(GOOD.replace("300억원", "310억원").encode())
    out["\\xff\\xfe-odd.txt"] = None
    put("new\nline.txt", GOOD.replace("300억원", "320억원").encode(), None)
    put("<img src=x onerror=alert(1)>.txt", GOOD.replace("300억원", "330억원").encode(), None)
    put("n" * 240 + ".txt", GOOD.replace("300억원", "340억원").encode(), None)

    for name, target in (("passwd.txt", "/etc/passwd"), ("environ.txt", "/proc/self/environ"),
                         ("zero.pdf", "/dev/zero")):
        os.symlink(target, raw / name)
        out[name] = "outside_raw"
    os.symlink("/", raw / "root-dir")
    out["root-dir"] = "outside_raw"
    os.symlink("loop-b.txt", raw / "loop-a.txt")
    os.symlink("loop-a.txt", raw / "loop-b.txt")
    out["loop-a.txt"] = out["loop-b.txt"] = "broken_link"
    os.symlink("nowhere.txt", raw / "dangling.txt")
    out["dangling.txt"] = "broken_link"
    os.mkfifo(raw / "fifo.txt")                     # never opened: not a regular file

    put("empty.txt", b"", "empty")
    put("empty.pdf", b"", "empty")
    put("blank.txt", b" \n\t\n", "empty")
    noise = bytes((i * 7919 + 13) % 256 for i in range(4096))
    put("noise.pdf", noise, "not_a_document")
    put("noise.hwpx", noise, "not_a_document")
    put("noise.hwp", noise, "not_a_document")
    put("noise.txt", bytes(range(128, 256)) * 8, "undecodable")
    put("nul.md", b"\x00\x01\x02" * 500, "undecodable")
    put("latin.txt", "just some english words, no korean".encode("utf-16"), "undecodable")
    put("image.pdf", b"\x89PNG\r\n\x1a\n" + noise, "image_file")
    put("photo.hwpx", b"\xff\xd8\xff\xe0" + noise, "image_file")
    put("login.pdf", b"<!DOCTYPE html><html><body>Session expired</body></html>", "html_page")
    put("text.pdf", "보도자료 본문이 PDF라는 이름으로 왔다".encode(), "not_a_document")
    put("truncated.pdf", b"%PDF-1.4\n1 0 obj\n<<", "pdf_broken")
    put("rc4.pdf", _encrypted_pdf(1), "pdf_encrypted")
    put("aes.pdf", _encrypted_pdf(4), "pdf_encrypted")
    put("no-text.pdf", _pdf_with_stream(b"0 0 m 100 100 l S", compressed=False), "no_text_layer")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "not a document")
    put("other.hwpx", buf.getvalue(), "unsupported_zip")
    put("bomb.hwpx", _hwpx(_section("<hp:p><hp:run><hp:t>" + "가" * (6 << 20) + "</hp:t></hp:run></hp:p>")),
        "hwpx_unsafe")                              # 18 MB of XML from a few kB: a zip bomb's ratio
    put("huge-section.hwpx", _hwpx(_section("<hp:p><hp:run><hp:t>" + "가" * (30 << 20) + "</hp:t></hp:run></hp:p>")),
        "too_large")                                # a 90 MB section is refused before it is parsed
    put("escape.hwpx", _hwpx(_section(""), {"../../evil.xml": b"x"}), "hwpx_unsafe")
    put("laughs.hwpx", _hwpx(b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
                             b'<hs:sec xmlns:hs="urn:s">&b;</hs:sec>'), "hwpx_unsafe")
    put("malformed.hwpx", _hwpx(b"<hs:sec><unclosed>"), "hwpx_broken")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", MIMETYPE)
        zf.writestr("Contents/header.xml", "<h/>")
    put("no-section.hwpx", buf.getvalue(), "hwpx_broken")
    put("deep.hwpx", _nested_hwpx(5000), None)
    put("long-line.txt", ("보도자료 " + "수출 실적이 늘었다 " * 60000).encode(), None)
    if heavy:
        put("huge.txt", b"a" * (60 << 20), "too_large")
        put("flate-bomb.pdf", _flate_bomb(1536 << 20), "too_large")
    if hwp_sample is not None and hwp_sample.exists():
        real = hwp_sample.read_bytes()
        put("locked.hwp", _patched_hwp(real, 2), "hwp_encrypted")
        put("distribution.hwp", _patched_hwp(real, 4), "hwp_distribution_locked")
        put("truncated.hwp", real[:1536], "hwp_broken")
    (raw / "dir.pdf").mkdir()                      # a directory with a release suffix: skipped
    return out


if __name__ == "__main__":
    for name, expect in build(Path(sys.argv[1])).items():
        print(f"{name!r:50} {expect}")
