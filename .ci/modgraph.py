"""The crate's module graph, file by file, and its import loops.

Each file of src/ is a node; an edge goes to every file whose items it uses (`crate::...` and
`super::...` paths, re-exports followed to the file that defines the item; a folder's mod.rs
using its own children counts too; `pub use` re-exports and tests do not). It reads the
source as text, so it sees what the code names, not what the compiler resolves.

    python3 .ci/modgraph.py [src] [--edges]   # exit 1 when there is a loop
"""
import os, re, sys, itertools
root = next((a for a in sys.argv[1:] if not a.startswith('--')), 'src')
files = {}
for d, _, fs in os.walk(root):
    for f in fs:
        if f.endswith('.rs'):
            p = os.path.join(d, f)
            rel = os.path.relpath(p, root)[:-3]
            parts = rel.split('/')
            if parts[-1] in ('mod', 'lib'):
                parts = parts[:-1]
            files[tuple(parts)] = p
def strip_tests(src):
    i = src.find('#[cfg(test)]\nmod tests')
    return src if i < 0 else src[:i]
srcs = {m: strip_tests(open(p).read()) for m, p in files.items()}
# re-exports: mod -> name -> submodule path
reexp = {}
for m, s in srcs.items():
    for mm in re.finditer(r'pub(?:\(crate\))? use ([\w:]+)::\{?([\w, \n]+)\}?;', s):
        base, names = mm.group(1), mm.group(2)
        for n in re.split(r'[,\s]+', names):
            n = n.strip()
            if not n: continue
            if base.startswith('crate::'):
                target = tuple(base.split('::')[1:])
            else:
                target = m + tuple(base.split('::'))
            reexp.setdefault(m, {})[n] = target
def resolve(path):
    # path: tuple of segments after crate
    best = ()
    for k in range(len(path), 0, -1):
        if path[:k] in files:
            best = path[:k]; break
    rest = path[len(best):]
    seen = 0
    while rest and best in reexp and rest[0] in reexp[best] and seen < 5:
        t = reexp[best][rest[0]]
        nb = ()
        for k in range(len(t), 0, -1):
            if t[:k] in files:
                nb = t[:k]; break
        if nb == best: break
        best = nb; rest = rest[1:]; seen += 1
    return best
edges = set()
for m, s in srcs.items():
    body = re.sub(r'//.*', '', s)
    refs = []
    body = re.sub(r'\bcrate::\{([^}]*)\}', lambda mm: ' '.join('crate::' + x.strip() for x in mm.group(1).split(',') if x.strip()), body)
    for u in re.finditer(r'\bcrate::([\w:]+(?:::\{[^}]*\})?)', body):
        txt = u.group(1)
        if '{' in txt:
            base, inner = txt.split('::{', 1)
            for n in re.split(r'[,\s]+', inner.rstrip('}')):
                n = n.split('::')[0].strip()
                if n and n != 'self':
                    refs.append(tuple(base.split('::')) + (n,))
                elif n == 'self':
                    refs.append(tuple(base.split('::')))
        else:
            refs.append(tuple(txt.split('::')))
    body = re.sub(r'\bsuper::\{([^}]*)\}', lambda mm: ' '.join('super::' + x.strip() for x in mm.group(1).split(',') if x.strip()), body)
    for u in re.finditer(r'\bsuper::([\w:]+(?:::\{[^}]*\})?)', body):
        txt = u.group(1)
        parent = m[:-1] if files[m].endswith('mod.rs') is False else m[:-1]
        if '{' in txt:
            base, inner = txt.split('::{', 1)
            for n in re.split(r'[,\s]+', inner.rstrip('}')):
                n = n.split('::')[0].strip()
                if n: refs.append(parent + tuple(base.split('::')) + (n,))
        else:
            refs.append(parent + tuple(txt.split('::')))
    # a mod.rs using its own children's items (not re-exports)
    for child in [k for k in files if k[:-1] == m and len(k) == len(m) + 1]:
        for u in re.finditer(r'(?<![\w:])' + child[-1] + r'::(\w+)', re.sub(r'pub(\(crate\))? use [^;]*;', '', body)):
            refs.append(child + (u.group(1),))
    for r in refs:
        t = resolve(r)
        if t != m and t != ():
            edges.add((m, t))
name = lambda m: '/'.join(m) or 'lib'
adj = {}
for a, b in edges: adj.setdefault(a, set()).add(b)
# cycles via Tarjan SCC
index = {}; low = {}; stack = []; on = set(); sccs = []; i = [0]
sys.setrecursionlimit(10000)
def sc(v):
    index[v] = low[v] = i[0]; i[0] += 1; stack.append(v); on.add(v)
    for w in adj.get(v, ()):
        if w not in index: sc(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v: break
        if len(comp) > 1: sccs.append(comp)
for v in files:
    if v not in index: sc(v)
if '--edges' in sys.argv:
    for a in sorted(adj, key=name):
        print(f"{name(a)} -> {', '.join(sorted(name(b) for b in adj[a]))}")
print('cycles:', [sorted(name(x) for x in c) for c in sccs] or 'none')
sys.exit(1 if sccs else 0)
