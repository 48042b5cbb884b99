"""Everything of the docs build up to Quarto: process every notebook with nbdev's documentation processors into
`_proc/` (this executes every `show_doc` cell), copy `_quarto.yml` and the sidebar beside them, and fail on any
error, on a `show_doc` cell that rendered nothing, on a cell with more than one `show_doc` call (a cell renders only its
last one), or on a sidebar entry that names a missing page.
The publish workflow then runs `quarto render _proc`.

Usage: python .ci/docs.py
"""
import re, shutil, sys, yaml
from pathlib import Path
from execnb.nbio import read_nb
from nbdev.config import get_config
from nbdev.processors import FilterDefaults

def _src(c): return ''.join(c.source) if isinstance(c.source, list) else c.source

def process(src, dst):
    "Process one notebook into `dst`; return a list of problems found."
    nb = read_nb(src)
    FilterDefaults()(nb)
    problems = []
    for c in nb.cells:
        if c.cell_type != 'code': continue
        for o in c.get('outputs', []):
            if o.get('output_type') == 'error': problems.append(f"{src.name}: error output {o.get('ename')}: {o.get('evalue')}")
        if 'show_doc(' in _src(c) and not c.get('outputs'): problems.append(f"{src.name}: show_doc cell rendered nothing: {_src(c)[:60]!r}")
        if (n := len(re.findall(r'\bshow_doc\(', _src(c)))) > 1:
            problems.append(f"{src.name}: a cell calls show_doc {n} times, so only the last renders; give each its own cell: {_src(c)[:60]!r}")
    from execnb.nbio import write_nb
    dst.parent.mkdir(parents=True, exist_ok=True)
    write_nb(nb, dst)
    return problems

def _pages(tree):
    "Every page named in a sidebar `contents` tree."
    if isinstance(tree, str): yield tree
    elif isinstance(tree, list):
        for o in tree: yield from _pages(o)
    elif isinstance(tree, dict):
        for k in ('href', 'contents', 'menu', 'left', 'text'):
            if k in tree and (k != 'text' or str(tree[k]).endswith('.ipynb')): yield from _pages(tree[k])

def main():
    cfg = get_config()
    root, nbs, out = cfg.config_path, cfg.nbs_path, cfg.config_path/'_proc'
    if out.exists(): shutil.rmtree(out)
    problems, n = [], 0
    for src in sorted(nbs.rglob('*.ipynb')):
        if any(p.startswith('.') or p.startswith('_') for p in src.relative_to(nbs).parts): continue
        try: problems += process(src, out/src.relative_to(nbs))
        except Exception as e: problems.append(f"{src.relative_to(nbs)}: nbdev's doc processing failed: {str(e).splitlines()[0]} (a cell with an import runs in the docs build: keep imports in import-only cells)")
        n += 1
    for f in ['sidebar.yml', 'styles.css']:
        if (nbs/f).exists(): shutil.copy2(nbs/f, out/f)
    shutil.copy2(root/'_quarto.yml', out/'_quarto.yml')
    side = yaml.safe_load((out/'sidebar.yml').read_text())
    for page in _pages(side['website']['sidebar']['contents']):
        if page.endswith(('.ipynb', '.qmd', '.md')) and not (nbs/page).exists(): problems.append(f"sidebar.yml names a missing page: {page}")
    navbar = set(_pages(yaml.safe_load((root/'_quarto.yml').read_text())['website']['navbar']['left']))
    for page in sorted(navbar):
        if page.endswith(('.ipynb', '.qmd', '.md')) and not (nbs/page).exists(): problems.append(f"_quarto.yml's navbar names a missing page: {page}")
    mods = {f"{p.name}" for p in nbs.glob('[0-9]*.ipynb')}
    if missing := sorted(mods - navbar): problems.append(f"_quarto.yml's navbar API menu lacks: {', '.join(missing)}")
    if problems: sys.exit("docs processing problems:\n  " + "\n  ".join(problems))
    print(f"processed {n} notebooks into {out.relative_to(root)}/ (every show_doc rendered); run `quarto render {out.name}` to build the site")

if __name__ == '__main__': main()
