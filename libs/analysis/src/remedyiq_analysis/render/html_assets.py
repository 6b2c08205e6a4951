"""The inline stylesheet and script of the HTML report (no network, no library)."""

from __future__ import annotations

CSS = """
:root{color-scheme:light dark;--bg:#f6f7f9;--fg:#1d2430;--mut:#5b6675;--card:#fff;--line:#dde2e8;
--head:#eef1f5;--acc:#2563eb;--bad:#c2410c;--s0:#2563eb;--s1:#059669;--s2:#d97706;--s3:#7c3aed;
--s4:#db2777;--s5:#0891b2;--grid:#e5e8ec}
@media (prefers-color-scheme:dark){:root{--bg:#11151b;--fg:#e3e8ef;--mut:#9aa5b4;--card:#19202a;
--line:#2c3542;--head:#1f2833;--acc:#60a5fa;--bad:#fb923c;--s0:#60a5fa;--s1:#34d399;--s2:#fbbf24;
--s3:#a78bfa;--s4:#f472b6;--s5:#22d3ee;--grid:#27303b}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,
"Segoe UI",Roboto,sans-serif}
header{padding:20px 28px 8px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:19px;margin:30px 0 10px;padding-top:8px;border-top:1px solid var(--line)}
h3{font-size:15px;margin:22px 0 6px}
.sub,.note{color:var(--mut)}
.note{font-size:12.5px;margin:2px 0 8px}
.layout{display:grid;grid-template-columns:220px minmax(0,1fr);gap:8px 24px;padding:0 28px 40px}
nav{position:sticky;top:0;align-self:start;max-height:100vh;overflow:auto;padding:12px 0;
font-size:13px}
nav a{display:block;color:var(--fg);text-decoration:none;padding:2px 8px;border-radius:4px}
nav a:hover{background:var(--head)}
nav a.l2{padding-left:20px;color:var(--mut)}
main{min-width:0}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(165px,1fr));gap:10px;
margin:8px 0 4px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.card b{display:block;font-size:21px;font-variant-numeric:tabular-nums}
.card span{color:var(--mut);font-size:12px}
.card.bad b{color:var(--bad)}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(430px,100%),1fr));
gap:12px}
figure{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;
padding:10px}
figcaption{font-weight:600;margin-bottom:4px}
svg{width:100%;height:auto;display:block}
svg text{fill:var(--mut);font-size:11px}
svg .ax{stroke:var(--grid)}
svg .c0{stroke:var(--s0);fill:var(--s0)}svg .c1{stroke:var(--s1);fill:var(--s1)}
svg .c2{stroke:var(--s2);fill:var(--s2)}svg .c3{stroke:var(--s3);fill:var(--s3)}
svg .c4{stroke:var(--s4);fill:var(--s4)}svg .c5{stroke:var(--s5);fill:var(--s5)}
svg polyline[class]{fill:none;stroke-width:2}
.legend{display:flex;gap:12px;flex-wrap:wrap;font-size:12px;color:var(--mut)}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px}
.tw{overflow-x:auto;background:var(--card);border:1px solid var(--line);border-radius:8px}
table{border-collapse:collapse;width:100%;font-size:12.5px;font-variant-numeric:tabular-nums}
th,td{padding:3px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top;
white-space:nowrap}
td.w{white-space:normal;min-width:280px;max-width:900px;word-break:break-word}
th{background:var(--head);position:sticky;top:0;cursor:pointer;user-select:none}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
tr.g td{border-top:2px solid var(--line)}
tfoot td{font-weight:600;background:var(--head)}
table.c tr.h{display:none}
button.more{margin:6px 0 0;background:none;border:1px solid var(--line);color:var(--acc);
border-radius:6px;padding:3px 10px;cursor:pointer}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}
dl.kv dt{color:var(--mut)}dl.kv dd{margin:0;font-variant-numeric:tabular-nums}
.empty{color:var(--mut);font-style:italic}
@media (max-width:900px){.layout{grid-template-columns:1fr}nav{position:sticky;top:0;
z-index:2;background:var(--bg);max-height:none;display:flex;flex-wrap:wrap;gap:2px;
border-bottom:1px solid var(--line)}nav a.l2{display:none}}
@media print{nav,button.more{display:none}.layout{display:block}table.c tr.h{display:table-row}}
"""

# Sorting reads the printed cells: durations (1:02:03.456), numbers, percentages; empty cells
# sort first; text compares naturally. Tables longer than the fold keep their first rows visible.
JS = """
(function(){
var FOLD=20;
function val(t){t=t.trim();if(t==="")return[0,-Infinity];
var m=/^(-?)([\\d:]*\\d)(\\.\\d+)?%?$/.exec(t);if(m){var s=0;m[2].split(":").forEach(function(p){
s=s*60+Number(p)});s+=m[3]?Number(m[3]):0;return[0,m[1]?-s:s]}return[1,t]}
function fold(tb,folded){Array.prototype.forEach.call(tb.rows,function(r,i){
r.classList.toggle("h",i>=FOLD)});}
document.querySelectorAll("table.s").forEach(function(tab){
var tb=tab.tBodies[0];if(!tb)return;
var btn=tab.parentNode.nextElementSibling;
if(btn&&btn.classList.contains("more")){btn.addEventListener("click",function(){
var c=tab.classList.toggle("c");btn.textContent=c?btn.dataset.more:"Show fewer rows";});}
Array.prototype.forEach.call(tab.tHead.rows[0].cells,function(th,col){
th.addEventListener("click",function(){
var dir=th.getAttribute("aria-sort")==="descending"?"ascending":"descending";
Array.prototype.forEach.call(th.parentNode.cells,function(o){o.removeAttribute("aria-sort")});
th.setAttribute("aria-sort",dir);var k=dir==="ascending"?1:-1;
var rows=Array.prototype.slice.call(tb.rows);
rows.sort(function(a,b){var x=val(a.cells[col]?a.cells[col].textContent:""),
y=val(b.cells[col]?b.cells[col].textContent:"");
if(x[0]!==y[0])return (x[0]-y[0])*k;
if(x[0]===0)return (x[1]-y[1])*k;return x[1].localeCompare(y[1],undefined,{numeric:true})*k;});
rows.forEach(function(r){r.classList.remove("g");tb.appendChild(r)});fold(tb);});});});
})();
"""
