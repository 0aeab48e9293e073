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

"""The committed sample configuration matches the options."""

import difflib
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
GENERATOR_CONF = 'etc/ironic-multiarch/config-generator.conf'
SAMPLE = 'etc/ironic-multiarch/ironic-multiarch.conf.sample'
REGENERATE = ('.venv/bin/oslo-config-generator --config-file '
              + GENERATOR_CONF)


def _generator():
    script = os.path.join(os.path.dirname(sys.executable),
                          'oslo-config-generator')
    if os.path.exists(script):
        return [script]
    if shutil.which('oslo-config-generator'):
        return [shutil.which('oslo-config-generator')]
    pytest.skip('oslo-config-generator is not installed')


def test_generator_config():
    with open(os.path.join(ROOT, GENERATOR_CONF), encoding='utf-8') as f:
        text = f.read()
    assert 'namespace = ironic-multiarch' in text
    assert 'output_file = %s' % SAMPLE in text
    assert 'wrap_width = 79' in text


def test_sample_is_up_to_date(tmp_path):
    output = tmp_path / 'sample.conf'
    proc = subprocess.run(
        _generator() + ['--config-file', GENERATOR_CONF,
                        '--output-file', str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    with open(os.path.join(ROOT, SAMPLE), encoding='utf-8') as f:
        committed = f.read()
    generated = output.read_text(encoding='utf-8')
    diff = ''.join(difflib.unified_diff(
        committed.splitlines(True), generated.splitlines(True),
        SAMPLE, 'generated'))
    assert committed == generated, (
        '%s is out of date; regenerate it with:\n    %s\n%s'
        % (SAMPLE, REGENERATE, diff[:3000]))


def test_sample_documents_every_group():
    with open(os.path.join(ROOT, SAMPLE), encoding='utf-8') as f:
        text = f.read()
    for group in ('multiarch', 'multiarch_x86_64', 'multiarch_aarch64',
                  'multiarch_ppc64le'):
        assert '\n[%s]\n' % group in text
    assert '#global_options_arch = <None>' in text
