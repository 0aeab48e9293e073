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

"""Tests of :mod:`multiarch_lab.ipa_ramdisk` that build nothing."""

import os
import re
import subprocess

import pytest

from multiarch_lab import ipa_ramdisk

INPUTS = dict(arch='x86_64', ipa_version='13.0.0',
              packages=('python3', 'udev'), kernel_abi='6.1.0-57-amd64',
              init_text='#!/bin/sh\necho hi\n')


def test_cache_key_is_stable():
    key = ipa_ramdisk.cache_key(**INPUTS)
    assert re.fullmatch('[0-9a-f]{64}', key)
    assert ipa_ramdisk.cache_key(**dict(INPUTS)) == key


@pytest.mark.parametrize('name,value', [
    ('arch', 'aarch64'), ('ipa_version', '12.0.0'),
    ('packages', ('python3', 'udev', 'lvm2')), ('packages', ('python3',)),
    ('kernel_abi', '6.1.0-58-amd64'), ('init_text', '#!/bin/sh\necho ho\n')])
def test_cache_key_changes_with_each_input(name, value):
    assert (ipa_ramdisk.cache_key(**dict(INPUTS, **{name: value}))
            != ipa_ramdisk.cache_key(**INPUTS))


def test_cache_key_changes_with_builder_version(monkeypatch):
    key = ipa_ramdisk.cache_key(**INPUTS)
    monkeypatch.setattr(ipa_ramdisk, 'BUILDER_VERSION',
                        ipa_ramdisk.BUILDER_VERSION + 1)
    assert ipa_ramdisk.cache_key(**INPUTS) != key


def test_ipa_version_for_ironic():
    assert ipa_ramdisk.ipa_version_for_ironic('39.0.0') == '13.0.0'
    assert ipa_ramdisk.ipa_version_for_ironic('39.0.2') == '13.0.0'
    assert ipa_ramdisk.ipa_version_for_ironic('29.0.6') == '10.2.3'
    assert ipa_ramdisk.ipa_version_for_ironic('24.1.5') == '9.11.3'
    assert ipa_ramdisk.DEFAULT_IPA_VERSION == '13.0.0'
    with pytest.raises(KeyError):
        ipa_ramdisk.ipa_version_for_ironic('1.0.0')


def test_default_cache_dir(monkeypatch):
    monkeypatch.setenv('IRONIC_MULTIARCH_IPA_CACHE', '/srv/ipa')
    assert ipa_ramdisk.default_cache_dir() == '/srv/ipa'
    monkeypatch.delenv('IRONIC_MULTIARCH_IPA_CACHE')
    assert ipa_ramdisk.default_cache_dir() == os.path.join(
        os.path.expanduser('~'), '.cache', 'ironic-multiarch', 'ipa')


def _bootif_function():
    text = ipa_ramdisk.init_text()
    match = re.search(r'^bootif_mac\(\) \{\n.*?^\}\n', text, re.M | re.S)
    assert match, 'no bootif_mac() in the init'
    return match.group(0)


@pytest.mark.parametrize('bootif,mac', [
    ('01-52-54-00-12-34-56', '52:54:00:12:34:56'),
    ('52:54:00:12:34:56', '52:54:00:12:34:56'),
    ('01-52-54-00-AB-CD-EF', '52:54:00:ab:cd:ef'),
    ('52:54:00:AB:CD:EF', '52:54:00:ab:cd:ef'),
    ('52-54-00-12-34-56', '52:54:00:12:34:56'),
    ('', ''),
    ('01-52-54-00-12', ''),
    ('zz:54:00:12:34:56', ''),
    ('52:54:00:12:34:56:78', ''),
])
def test_init_bootif_mac(bootif, mac):
    script = _bootif_function() + 'bootif_mac "$1"\n'
    out = subprocess.run(['sh', '-c', script, 'sh', bootif], text=True,
                         capture_output=True, check=True).stdout
    assert out.strip() == mac


def test_init_console_lines():
    text = ipa_ramdisk.init_text()
    assert text.startswith('#!/bin/sh\n# Licensed under the Apache')
    assert ('say "arch=$(uname -m) consoles=${consoles} '
            'bootif=${mac:-none}"') in text
    assert 'say "nic=${nic:-none} ip=${addr:-none}"' in text
    assert 'say "rescue user=rescue hash=$shadow"' in text
    assert '/etc/ipa-rescue-config/ipa-rescue-password' in text
    subprocess.run(['sh', '-n', '-c', text], check=True)


@pytest.mark.parametrize('argv', [
    ['--arch', 'sparc'], ['--bogus'], ['--ipa-version', 'latest'],
    ['--arch'], ['extra']])
def test_main_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        ipa_ramdisk.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith('build-ipa-ramdisk: error: ')
    assert err.count('\n') == 1


def test_build_rejects_unknown_arch():
    with pytest.raises(ValueError):
        ipa_ramdisk.build('sparc64', cache_dir='/nonexistent')


@pytest.mark.parametrize('argv', [['--help'], ['--arch', 'sparc'],
                                  ['--output']])
def test_tool_usage(argv):
    tool = os.path.join(os.path.dirname(__file__), '..', '..', 'tools',
                        'build-ipa-ramdisk.sh')
    proc = subprocess.run(['bash', tool] + argv, text=True,
                          capture_output=True,
                          env=dict(os.environ, PATH='/usr/bin:/bin'))
    if argv == ['--help']:
        assert proc.returncode == 0 and '--ipa-version' in proc.stdout
    elif argv:
        assert proc.returncode == 2
        assert proc.stderr.startswith('build-ipa-ramdisk: error: ')
        assert proc.stderr.count('\n') == 1
