"""The public status page as HTML: small, for a phone, self-contained."""

from __future__ import annotations

from html import escape

from crosscheck_hazards.app.status_page import StatusPage

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
    rows = "\n".join(
        f"<tr><td>{line.number}</td><td>{e(line.hazard)}<br>"
        f'<span class="note">{e(line.category)} · {e(line.severity)}</span></td>'
        f'<td class="{e(line.status.value)}">{e(line.state)}</td>'
        f"<td>{e(line.deadline)}</td><td>{e(line.last_step_on)}</td></tr>"
        for line in page.lines
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{e(page.title)} {e(page.reference)}</title>
<style>{_STYLE}</style></head>
<body>
<h1>{e(page.township)}{e(page.title)}</h1>
<p class="reference">{e(page.reference)} · 检查日期 {e(page.inspected_on)}</p>
<table>
<thead><tr><th>序号</th><th>隐患</th><th>状态</th><th>整改期限</th><th>最近办理</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<p class="note">截至 {e(page.as_of)}。整改完成后由检查组现场复核销号。</p>
</body>
</html>
"""
