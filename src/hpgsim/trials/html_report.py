"""The validation report as one self-contained HTML page.

Same content as the Markdown report (:func:`hpgsim.trials.validation.markdown`), built from the
same rows, with every figure embedded as a base64 PNG and a few lines of CSS, so the file can
be opened, mailed or archived alone: it loads nothing from the network.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from ..results import DISCLAIMER
from .failure_causes import failure_causes_section

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1200px;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1, h2, h3 { line-height: 1.2; }
.disclaimer { font-style: italic; color: #555; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; white-space: nowrap; }
tr.fail td.verdict { color: #c62828; font-weight: bold; }
tr.pass td.verdict { color: #1a7f37; }
.unexplained { color: #8a6d00; font-style: italic; }
figure { margin: 1em 0; }
figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.85em; color: #555; }
.courses { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 1em; }
code { background: #f4f4f4; padding: 0 0.2em; }
"""


def _inline(text: str) -> str:
    """Escape ``text`` and turn the Markdown we write (`code`, **bold**, _italic_) into HTML."""
    out = html.escape(text, quote=False)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)
    return re.sub(r"(?<![\w/])_([^_]+)_(?![\w/])", r"<em>\1</em>", out)


def _image(base: Path, file: str, alt: str) -> str:
    data = base64.b64encode((base / file).read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def render(run, figures, base: Path, command: str | None = None) -> str:
    """The page; ``figures`` are :class:`~hpgsim.trials.validation.ReportFigure` with files
    relative to ``base`` (read and embedded here)."""
    from .validation import INTRO, REASON_NONE, _pass_rate_text, generation_note, study_title

    rates = run.pass_rates()
    rows = run.rows()
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             "<title>hpgsim validation report</title>", f"<style>{CSS}</style>", "</head>", "<body>",
             "<h1>Validation report</h1>",
             f'<p class="disclaimer">{html.escape(DISCLAIMER)}.</p>',
             f"<p>{_inline(generation_note(run, command))}</p>",
             f"<p>{_inline(INTRO)}</p>",
             "<table><thead><tr><th>set</th><th>endpoints passed</th><th>compared</th><th>pass rate</th>"
             "<th>failures with a believed cause</th></tr></thead><tbody>"]
    for which, (ok, n) in rates.items():
        failed = [r for r in rows if r.set == which and r.verdict == "fail"]
        explained = sum(r.reason_source != REASON_NONE for r in failed)
        parts.append(f'<tr><td>{which}</td><td class="num">{ok}</td><td class="num">{n}</td>'
                     f'<td class="num">{_pass_rate_text(ok, n)}</td><td class="num">{explained} of {len(failed)}</td></tr>')
    parts.append("</tbody></table>")
    if run.seed_checks:
        from .validation import seed_check_section
        text, head, table = seed_check_section(run)
        parts += [f"<p>{_inline(text)}</p>", "<table><thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head)
                  + "</tr></thead><tbody>"]
        parts += ["<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in table]
        parts.append("</tbody></table>")
    for f in figures:
        if not f.set and not f.study:
            parts.append(f"<figure>{_image(base, f.file, 'forest plot')}<figcaption>{_inline(f.caption)}</figcaption></figure>")
    if any(r.verdict == "fail" for r in rows):
        text, head, table = failure_causes_section(rows, run.sets)
        parts += ['<h2 id="causes">Where the model disagrees, by cause</h2>', f"<p>{_inline(text)}</p>",
                  "<table><thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr></thead><tbody>"]
        parts += ["<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in table]
        parts.append("</tbody></table>")
    for which in run.sets:
        sub = [r for r in rows if r.set == which]
        if not sub:
            continue
        ok, n = rates[which]
        parts += [f'<h2 id="{which}">{which.capitalize()} set</h2>',
                  f"<p>{ok} of {n} compared endpoints pass ({_pass_rate_text(ok, n)}).</p>",
                  "<table><thead><tr><th>study</th><th>arm</th><th>measure</th><th>endpoint</th>"
                  "<th>observed [interval]</th><th>simulated</th><th>verdict</th><th>reason</th></tr></thead><tbody>"]
        for r in sub:
            css = {"pass": "pass", "fail": "fail"}.get(r.verdict, "")
            reason = html.escape(r.reason)
            if r.reason_source == REASON_NONE:
                reason += ' <span class="unexplained">(no cause identified yet)</span>'
            parts.append(f'<tr class="{css}"><td>{html.escape(r.study)}</td><td>{html.escape(r.arm)}</td>'
                         f"<td>{html.escape(r.measure)}</td><td>{html.escape(r.endpoint)}</td>"
                         f'<td class="num">{html.escape(r.observed)}</td><td class="num">{html.escape(r.simulated)}</td>'
                         f'<td class="verdict">{r.verdict}</td><td>{reason}</td></tr>')
        parts.append("</tbody></table>")
        if which == "calibration" and run.experiments:
            from .validation import EXPERIMENTS_COLUMNS, EXPERIMENTS_TITLE, experiments_section
            text, exp_rows = experiments_section(run.experiments)
            parts += [f"<h3>{html.escape(EXPERIMENTS_TITLE)}</h3>", f"<p>{_inline(text)}</p>",
                      "<table><thead><tr>" + "".join(f"<th>{c}</th>" for c in EXPERIMENTS_COLUMNS)
                      + "</tr></thead><tbody>"]
            for cells, passed in exp_rows:
                parts.append(f'<tr class="{"pass" if passed else "fail"}">'
                             + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
            parts.append("</tbody></table>")
        courses = [f for f in figures if f.set == which and f.study]
        if courses:
            parts += [f"<h3>Time courses, {which} set</h3>",
                      "<p>Simulated mean and 5-95 % band of the virtual men per arm; published means (or medians) "
                      "with their SD at week 0 and at the endpoint week.</p>"]
            for study in dict.fromkeys(f.study for f in courses):
                parts += [f'<h4 id="{html.escape(study)}">{html.escape(study)}</h4>',
                          f"<p>{html.escape(study_title(run, study))}</p>", '<div class="courses">']
                parts += [f"<figure>{_image(base, f.file, f.caption)}<figcaption>{html.escape(f.caption)}"
                          "</figcaption></figure>" for f in courses if f.study == study]
                parts.append("</div>")
    parts += ["<p>Studies that could not be written as trial specs, and why: "
              "<code>src/hpgsim/evidence/trials/INDEX.md</code>.</p>", "</body>", "</html>", ""]
    return "\n".join(parts)
