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

"""``doctor`` reads each loader's header: a wrong architecture fails."""

import argparse
import io
import shutil

from ironic_multiarch.cmd import common
from ironic_multiarch.cmd import doctor
from tests.unit import test_binaries as tb


def by_name(checks):
    return {c.name: c for c in checks}


def place(tmp_path, arch, name, source=None, data=None):
    d = tmp_path / 'tftpboot' / 'multiarch' / arch
    d.mkdir(parents=True, exist_ok=True)
    if source:
        shutil.copyfile(source, d / name)
    else:
        (d / name).write_bytes(data)
    return d / name


def roots(tmp_path):
    for name in ('tftpboot', 'httpboot', 'images'):
        (tmp_path / name).mkdir(exist_ok=True)
    for name in ('x86.kernel', 'x86.ramdisk'):
        (tmp_path / 'images' / name).write_text('x')


def run(conf_file):
    out = io.StringIO()
    status = doctor.run(argparse.Namespace(config_file=[conf_file],
                                           format='table'), out=out)
    return status, out.getvalue()


def test_x86_grub_served_as_grubaa64_fails(conf_file, tmp_path):
    roots(tmp_path)
    x64 = tb.debian_file(*tb.GRUB_X64)
    placed = place(tmp_path, 'aarch64', 'grubaa64.efi', source=x64)
    place(tmp_path, 'x86_64', 'grubx64.efi', source=x64)
    checks = by_name(doctor.run_checks(common.load_context([conf_file]),
                                       _head=lambda url: None))
    arm = checks['aarch64 uefi loader grubaa64.efi architecture']
    assert arm.status == doctor.FAIL
    assert arm.detail == (
        '%s (served as multiarch/aarch64/grubaa64.efi to aarch64 nodes) is '
        'an EFI application for x86_64 (PE machine 0x8664), but aarch64 '
        'nodes need an EFI binary for aarch64 (PE machine 0xaa64). Set '
        '[multiarch_aarch64]loader_paths, for example grubaa64.efi:'
        '/usr/lib/grub/arm64-efi-signed/grubnetaa64.efi.signed' % placed)
    x86 = checks['x86_64 uefi loader grubx64.efi architecture']
    assert x86.status == doctor.OK
    assert x86.detail == ('grubx64.efi is an EFI application for x86_64 '
                          '(PE machine 0x8664)')
    status, out = run(conf_file)
    assert status == common.EXIT_PROBLEMS
    assert ('FAIL  aarch64 uefi loader grubaa64.efi architecture: %s '
            '(served as multiarch/aarch64/grubaa64.efi' % placed) in out


def test_right_aarch64_shim_and_grub_pass(conf_file, tmp_path):
    roots(tmp_path)
    place(tmp_path, 'aarch64', 'grubaa64.efi',
          source=tb.debian_file(*tb.GRUB_AA64))
    place(tmp_path, 'aarch64', 'bootaa64.efi',
          source=tb.debian_file(*tb.SHIM_AA64))
    with open(conf_file, 'a') as f:
        f.write('loaders = uefi:shim\n')
    checks = by_name(doctor.run_checks(common.load_context([conf_file]),
                                       _head=lambda url: None))
    for name in ('aarch64 uefi loader grubaa64.efi architecture',
                 'aarch64 uefi loader bootaa64.efi architecture',
                 'aarch64 uefi shim bootaa64.efi loads grubaa64.efi'):
        assert checks[name].status == doctor.OK, checks[name]
    assert checks['aarch64 uefi shim bootaa64.efi loads grubaa64.efi'] \
        .detail == ('both an EFI application for aarch64 (PE machine '
                    '0xaa64)')


def test_x86_shim_beside_aarch64_grub_fails(conf_file, tmp_path):
    roots(tmp_path)
    place(tmp_path, 'aarch64', 'grubaa64.efi',
          source=tb.debian_file(*tb.GRUB_AA64))
    shim = place(tmp_path, 'aarch64', 'bootaa64.efi',
                 source=tb.debian_file(*tb.SHIM_X64))
    with open(conf_file, 'a') as f:
        f.write('loaders = uefi:shim\n')
    checks = by_name(doctor.run_checks(common.load_context([conf_file]),
                                       _head=lambda url: None))
    own = checks['aarch64 uefi loader bootaa64.efi architecture']
    assert own.status == doctor.FAIL
    assert own.detail.startswith(
        '%s (served as multiarch/aarch64/bootaa64.efi to aarch64 nodes) is '
        'an EFI application for x86_64 (PE machine 0x8664)' % shim)
    pair = checks['aarch64 uefi shim bootaa64.efi loads grubaa64.efi']
    assert pair.status == doctor.FAIL
    assert pair.detail == (
        'bootaa64.efi is an EFI application for x86_64 (PE machine 0x8664) '
        'but the GRUB it loads, grubaa64.efi, is an EFI application for '
        'aarch64 (PE machine 0xaa64). Serve the shim and the GRUB of one '
        'architecture: set [multiarch_aarch64]loader_paths, for example '
        'grubaa64.efi:/usr/lib/grub/arm64-efi-signed/grubnetaa64.efi.signed')


def test_bios_loaders_and_a_wrong_source(conf_file, tmp_path):
    roots(tmp_path)
    place(tmp_path, 'x86_64', 'pxelinux.0',
          source=tb.debian_file(*tb.PXELINUX))
    place(tmp_path, 'x86_64', 'ldlinux.c32',
          source=tb.debian_file(*tb.LDLINUX))
    # the source the conductor would copy next is checked too
    with open(conf_file, 'a') as f:
        f.write('[multiarch_x86_64]\nloader_paths = undionly.kpxe:%s\n'
                '[DEFAULT]\nenabled_boot_interfaces = multiarch-ipxe\n'
                % tb.debian_file(*tb.SNPONLY))
    checks = by_name(doctor.run_checks(common.load_context([conf_file]),
                                       _head=lambda url: None))
    assert checks['x86_64 bios loader pxelinux.0 architecture'].detail == (
        'pxelinux.0 is a real-mode PXE boot program (far jump into '
        '0000:7C00)')
    assert checks['x86_64 bios loader ldlinux.c32 architecture'].status == \
        doctor.OK
    ipxe = checks['x86_64 bios ipxe loader undionly.kpxe architecture']
    assert ipxe.status == doctor.FAIL
    assert ipxe.detail.startswith(
        '%s (served as multiarch/x86_64/undionly.kpxe to x86_64 nodes) is an '
        'EFI application for x86_64 (PE machine 0x8664), not a BIOS PXE boot '
        'program (raw 16-bit code, not PE or ELF). Set '
        '[multiarch_x86_64]loader_paths, for example undionly.kpxe:'
        '/usr/lib/ipxe/undionly.kpxe' % tb.debian_file(*tb.SNPONLY))
