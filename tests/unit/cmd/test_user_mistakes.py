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

"""Every user mistake: one clear line on stderr, exit status 2.

The console script runs as a user runs it, in a fresh process with no
cloud configured (no ``OS_*`` variables, no clouds.yaml), so that no
path can print a Python traceback.
"""

import os
import subprocess
import sys

import pytest

CONF = '''[pxe]
tftp_server = 192.0.2.10
[multiarch_aarch64]
deploy_kernel = http://images.example.com/ipa-aarch64.kernel
deploy_ramdisk = http://images.example.com/ipa-aarch64.initramfs
'''
OFFLINE = ['plan', '--arch', 'arm64', '--mac', '52:54:00:12:34:56']

#: (arguments, text the one line must contain)
MISTAKES = {
    'no-cloud-settings': (['audit'], '--os-cloud NAME'),
    'unknown-cloud': (['audit', '--os-cloud', 'nope'],
                      'Cloud nope was not found'),
    'auth-none-without-endpoint': (['audit', '--os-auth-type', 'none'],
                                   '--os-endpoint'),
    'plan-bogus-interface': (OFFLINE + ['--interface', 'bogus'],
                             "invalid choice: 'bogus'"),
    'plan-malformed-mac': (['plan', '--arch', 'arm64', '--mac', 'zz'],
                           "not a MAC address: 'zz'"),
    'plan-boot-mode-upper-case': (OFFLINE + ['--boot-mode', 'UEFI'],
                                  "invalid choice: 'UEFI'"),
    'plan-nothing-to-plan': (['plan'], 'give NODE, or --arch'),
    'no-command': ([], 'the following arguments are required'),
}


@pytest.mark.parametrize('name', sorted(MISTAKES))
def test_user_mistake_is_one_line_and_exit_2(name, tmp_path):
    args, expected = MISTAKES[name]
    conf = tmp_path / 'ironic.conf'
    conf.write_text(CONF)
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env['HOME'] = str(tmp_path)
    env['XDG_CONFIG_HOME'] = str(tmp_path / 'config')
    if args:
        args = args + ['--config-file', str(conf)]
    result = subprocess.run(
        [sys.executable, '-m', 'ironic_multiarch.cmd.main'] + args,
        cwd=str(tmp_path), env=env, capture_output=True, text=True,
        timeout=120)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert 'Traceback' not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith('ironic-multiarch'), lines[0]
    assert expected in lines[0], lines[0]
    assert result.stdout == ''
