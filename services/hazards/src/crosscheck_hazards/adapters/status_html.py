"""The public status page as HTML: small, for a phone, self-contained; in the page's
language (Chinese by default), with a link to the other one."""

from __future__ import annotations

from html import escape

from crosscheck_hazards.app.status_page import StatusPage

# The page's own words, (Chinese, English).
_WORDS: dict[str, tuple[str, str]] = {
    "title": ("隐患整改进度", "Rectification progress"),
    "inspected_on": ("检查日期 {date}", "inspected on {date}"),
    "number": ("序号", "No."),
    "hazard": ("隐患", "Hazard"),
    "state": ("状态", "State"),
    "deadline": ("整改期限", "Deadline"),
    "last_step": ("最近办理", "Last step"),
    "as_of": (
        "截至 {date}。整改完成后由检查组现场复核销号。",
        "As of {date}. Once fixed, the inspection group re-checks on site and closes the hazard.",
    ),
    "other_language": ("English", "中文"),
}

_STYLE = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 1em auto; max-width: 40em; padding: 0 1em; color: #111; }
h1 { font-size: 1.3em; margin-bottom: 0.2em; } .reference { color: #555; margin-top: 0; }
table { width: 100%; border-collapse: collapse; } th, td { border-bottom: 1px solid #ccc;
        padding: 0.4em 0.3em; text-align: left; vertical-align: top; }
.verified { color: #0a6b2d; font-weight: bold; } .note { color: #555; font-size: 0.85em; }
"""


def render_status(page: StatusPage) -> str:
    e = escape
    en = 1 if page.lang == "en" else 0

    def w(key: str, **params: str) -> str:
        return e(_WORDS[key][en].format(**params))

    title = w("title")
    township = f"{e(page.township)} " if en and page.township else e(page.township)
    other = f'<a href="?lang={"zh" if en else "en"}" hreflang="{"zh-CN" if en else "en"}">'
    rows = "\n".join(
        f"<tr><td>{line.number}</td><td>{e(line.hazard)}<br>"
        f'<span class="note">{e(line.category)} · {e(line.severity)}</span></td>'
        f'<td class="{e(line.status.value)}">{e(line.state)}</td>'
        f"<td>{e(line.deadline)}</td><td>{e(line.last_step_on)}</td></tr>"
        for line in page.lines
    )
    return f"""<!DOCTYPE html>
<html lang="{"en" if en else "zh-CN"}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{title} {e(page.reference)}</title>
<style>{_STYLE}</style></head>
<body>
<p class="note">{other}{w("other_language")}</a></p>
<h1>{township}{title}</h1>
<p class="reference">{e(page.reference)} · {w("inspected_on", date=page.inspected_on)}</p>
<table>
<thead><tr><th>{w("number")}</th><th>{w("hazard")}</th><th>{w("state")}</th>
<th>{w("deadline")}</th><th>{w("last_step")}</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<p class="note">{w("as_of", date=page.as_of)}</p>
</body>
</html>
"""
