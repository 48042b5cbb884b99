"""Make README.md from nbs/index.ipynb without Quarto: nbdev's doc processors, then a small GFM exporter.
The one README generator: `nbdev_readme` and `nbdev_docs` render README.md with Quarto, and nbs/_quarto.yml's
post-render hook runs this script with --quarto-post-render, which replaces Quarto's version with this one
before nbdev copies it to the top level.

Usage: python .ci/readme.py [--check | --quarto-post-render]
  --check: exit 1 if README.md differs from what index.ipynb gives
  --quarto-post-render: (run by Quarto in _proc/) rewrite $QUARTO_PROJECT_OUTPUT_DIR/README.md, when that
                        render made one
"""
import os, re, sys
from pathlib import Path
from execnb.nbio import read_nb
from nbdev.config import get_config
from nbdev.processors import FilterDefaults

def _fence(text, lang=''): return f"```{lang}\n{text.rstrip()}\n```"

def _outputs(cell):
    "GFM for a code cell's stored outputs: streams and plain text in fences, markdown as is."
    res = []
    for o in cell.get('outputs', []):
        if o.get('output_type') == 'stream': res.append(_fence(''.join(o['text'])))
        elif 'data' in o:
            d = o['data']
            if 'text/markdown' in d: res.append(''.join(d['text/markdown']))
            elif 'text/plain' in d: res.append(_fence(''.join(d['text/plain'])))
        elif o.get('output_type') == 'error':
            raise ValueError(f"index.ipynb has an error output: {o.get('ename')}")
    return res

def _frontmatter(src):
    "Title and description from the YAML front matter nbdev's FrontmatterProc leaves in a raw cell."
    import yaml
    fm = yaml.safe_load(src.strip().strip('-')) or {}
    out = [f"# {fm['title']}"] if 'title' in fm else []
    if 'description' in fm: out.append(f"> {fm['description']}")
    return out

def _site_links(md:str, site:str)->str:
    "Relative links to notebooks as links to their pages on the site, so they work where README is read."
    link = r'\]\((?![a-z]+:)([\w/.-]+)\.ipynb(#[^)]*)?\)'
    return re.sub(link, lambda m: f"]({site}/{m[1]}.html{m[2] or ''})", md)

def readme_text(nb_path, site:str=''):
    "README text for notebook `nb_path` after nbdev's documentation processing."
    nb = read_nb(nb_path)
    FilterDefaults()(nb)
    parts = []
    for c in nb.cells:
        src = ''.join(c.source) if isinstance(c.source, list) else c.source
        if c.cell_type == 'raw' and src.strip().startswith('---'): parts += _frontmatter(src)
        elif c.cell_type == 'markdown' and src.strip(): parts.append(_site_links(src.strip(), site))
        elif c.cell_type == 'code':
            if src.strip(): parts.append(_fence(src, 'python'))
            parts += _outputs(c)
    return "\n\n".join(parts) + "\n"

if __name__ == '__main__':
    cfg = get_config()
    site = cfg.doc_host.rstrip('/') + '/' + cfg.doc_baseurl.strip('/')
    text = readme_text(cfg.nbs_path/cfg.readme_nb, site)
    readme = cfg.config_path/'README.md'
    if '--quarto-post-render' in sys.argv:
        out = Path(os.environ.get('QUARTO_PROJECT_OUTPUT_DIR', '_docs'))/'README.md'
        if out.exists(): out.write_text(text); print(f"README.md: {out} replaced by .ci/readme.py's version")
    elif '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit("README.md is out of sync with nbs/index.ipynb: "
                     "run `python .ci/readme.py` and commit it")
        print("README.md is in sync with nbs/index.ipynb")
    else:
        readme.write_text(text); print(f"wrote {readme}")
