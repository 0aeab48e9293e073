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

"""What the built deploy ramdisks hold, per architecture.

The agent itself is proven by the life-cycle tests (tests/lab), where
these ramdisks look nodes up, clean, deploy and rescue them against a
real Ironic. Here: the archive is a cpio the kernel unpacks, with the
init, the agent, the modules the NIC and the ESP need, and programs
built for the architecture, not the host's.
"""

import struct
import subprocess

import pytest

from multiarch_lab import ipa_ramdisk

pytestmark = pytest.mark.lab

#: ELF e_machine per architecture.
E_MACHINE = {'x86_64': 62, 'aarch64': 183}
NEEDED = ('init', 'opt/ipa/bin/ironic-python-agent', 'usr/bin/python3.11',
          'usr/bin/fuser', 'usr/bin/efibootmgr', 'usr/sbin/sgdisk')
NEEDED_MODULES = ('virtio_net.ko', 'nls_ascii.ko', 'vfat.ko', 'efivarfs.ko')


@pytest.fixture(scope='module')
def ramdisks():
    return ipa_ramdisk.build_all()


def _members(path):
    return subprocess.run(f'zstd -dc {path} | cpio -t --quiet', shell=True,
                          check=True, text=True,
                          stdout=subprocess.PIPE).stdout.split()


def _extract(path, member):
    return subprocess.run(
        f'zstd -dc {path} | cpio -i --quiet --to-stdout {member}',
        shell=True, check=True, stdout=subprocess.PIPE).stdout


@pytest.mark.parametrize('arch', sorted(E_MACHINE))
def test_ramdisk_holds_agent_init_and_modules_for_its_arch(ramdisks, arch):
    rd = ramdisks[arch]
    members = _members(rd.ramdisk)
    for name in NEEDED:
        assert name in members, name
    modules = {m.rsplit('/', 1)[-1] for m in members
               if m.startswith('usr/lib/modules/')}
    for name in NEEDED_MODULES:
        assert name in modules or name + '.xz' in modules, name
    header = _extract(rd.ramdisk, 'usr/bin/python3.11')[:20]
    assert header[:4] == b'\x7fELF'
    assert struct.unpack('<H', header[18:20])[0] == E_MACHINE[arch]
    with open(rd.kernel, 'rb') as kernel:
        head = kernel.read(0x40)
    if arch == 'aarch64':
        assert head[0x38:0x3c] == b'ARM\x64'     # arm64 Image magic
    else:
        assert head[0:2] == b'MZ'                # bzImage (EFI stub)
