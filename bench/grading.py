"""Grading figures: math_reward's verdicts on hard cases, and wall times on adversarial completions (main thread and worker thread).

Run: python bench/grading.py   (needs math-verify: pip install "real-nb[math]")
"""
import time
from concurrent.futures import ThreadPoolExecutor
from real_nb.rewards import math_reward, exact_match_reward, extract_answer, marked_answer

CASES = [  # (completion, reference, expected score)
    (r'\boxed{\frac{1}{2}}', '0.5', 1), (r'\boxed{0.75}', r'\dfrac{3}{4}', 1), (r'\boxed{\sqrt{8}}', r'2\sqrt{2}', 1),
    (r'\boxed{(1, 2]}', '(1,2]', 1), (r'\boxed{(1,2]}', '[1,2)', 0), (r'\boxed{\{3,2,1\}}', r'\{1,2,3\}', 1),
    (r'\boxed{(1, 2)}', '(1,2)', 1), (r'\boxed{(2, 1)}', '(1,2)', 0), (r'\boxed{−3}', '-3', 1), (r'\boxed{\text{(B)}}', 'B', 1),
    (r'\boxed{C}', 'B', 0), (r'\boxed{2x+3}', '3+2x', 1), (r'\boxed{\pi/2}', r'\frac{\pi}{2}', 1), ('The answer is 18.', '18', 1),
    ('**Answer:** 1,000', '1000', 1), (r'so $x = \boxed{5}$', '5', 1), (r'\boxed{0.33}', r'\frac{1}{3}', 0),
    (r'\boxed{10\%}', '10', 1), (r'\boxed{\infty}', r'\infty', 1), ('we add 7 to get 19 and then', '19', 0), (r'\boxed{}', '0', 0),
    (r'\boxed{91}', '19', 0), (r'\boxed{\sqrt{7}}', r'2\sqrt{2}', 0), ('Answer: 3. But wait, the answer is -5.', '-5', 1),
]
ADVERSARIAL = {
    '2,000 unclosed \\boxed{': r'\boxed{7} ' + r'\boxed{' * 2_000,
    '20,000 unclosed \\boxed{': r'\boxed{7} ' + r'\boxed{' * 20_000,
    '5,000 unclosed braces in a box': r'\boxed{' + '{' * 5_000,
    '5,000-digit number boxed': r'\boxed{' + '9' * 5_000 + '}',
    '5,000-digit number after "answer is"': 'The answer is ' + '1' * 5_000,
    'braces nested 3,000 deep in a box': r'\boxed{' + '{' * 3_000 + '1' + '}' * 3_001,
    'power tower 9^{9^{9^9}}': r'\boxed{9^{9^{9^{9}}}}',
    '1 MB of prose, no answer': 'lorem ipsum ' * 90_000,
}

def timed(f, *a):
    t = time.perf_counter(); r = f(*a); return r, time.perf_counter() - t

if __name__ == '__main__':
    ok = 0
    print('| completion | reference | expected | math_reward | ms |\n|---|---|---|---|---|')
    for c, a, want in CASES:
        r, dt = timed(math_reward, '', c, a); ok += r == want
        print(f'| `{c}` | `{a}` | {want} | {r:.0f}{"" if r == want else " ✗"} | {dt*1e3:.1f} |')
    print(f'\n{ok}/{len(CASES)} hard cases graded as expected\n')
    print('| adversarial completion | chars | extract_answer s | math_reward (main thread) | s | math_reward (worker thread) | s |\n|---|---|---|---|---|---|---|')
    with ThreadPoolExecutor(1) as ex:
        ex.submit(math_reward, '', r'\boxed{1}', '1').result()   # start the spawned grading worker once
        for name, c in ADVERSARIAL.items():
            _, te = timed(extract_answer, c)
            r, tm = timed(math_reward, '', c, '7')
            (rt, tt) = ex.submit(timed, math_reward, '', c, '7').result()
            print(f'| {name} | {len(c):,} | {te:.4f} | {r:.0f} | {tm:.3f} | {rt:.0f} | {tt:.3f} |')
    n = 2000; _, t = timed(lambda: [exact_match_reward('', '19', '19') for _ in range(n)]); _, t2 = timed(lambda: [math_reward('', r'\boxed{19}', '19') for _ in range(n)])
    print(f'\nthroughput: exact_match_reward {n/t:,.0f}/s, math_reward {n/t2:,.0f}/s (cached reference parse, main thread)')
