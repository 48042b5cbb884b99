#!/usr/bin/env python
"The package's layout: import cycles, re-export shims, assigned methods, private imports, line figures."
import ast, sys
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent/'real_nb'

def modules()->dict:
    "Module name → parsed AST, for every library module but the generated index."
    files = [p for p in sorted(PKG.glob('*.py')) if p.stem not in ('_modidx', '__init__')]
    return {p.stem: ast.parse(p.read_text()) for p in files}

def imported(mod:str, tree)->set:
    "The package modules `mod` imports anywhere (top level or inside a function)."
    out = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.ImportFrom):
            name = n.module or ''
            if n.level == 1: out.add(name.split('.')[0] if name else '')
            elif name.startswith('real_nb.'): out.add(name.split('.')[1])
            elif name == 'real_nb': out |= {a.name for a in n.names}
        elif isinstance(n, ast.Import):
            out |= {a.name.split('.')[1] for a in n.names if a.name.startswith('real_nb.')}
    return out - {mod, ''}

def cycles(graph:dict)->list:
    "Every import cycle, as a sorted tuple of the strongly connected modules (Tarjan)."
    index, low, stack, on, out = {}, {}, [], set(), []
    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v: break
            if len(comp) > 1: out.append(tuple(sorted(comp)))
    for v in graph:
        if v not in index: visit(v)
    return out

def shims(mod:str, tree)->list:
    "Re-export devices: a module `__getattr__`, an `_all_` list, or `__all__` naming what is only imported."
    out, defined, imported_names, listed = [], set(), set(), []
    for n in tree.body:
        if isinstance(n, ast.FunctionDef) and n.name == '__getattr__':
            out.append(f'{mod}: module __getattr__')
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): defined.add(n.name)
        if isinstance(n, (ast.Assign, ast.AnnAssign)):
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target]):
                for e in ast.walk(t):
                    if isinstance(e, ast.Name):
                        defined.add(e.id)
                        if e.id == '_all_': out.append(f'{mod}: _all_ re-export list')
                        if e.id == '__all__': listed = ast.literal_eval(n.value)
        if isinstance(n, ast.ImportFrom): imported_names |= {a.asname or a.name for a in n.names}
    out += [f'{mod}: __all__ re-exports {k}' for k in listed if k in imported_names and k not in defined]
    return out

def assigned_methods(mod:str, tree)->list:
    "Module-level `Class.attr = ...`: methods attached by assignment instead of `@patch` or the class body."
    classes = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    return [f'{mod}:{n.lineno}: {t.value.id}.{t.attr}' for n in tree.body if isinstance(n, ast.Assign)
            for t in n.targets
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id in classes]

def private_imports(mod:str, tree)->list:
    "Private names (`_x`) imported from another package module: a helper two modules share is public."
    froms = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
             and (n.level == 1 or (n.module or '').startswith('real_nb'))]
    return [f'{mod}:{n.lineno}: {a.name} from {n.module}' for n in froms for a in n.names
            if a.name.startswith('_') and not a.name.startswith('__')]

def line_figures(mods:dict)->dict:
    "Code lines (not nbdev's generated `__all__`), those over 110 and 120 characters, `;`-joined statements."
    code = long110 = long120 = 0
    joined = set()
    for mod, tree in mods.items():
        lines = (PKG/f'{mod}.py').read_text().splitlines()
        is_all = lambda n: isinstance(n, ast.Assign) and getattr(n.targets[0], 'id', '') == '__all__'
        alls = [n for n in tree.body if is_all(n)]
        generated = {i for n in alls for i in range(n.lineno - 1, n.end_lineno)}   # nbdev writes `__all__`
        for i, l in enumerate(lines):
            if i not in generated and l.strip() and not l.lstrip().startswith('#'):
                code += 1
                long110 += len(l) > 110
                long120 += len(l) > 120
        for n in ast.walk(tree):
            for field in ('body', 'orelse', 'finalbody'):
                stmts = getattr(n, field, None)
                if isinstance(stmts, list):
                    for a, b in zip(stmts, stmts[1:]):
                        if isinstance(a, ast.stmt) and isinstance(b, ast.stmt) and a.end_lineno == b.lineno:
                            joined.add((mod, b.lineno))
    return dict(code_lines=code, over_110=long110, over_120=long120, semicolon_lines=len(joined))

if __name__ == '__main__':
    mods = modules()
    graph = {m: imported(m, t) for m, t in mods.items()}
    problems = [f'import cycle: {" ↔ ".join(c)}' for c in cycles(graph)]
    problems += [s for m, t in mods.items() for s in shims(m, t)]
    problems += [f'method by assignment: {s}' for m, t in mods.items() for s in assigned_methods(m, t)]
    problems += [f'private import: {s}' for m, t in mods.items() for s in private_imports(m, t)]
    f = line_figures(mods)
    pct = lambda k: f"{f[k]} ({100 * f[k] / f['code_lines']:.1f}%)"
    print(f"{len(mods)} modules, {f['code_lines']} code lines; over 110 chars: {pct('over_110')}; "
          f"over 120: {pct('over_120')}; lines with `;`-joined statements: {f['semicolon_lines']}")
    for p in problems: print(p)
    print(f'{len(problems)} layout problems')
    sys.exit(1 if problems and '--check' in sys.argv else 0)
