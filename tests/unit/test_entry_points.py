# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Every entry point setup.cfg declares is installed and loads.

The planner's own entry points load in this process. Those of the Ironic
adapter and the CLI import Ironic or client libraries: they load in a
child process (unit tests stay Ironic-free) and are skipped, with the
reason, when their dependencies are not importable.
"""

import configparser
import importlib.metadata
import json
import os
import subprocess
import sys

import pytest
from stevedore import driver
from stevedore import extension

from ironic_multiarch.profiles import base
from ironic_multiarch.profiles import loader

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
REINSTALL = 'reinstall with: .venv/bin/pip install -e .'
PURE = ('ironic_multiarch.profiles', 'oslo.config.opts')


def _declared():
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(os.path.join(ROOT, 'setup.cfg'), encoding='utf-8')
    declared = set()
    for group, text in parser['options.entry_points'].items():
        for line in text.strip().splitlines():
            name, _, value = line.partition('=')
            declared.add((group, name.strip(), value.strip()))
    return declared


DECLARED = _declared()


def _installed():
    dist = importlib.metadata.distribution('ironic-multiarch')
    return {(ep.group, ep.name, ep.value) for ep in dist.entry_points}


def test_declared_entry_points_are_installed():
    assert not DECLARED - _installed(), REINSTALL
    assert not _installed() - DECLARED, REINSTALL


def test_expected_groups_declared():
    groups = {g for g, _, _ in DECLARED}
    assert {'ironic_multiarch.profiles', 'oslo.config.opts',
            'ironic.hardware.interfaces.boot', 'ironic.hardware.types',
            'console_scripts'} <= groups
    names = {(g, n) for g, n, _ in DECLARED}
    for name in ('multiarch-pxe', 'multiarch-ipxe'):
        assert ('ironic.hardware.interfaces.boot', name) in names
    for name in ('multiarch-ipmi', 'multiarch-redfish', 'multiarch-manual'):
        assert ('ironic.hardware.types', name) in names


def test_profiles_load_through_stevedore():
    loader.reset()
    manager = extension.ExtensionManager(
        'ironic_multiarch.profiles', invoke_on_load=True,
        on_load_failure_callback=lambda m, ep, exc: pytest.fail(
            '%s: %s' % (ep, exc)))
    declared = {n for g, n, _ in DECLARED if g == 'ironic_multiarch.profiles'}
    assert declared == {'x86_64', 'aarch64', 'ppc64le'}
    assert declared <= set(manager.names())
    for ext in manager:
        assert isinstance(ext.obj, base.ArchProfile)
        assert ext.obj.name == ext.name


def test_oslo_config_opts_load_through_stevedore():
    mgr = driver.DriverManager('oslo.config.opts', 'ironic-multiarch')
    groups = dict(mgr.driver())
    assert {'multiarch', 'multiarch_x86_64', 'multiarch_aarch64',
            'multiarch_ppc64le'} <= set(groups)


_CHILD = '''
import importlib.metadata, json, sys
out = {}
for group, name in json.loads(sys.argv[1]):
    ep = [e for e in importlib.metadata.entry_points(group=group)
          if e.name == name][0]
    try:
        obj = ep.load()
        out[group + ':' + name] = ['ok', getattr(obj, '__name__', '')]
    except ImportError as exc:
        out[group + ':' + name] = ['skip', '%s: %s' % (type(exc).__name__,
                                                       exc)]
    except Exception as exc:
        out[group + ':' + name] = ['error', '%s: %s' % (type(exc).__name__,
                                                        exc)]
print(json.dumps(out))
'''

OTHERS = sorted((g, n, v) for g, n, v in DECLARED if g not in PURE)


@pytest.fixture(scope='module')
def child_results():
    wanted = json.dumps([[g, n] for g, n, _ in OTHERS])
    proc = subprocess.run([sys.executable, '-c', _CHILD, wanted],
                          capture_output=True, text=True, cwd=ROOT,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize('group,name,value', OTHERS)
def test_other_entry_points_load(child_results, group, name, value):
    status, detail = child_results['%s:%s' % (group, name)]
    if status == 'skip':
        pytest.skip('%s = %s not importable here: %s' % (name, value, detail))
    assert status == 'ok', '%s = %s: %s' % (name, value, detail)
    attr = value.partition(':')[2]
    if attr:
        assert detail == attr.split('.')[-1]
