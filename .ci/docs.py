"""Everything of the docs build up to Quarto, done the way `nbdev_docs` / `nbdev_preview` do it: nbdev writes
`nbs/nbdev.yml`, then every file of `nbs/` (with `nbs/_quarto.yml`, the one Quarto config) goes into `_proc/`,
notebooks through nbdev's documentation processors (this executes every `show_doc` cell). Then the checks,
each for something that would render wrong or not at all:
- an error output, a `show_doc` cell that rendered nothing, a cell with several `show_doc` calls (only the
  last renders);
- an image output with width/height metadata (Quarto writes a fixed-size image: cut off on narrow pages);
- a Markdown link inside a `show_doc` signature (a docments comment with a backticked name: the signature
  block is code, so the reader sees the literal [`name`](https://...));
- a link into the site to a page or anchor that does not exist (a backticked private helper with no
  `show_doc`);
- a page the sidebar or navbar names that does not exist, two sidebar entries showing the same title, a module
  missing from the navbar's API menu;
- an ```{ojs} cell that did not reach `_proc/` as it is in the notebook.
The publish workflow then runs `nbdev_docs` (the same `_proc/`, then `quarto render`).

Usage: python .ci/docs.py [NOTEBOOK ...]   (notebooks: process and check only those, relative to nbs/)
"""
import re, shutil, sys, yaml
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from nbdev.config import get_config
from nbdev.doclinks import nbglob, _nbpath2html
from nbdev.processors import FilterDefaults
from nbdev.quarto import refresh_quarto_yml
from nbdev.serve import _proc_file

def _src(c): return ''.join(c.source) if isinstance(c.source, list) else c.source
def _text(x): return ''.join(x) if isinstance(x, list) else x
def _where(c): return repr(_src(c).strip().splitlines()[0][:60]) if _src(c).strip() else '(empty cell)'

def source_problems(nb, name):
    "Problems visible in the notebook as stored (before processing)."
    problems = []
    for c in nb.cells:
        if c.cell_type != 'code': continue
        for o in c.get('outputs', []):
            if o.get('output_type') == 'error':
                problems.append(f"{name}: error output {o.get('ename')}: {o.get('evalue')}")
            for mime, md in (o.get('metadata') or {}).items():
                if mime.startswith('image/') and isinstance(md, dict) and ({'width', 'height'} & set(md)):
                    size = f"{md.get('width')}x{md.get('height')}"
                    problems.append(f"{name}: {mime} output with fixed size {size} (Quarto writes a "
                                    "fixed-size image, cut off on narrow pages; display figures as plain "
                                    "PNG) "
                                    f"in cell {_where(c)}")
        if (n := len(re.findall(r'\bshow_doc\(', _src(c)))) > 1:
            problems.append(f"{name}: a cell calls show_doc {n} times, so only the last renders; "
                            f"give each its own cell: {_where(c)}")
    return problems

_re_sig = re.compile(r'^```python\n(.*?)^```', re.S | re.M)
_re_link = re.compile(r'\[[^\]\n]*\]\([^)\s]+\)')
_re_ojs = re.compile(r'^```\{ojs\}.*?^```', re.S | re.M)

def processed_problems(nb, name):
    "Problems in the processed notebook: empty show_docs, Markdown links inside signatures."
    problems = []
    for c in nb.cells:
        if c.cell_type != 'code': continue
        if 'show_doc(' in _src(c) and not c.get('outputs'):
            problems.append(f"{name}: show_doc cell rendered nothing: {_where(c)}")
        for o in c.get('outputs', []):
            for sig in _re_sig.findall(_text(o.get('data', {}).get('text/markdown', ''))):
                for line in sig.splitlines():
                    for m in _re_link.findall(line):
                        problems.append(f"{name}: Markdown inside a show_doc signature, shown literally: "
                                        f"{m[:70]} "
                                        f"(docments comment {line.strip()[:60]!r}: drop the backticks)")
    return problems

def anchor(heading):
    "The id pandoc (and Quarto) gives a heading: lower case, punctuation but `_-.` dropped, spaces to '-'."
    if m := re.search(r'\{#([^}\s]+)[^}]*\}\s*$', heading): return m.group(1)
    h = re.sub(r'[^\w\s.-]', '', heading.strip().lower()).replace(' ', '-')
    return re.sub(r'^[^a-z]+', '', h)

def page_text(nb):
    "Markdown of a processed notebook as Quarto sees it: markdown cells and markdown outputs."
    parts = [_src(c) for c in nb.cells if c.cell_type == 'markdown']
    outs = [o for c in nb.cells for o in c.get('outputs', [])]
    parts += [_text(o.data['text/markdown']) for o in outs if 'text/markdown' in o.get('data', {})]
    return '\n'.join(parts)

def link_problems(pages, base):
    "Links to `base` (the site) whose page or `#anchor` does not exist. `pages`: {html path: (name, text)}."
    anchors = {p: {anchor(h) for h in re.findall(r'^#{1,6} +(.+)$', t, re.M)} for p, (_, t) in pages.items()}
    problems = []
    for p, (name, t) in pages.items():
        for m in re.finditer(re.escape(base) + r'([^)#\s]*)(?:#([^)\s]+))?', t):
            page, a = m.group(1) or 'index.html', m.group(2)
            if page not in anchors:
                problems.append(f"{name}: link to a page the site does not have: {m.group(0)}")
            elif a and a not in anchors[page]:
                problems.append(f"{name}: link to an anchor {page} does not have (no show_doc of {a}): "
                                f"{m.group(0)}")
    return problems

def _entries(tree, section=''):
    "(section, text or None, page) for every page entry of a sidebar/navbar tree."
    if isinstance(tree, str): yield section, None, tree
    elif isinstance(tree, list):
        for o in tree: yield from _entries(o, section)
    elif isinstance(tree, dict):
        if 'href' in tree: yield section, tree.get('text'), tree['href']
        for k in ('contents', 'menu', 'left'):
            if k in tree: yield from _entries(tree[k], tree.get('section', tree.get('text', section)))

def _title(nb):
    "The page title nbdev's front matter gives a processed notebook."
    for c in nb.cells:
        if c.cell_type == 'raw' and _src(c).startswith('---'):
            return (yaml.safe_load(_src(c).strip().strip('-')) or {}).get('title')

def sidebar_problems(side, quarto, nbs, titles):
    "Sidebar and navbar: pages that exist, no two sidebar entries alike, every module in the API menu."
    problems, shown = [], {}
    for sec, text, page in _entries(side['website']['sidebar']['contents']):
        if page.endswith(('.ipynb', '.qmd', '.md')) and not (nbs/page).exists():
            problems.append(f"sidebar.yml names a missing page: {page}")
        label = text or titles.get(page, page)
        if label in shown:
            problems.append(f"sidebar.yml shows {label!r} twice: {shown[label]} and {sec}/{page} "
                            "(give one its own text, or list the page once)")
        shown[label] = f"{sec}/{page}"
    navbar = list(_entries(quarto['website']['navbar']['left']))
    for sec, text, page in navbar:
        if page.endswith(('.ipynb', '.qmd', '.md')) and not (nbs/page).exists():
            problems.append(f"_quarto.yml's navbar names a missing page: {page}")
    api = {page for sec, _, page in navbar if sec == 'API'}
    if missing := sorted({p.name for p in nbs.glob('[0-9]*.ipynb')} - api):
        problems.append(f"_quarto.yml's navbar API menu lacks: {', '.join(missing)}")
    return problems

def main(only=()):
    cfg = get_config()
    root, nbs, out = cfg.config_path, cfg.nbs_path, cfg.config_path/'_proc'
    refresh_quarto_yml()             # nbdev.yml, as nbdev_docs writes it; keeps nbs/_quarto.yml
    if out.exists(): shutil.rmtree(out)
    files = nbglob(nbs, func=Path, file_glob='', file_re='') + [nbs/'_quarto.yml']
    problems, pages, titles, n = [], {}, {}, 0
    for f in files:
        if only and f.suffix == '.ipynb' and f.relative_to(nbs).as_posix() not in only: continue
        job = _proc_file(f, out, nbs)    # nbdev's own: copies other files, returns notebooks to process
        if not job: continue
        src, dst, _ = job
        name = src.relative_to(nbs).as_posix()
        nb = read_nb(src)
        problems += source_problems(nb, name)
        ojs = _re_ojs.findall('\n'.join(_src(c) for c in nb.cells if c.cell_type == 'markdown'))
        try: FilterDefaults()(nb)
        except Exception as e:
            problems.append(f"{name}: nbdev's doc processing failed: {str(e).splitlines()[0]} "
                            "(a cell with an import runs in the docs build: "
                            "keep imports in import-only cells)")
            continue
        write_nb(nb, dst)
        n += 1
        problems += processed_problems(nb, name)
        text = page_text(nb)
        if lost := [o for o in ojs if o not in text]:
            problems.append(f"{name}: {len(lost)} ojs cell(s) changed by processing: {lost[0][:60]!r}")
        pages[_nbpath2html(Path(name)).as_posix()] = (name, text)
        titles[name] = _title(nb)
    out.touch()                      # nbdev_docs / nbdev_preview reuse this _proc/ (newer than its sources)
    problems += link_problems(pages, f"{cfg.doc_host}{cfg.doc_baseurl}/") if not only else []
    if not only:
        side, quarto = (yaml.safe_load((nbs/f).read_text()) for f in ('sidebar.yml', '_quarto.yml'))
        problems += sidebar_problems(side, quarto, nbs, titles)
    if problems: sys.exit(f"docs processing problems ({len(problems)}):\n  " + "\n  ".join(problems))
    print(f"processed {n} notebooks into {out.relative_to(root)}/ (every show_doc rendered, "
          "no fixed-size images, no Markdown in signatures"
          f"{'' if only else ', every site link lands, sidebar titles unique'}); "
          "`nbdev_docs` renders the site")

if __name__ == '__main__': main(sys.argv[1:])
