"""The disclosure document: one customer's chat transcripts and ticket data, printable.

For a 開示 request the policy promises a written answer (書面の交付その他の方法). Staff open
the document from the ticket: an HTML page to print, or a PDF made from the same page by
Debian's chromium (headless ``--print-to-pdf``, Japanese fonts from fonts-noto-cjk). The PDF
is built from a temporary file in a private directory that is removed at once, so the
customer's data is not left on disk.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PDF_TIMEOUT_S = 60
STYLESHEET = Path(__file__).resolve().parent / "static" / "disclosure.css"


class PdfUnavailable(RuntimeError):
    """chromium is missing or failed; the printable HTML still works."""


async def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML page (styles inline, no external requests)."""
    if not Path(CHROMIUM).exists():
        raise PdfUnavailable("chromium is not installed (make browser)")
    workdir = Path(tempfile.mkdtemp(prefix="disclosure-"))
    try:
        page, pdf = workdir / "document.html", workdir / "document.pdf"
        page.write_text(html, encoding="utf-8")
        process = await asyncio.create_subprocess_exec(
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--no-pdf-header-footer",
            f"--user-data-dir={workdir / 'profile'}", f"--print-to-pdf={pdf}", page.as_uri(),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            await asyncio.wait_for(process.wait(), PDF_TIMEOUT_S)
        except asyncio.TimeoutError:
            process.kill()
            raise PdfUnavailable("chromium did not finish the PDF in time") from None
        if process.returncode != 0 or not pdf.exists():
            raise PdfUnavailable(f"chromium exited with {process.returncode}")
        return pdf.read_bytes()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def inline_stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8")
