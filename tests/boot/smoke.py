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

"""Smoke proof of the QEMU netboot harness.

Run as ``python tests/boot/smoke.py [CASE ...]`` (all cases by default).
Each case lays out a TFTP root by hand, netboots it and prints the time
from QEMU's start to the marker. Boots run one after the other.
"""

import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))

from tests.boot import harness  # noqa: E402

MAC = '52:54:00:12:34:56'
OTHER_MAC = '52:54:00:aa:bb:cc'


def _dashes(mac):
    return mac.lower().replace(':', '-')


def _write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)
    return path


def _node(assets, root, arch, node):
    """Link the kernel and build the marker ramdisk under ``root/node``."""
    os.makedirs(os.path.join(root, node))
    os.symlink(assets.kernels[arch],
               os.path.join(root, node, 'deploy_kernel'))
    harness.build_marker_initramfs(
        assets, arch, os.path.join(root, node, 'deploy_ramdisk'))


def _grub_cfg(node, console):
    return ('set timeout=0\n'
            'menuentry "deploy" {\n'
            '    linux /%s/deploy_kernel console=%s marker=x\n'
            '    initrd /%s/deploy_ramdisk\n'
            '}\n' % (node, console, node))


def aarch64_uefi_grub(assets, root, mac=MAC):
    """Loader in a subdirectory, per-MAC config at the TFTP root."""
    os.makedirs(os.path.join(root, 'multiarch/aarch64'))
    loader = os.path.join(root, 'multiarch/aarch64/grubaa64.efi')
    harness.build_grub_efi(assets, 'aarch64', loader)
    _node(assets, root, 'aarch64', 'node1')
    _write(root, 'grub.cfg-01-' + _dashes(mac),
           _grub_cfg('node1', 'ttyAMA0,115200'))
    return ('aarch64', 'uefi', 'multiarch/aarch64/grubaa64.efi',
            'console=ttyAMA0,115200')


def x86_64_bios_pxelinux(assets, root, mac=MAC):
    shutil.copy(assets.pxelinux, root)
    shutil.copy(assets.ldlinux, root)
    _node(assets, root, 'x86_64', 'node')
    _write(root, 'pxelinux.cfg/01-' + _dashes(mac),
           'DEFAULT deploy\nPROMPT 0\nTIMEOUT 0\nLABEL deploy\n'
           '  KERNEL /node/deploy_kernel\n'
           '  APPEND initrd=/node/deploy_ramdisk console=ttyS0,115200n8'
           ' marker=x\n')
    return 'x86_64', 'bios', 'pxelinux.0', 'console=ttyS0,115200n8'


def x86_64_bios_ipxe(assets, root, mac=MAC):
    """The NIC ROM (iPXE) fetches the bootfile and runs it as a script."""
    _node(assets, root, 'x86_64', 'node')
    _write(root, 'boot.ipxe',
           '#!ipxe\n'
           'kernel tftp://10.0.2.2/node/deploy_kernel console=ttyS0,115200n8'
           ' marker=x BOOTIF=${mac} initrd=deploy_ramdisk\n'
           'initrd --name deploy_ramdisk tftp://10.0.2.2/node/deploy_ramdisk\n'
           'boot\n')
    return 'x86_64', 'bios', 'boot.ipxe', 'console=ttyS0,115200n8'


def x86_64_uefi_grub(assets, root, mac=MAC):
    os.makedirs(os.path.join(root, 'multiarch/x86_64'))
    harness.build_grub_efi(assets, 'x86_64',
                           os.path.join(root, 'multiarch/x86_64/grubx64.efi'))
    _node(assets, root, 'x86_64', 'node')
    _write(root, 'grub.cfg-01-' + _dashes(mac),
           _grub_cfg('node', 'ttyS0,115200n8'))
    return ('x86_64', 'uefi', 'multiarch/x86_64/grubx64.efi',
            'console=ttyS0,115200n8')


def aarch64_wrong_mac(assets, root):
    """Negative: the only config is for another MAC; must fail fast."""
    return aarch64_uefi_grub(assets, root, mac=OTHER_MAC)


CASES = {f.__name__: f for f in (aarch64_uefi_grub, x86_64_bios_pxelinux,
                                 x86_64_bios_ipxe, x86_64_uefi_grub,
                                 aarch64_wrong_mac)}


def main(names):
    start = time.monotonic()
    assets = harness.provision()
    print('provision: %.1fs' % (time.monotonic() - start), flush=True)
    failed = 0
    for name in names or CASES:
        root = tempfile.mkdtemp(prefix='multiarch-tftp-')
        try:
            arch, firmware, bootfile, console = CASES[name](assets, root)
            negative = name.endswith('wrong_mac')
            try:
                result = harness.boot(assets, arch, firmware, root, bootfile,
                                      MAC, timeout=180)
            except harness.BootFailure as exc:
                if not negative:
                    raise
                print('%-22s PASS  failure detected: %s' % (
                    name, str(exc).splitlines()[0]), flush=True)
                continue
            assert not negative, 'booted with a config for another MAC'
            assert console in result.cmdline.split(), result.cmdline
            assert result.arch == arch, result.arch
            print('%-22s PASS  %5.1fs  consoles=%s  cmdline=%s' % (
                name, result.elapsed, ','.join(result.consoles),
                result.cmdline), flush=True)
        except (AssertionError, harness.BootFailure) as exc:
            failed += 1
            print('%-22s FAIL  %s' % (name, exc), flush=True)
        finally:
            shutil.rmtree(root, ignore_errors=True)
    total = len(names or CASES)
    print('%d passed, %d failed' % (total - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
