"""The rectification notice as a printable HTML page (A4, print styles included)."""

from __future__ import annotations

from html import escape

from crosscheck_hazards.adapters.qr import qr_svg
from crosscheck_hazards.app.notice import Notice, NoticeLine

_STYLE = """
@page { size: A4; margin: 18mm 15mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimSun",
       sans-serif; font-size: 11pt; color: #000; max-width: 190mm; margin: 0 auto; }
h1 { text-align: center; font-size: 20pt; letter-spacing: 0.3em; margin: 0.4em 0 0.2em; }
.reference { text-align: center; margin-bottom: 1em; }
dl { display: grid; grid-template-columns: 7em 1fr; gap: 0.2em 0.5em; }
dt { font-weight: bold; } dd { margin: 0; }
table { width: 100%; border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #000; padding: 4px 6px; vertical-align: top; }
th { background: #eee; }
.major { font-weight: bold; }
.signatures { display: grid; grid-template-columns: repeat(3, 1fr); gap: 1em; margin-top: 2.5em; }
.signatures div { border-top: 1px solid #000; padding-top: 0.3em; min-height: 3em; }
.issuer { text-align: right; margin-top: 2em; }
.seal { display: inline-block; width: 42mm; height: 42mm; border: 1px dashed #999;
        border-radius: 50%; color: #999; text-align: center; line-height: 42mm;
        font-size: 9pt; margin: 0.5em 0 0.5em auto; }
.status { display: flex; gap: 1em; align-items: center; margin-top: 1em; font-size: 9pt; }
.status svg { width: 28mm; height: 28mm; }
.cut { text-align: center; margin: 2.5em 0 1em; color: #555; font-size: 9pt; }
.receipt h2 { text-align: center; letter-spacing: 0.5em; font-size: 14pt; }
.basis { font-size: 9pt; }
@media print { .no-print { display: none; } }
"""


def _row(line: NoticeLine) -> str:
    e = escape
    recurrence = "(复发)" if line.recurrence else ""
    severity_class = ' class="major"' if line.severity == "重大隐患" else ""
    cells = [
        f"<td>{line.number}</td>",
        f"<td>{e(line.description)}{recurrence}</td>",
        f"<td>{e(line.category)}</td>",
        f"<td{severity_class}>{e(line.severity)}</td>",
        f"<td>{e(line.action)}</td>",
        f'<td class="basis">{e(line.basis)}</td>',
        f"<td>{e(line.deadline)}</td>",
        f"<td>{e(line.responsible)}</td>",
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def render_html(notice: Notice) -> str:
    e = escape
    rows = "\n".join(_row(line) for line in notice.lines)
    signatures = "".join(f"<div>{e(s)}:</div>" for s in notice.signatures)
    receipt_signatures = "".join(f"<div>{e(s)}:</div>" for s in notice.receipt_signatures)
    receipt = "<br>".join(e(part) for part in notice.receipt.split("\n"))
    major = f'<p class="major">{e(notice.major_note)}</p>' if notice.has_major else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{e(notice.title)} {e(notice.reference)}</title>
<style>{_STYLE}</style></head>
<body>
<h1>{e(notice.title)}</h1>
<p class="reference">{e(notice.reference)}</p>
<dl>
<dt>受检场所</dt><dd>{e(notice.site_name)}</dd>
<dt>地址</dt><dd>{e(notice.site_address)}</dd>
<dt>场所负责人</dt><dd>{e(notice.site_responsible)}</dd>
<dt>所属村委会</dt><dd>{e(notice.village)}</dd>
<dt>检查组</dt><dd>{e(notice.group)}</dd>
<dt>检查人员</dt><dd>{e("、".join(notice.inspectors))}</dd>
<dt>检查时间</dt><dd>{e(notice.inspected_at)}</dd>
</dl>
<p>{e(notice.intro)}</p>
<table>
<thead><tr><th>序号</th><th>隐患描述</th><th>类别</th><th>等级</th><th>整改要求</th>
<th>依据</th><th>整改期限</th><th>整改责任人</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
{major}
<section class="signatures">{signatures}</section>
<p class="issuer">{e(notice.township)}安全生产循环互查检查组<br>{e(notice.issued_on)}<br>
<span class="seal">{e(notice.seal)}</span></p>
<div class="status">{qr_svg(notice.status_url)}<p>{e(notice.status_note)}<br>
<a href="{e(notice.status_url)}">{e(notice.status_url)}</a></p></div>
<p class="cut">{e(notice.cut_line)}</p>
<section class="receipt">
<h2>{e(notice.receipt_title)}</h2>
<p class="reference">{e(notice.reference)}</p>
<p>{receipt}</p>
<section class="signatures">{receipt_signatures}</section>
</section>
</body>
</html>
"""
