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

"""Typos in the plugin's groups are named, with the closest valid name."""

from ironic_multiarch.cmd import common
from ironic_multiarch.cmd import doctor
from ironic_multiarch.conf import opts
from ironic_multiarch.conf import unknown

CONF = '''[DEFAULT]
debug = true
[pxe]
tftp_server = 192.0.2.10
not_ours = 1
[multiarch]
enabled_architecture = x86_64,aarch64
[multiarch_aarch64]
deploy_kernal = http://images.example.com/ipa-aarch64.kernel
deploy_ramdisk = http://images.example.com/ipa-aarch64.initramfs
[multiarch_arm64]
deploy_kernel = http://images.example.com/ipa-aarch64.kernel
[multiarch-redfish]
verify_ca = /etc/ssl/ca.pem
'''


def _write(tmp_path, text=CONF):
    path = tmp_path / 'ironic.conf'
    path.write_text(text)
    return str(path)


def test_typos_named_with_the_closest_valid_name(tmp_path):
    path = _write(tmp_path)
    found = unknown.find([path], unknown.known_options(opts.list_opts()))
    assert [(u.group, u.option, u.suggestion) for u in found] == [
        ('multiarch', 'enabled_architecture', 'enabled_architectures'),
        ('multiarch_aarch64', 'deploy_kernal', 'deploy_kernel'),
        ('multiarch_arm64', None, '[multiarch_aarch64]'),
    ]
    assert found[1].describe() == (
        '%s: unknown option deploy_kernal in [multiarch_aarch64], ignored '
        'by the conductor; did you mean deploy_kernel?' % path)


def test_no_typos_no_findings(tmp_path):
    path = _write(tmp_path, '[multiarch]\nenabled_architectures = x86_64\n'
                            '[multiarch_x86_64]\nconsole = console=ttyS1\n')
    assert unknown.find([path],
                        unknown.known_options(opts.list_opts())) == []


def test_doctor_fails_on_a_typo(tmp_path):
    path = _write(tmp_path)
    checks = doctor.run_checks(common.load_context([path]),
                               _head=lambda url: None)
    failed = {c.name: c.detail for c in checks if c.status == doctor.FAIL}
    assert failed['configuration [multiarch_aarch64]deploy_kernal'].endswith(
        'did you mean deploy_kernel?')
    assert 'configuration [multiarch_arm64]' in failed
    assert 'configuration [multiarch]enabled_architecture' in failed
