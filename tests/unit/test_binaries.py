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

"""Loader headers: what a file is and whether it fits its architecture.

Hand-built headers cover each rule; real Debian loaders (downloaded once
with ``apt-get download`` into ``~/.cache/ironic-multiarch/loaders``, or
skipped with the reason when apt cannot fetch them) show the rules hold
for the files operators actually serve.
"""

import glob
import os
import shutil
import struct
import subprocess
import tempfile
from unittest import mock

import pytest

from ironic_multiarch import binaries
from ironic_multiarch import loader_choice
from ironic_multiarch import precedence as prec
from ironic_multiarch import tree

CACHE = os.path.join(os.environ.get('XDG_CACHE_HOME')
                     or os.path.join(os.path.expanduser('~'), '.cache'),
                     'ironic-multiarch', 'loaders')

GRUB_X64 = ('grub-efi-amd64-bin',
            'usr/lib/grub/x86_64-efi/monolithic/grubnetx64.efi')
GRUB_AA64 = ('grub-efi-arm64-bin:arm64',
             'usr/lib/grub/arm64-efi/monolithic/grubnetaa64.efi')
SHIM_X64 = ('shim-signed', 'usr/lib/shim/shimx64.efi.signed')
SHIM_AA64 = ('shim-unsigned:arm64', 'usr/lib/shim/shimaa64.efi')
PXELINUX = ('pxelinux', 'usr/lib/PXELINUX/pxelinux.0')
LDLINUX = ('syslinux-common', 'usr/lib/syslinux/modules/bios/ldlinux.c32')
UNDIONLY = ('ipxe', 'usr/lib/ipxe/undionly.kpxe')
SNPONLY = ('ipxe', 'usr/lib/ipxe/snponly.efi')


def debian_file(package, member):
    """A file of a Debian package: installed, cached, or downloaded.

    :param package: ``name`` or ``name:arch`` (a foreign package is
        downloaded, never installed).
    :param member: its path inside the package, without the leading /.
    :returns: a readable path.
    """
    if ':' not in package and os.path.isfile('/' + member):
        return '/' + member
    dest = os.path.join(CACHE, package.replace(':', '_'))
    path = os.path.join(dest, member)
    if os.path.isfile(path):
        return path
    if not (shutil.which('apt-get') and shutil.which('dpkg-deb')):
        pytest.skip('%s is not installed and apt-get/dpkg-deb are not '
                    'available to download it' % package)
    os.makedirs(CACHE, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=CACHE, prefix='.download-')
    try:
        proc = subprocess.run(['apt-get', 'download', package], cwd=tmp,
                              capture_output=True, text=True, timeout=600)
        debs = glob.glob(os.path.join(tmp, '*.deb'))
        if proc.returncode or not debs:
            reason = (proc.stderr.strip().splitlines() or ['no .deb'])[-1]
            pytest.skip('apt-get download %s failed: %s (for a foreign '
                        'architecture run dpkg --add-architecture and '
                        'apt-get update first)' % (package, reason))
        subprocess.run(['dpkg-deb', '-x', debs[0], os.path.join(tmp, 'x')],
                       check=True, timeout=300)
        try:
            os.rename(os.path.join(tmp, 'x'), dest)
        except OSError:
            pass  # another test run placed it first
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not os.path.isfile(path):
        pytest.skip('%s has no %s' % (package, member))
    return path


def real(spec):
    return binaries.read(debian_file(*spec))


def pe(machine, subsystem=10, magic=0x20b, lfanew=0x80):
    """A minimal PE image header: MZ, e_lfanew, PE signature, COFF
    header, optional header magic and subsystem."""
    data = bytearray(lfanew + 24 + 96)
    data[0:2] = b'MZ'
    struct.pack_into('<I', data, 0x3c, lfanew)
    data[lfanew:lfanew + 4] = b'PE\0\0'
    struct.pack_into('<H', data, lfanew + 4, machine)
    struct.pack_into('<H', data, lfanew + 24, magic)
    struct.pack_into('<H', data, lfanew + 24 + 68, subsystem)
    return bytes(data)


def elf(machine, bits=64, big=False):
    """A minimal ELF header: e_ident and e_machine."""
    data = bytearray(64)
    data[0:4] = b'\x7fELF'
    data[4] = 1 if bits == 32 else 2
    data[5] = 2 if big else 1
    data[6] = 1
    struct.pack_into('>H' if big else '<H', data, 18, machine)
    return bytes(data)


def nbp(first_bytes, size=4096):
    return first_bytes + bytes(size - len(first_bytes))


# -- hand-built headers -------------------------------------------------

@pytest.mark.parametrize('machine,arch', [(0x8664, 'x86_64'),
                                          (0xaa64, 'aarch64'),
                                          (0x5064, 'riscv64')])
def test_efi_binary_of_its_architecture_fits(machine, arch):
    problem, found = binaries.check(pe(machine), arch, 'loader.efi')
    assert problem is None
    assert found.kind == binaries.EFI and found.arch == arch


def test_x86_efi_binary_served_to_aarch64_is_wrong():
    problem, found = binaries.check(pe(0x8664), 'aarch64', 'grubaa64.efi')
    assert problem == ('is an EFI application for x86_64 (PE machine '
                       '0x8664), but aarch64 nodes need an EFI binary for '
                       'aarch64 (PE machine 0xaa64)')


def test_aarch64_efi_binary_served_to_riscv64_is_wrong():
    problem, _ = binaries.check(pe(0xaa64), 'riscv64', 'grubriscv64.efi')
    assert problem == ('is an EFI application for aarch64 (PE machine '
                       '0xaa64), but riscv64 nodes need an EFI binary for '
                       'riscv64 (PE machine 0x5064)')


def test_pe32_header_is_read_as_well():
    found = binaries.identify(pe(0x14c, magic=0x10b))
    assert found.detail == 'an EFI application for i386 (PE machine 0x014c)'


def test_windows_pe_is_not_an_efi_binary():
    problem, _ = binaries.check(pe(0x8664, subsystem=3), 'x86_64',
                                'grubx64.efi')
    assert problem == ('is a PE/COFF image with subsystem 3 (not EFI) for '
                       'x86_64 (PE machine 0x8664), not an EFI binary for '
                       'x86_64 (PE machine 0x8664)')


def test_signed_name_and_driver_subsystem():
    assert binaries.expected_kind('shimx64.efi.signed') == binaries.EFI
    assert binaries.identify(pe(0xaa64, subsystem=11)).detail == (
        'an EFI boot service driver for aarch64 (PE machine 0xaa64)')


@pytest.mark.parametrize('data,detail', [
    (b'', 'an empty file'),
    (b'x', 'a text file'),
    (b'#!ipxe\nboot\n', 'an iPXE script'),
    (b'\x1f\x8b\x08\x00' + bytes(60), 'a gzip file'),
    (b'MZ' + bytes(0x3a) + struct.pack('<I', 0x40) + bytes(64),
     'an MZ (DOS) executable without a PE header'),
    (b'\x7fELF\x03\x01' + bytes(58), 'an ELF file with a bad e_ident'),
    (bytes(range(256)), 'raw data with no known header'),
])
def test_what_is_not_a_loader(data, detail):
    assert binaries.identify(data).detail == detail
    problem, _ = binaries.check(data, 'x86_64', 'grubx64.efi')
    assert problem == 'is %s, not an EFI binary for x86_64 (PE machine ' \
        '0x8664)' % detail


@pytest.mark.parametrize('data,detail', [
    (elf(20, bits=32, big=True),
     'an ELF32 big-endian file for powerpc (e_machine 20)'),
    (elf(21, big=True),
     'an ELF64 big-endian file for powerpc64 big-endian (e_machine 21)'),
    (elf(21), 'an ELF64 little-endian file for powerpc64 little-endian '
              '(e_machine 21)'),
])
def test_open_firmware_grub_for_ppc64le(data, detail):
    problem, found = binaries.check(data, 'ppc64le', 'core.elf')
    assert problem is None
    assert found.detail == detail


def test_x86_elf_as_ppc64le_core_elf_is_wrong():
    problem, _ = binaries.check(elf(62), 'ppc64le', 'core.elf')
    assert problem == ('is an ELF64 little-endian file for x86_64 '
                       '(e_machine 62), but ppc64le nodes need an ELF file '
                       'for ppc64le (e_machine 20 or 21)')


def test_efi_binary_as_core_elf_is_wrong():
    problem, _ = binaries.check(pe(0x8664), 'ppc64le', 'core.elf')
    assert problem == ('is an EFI application for x86_64 (PE machine '
                       '0x8664), not an ELF file for ppc64le (e_machine 20 '
                       'or 21)')


def test_syslinux_module_is_elf32_i386():
    assert binaries.check(elf(3, bits=32), 'x86_64', 'ldlinux.c32')[0] \
        is None
    problem, _ = binaries.check(elf(62), 'x86_64', 'ldlinux.c32')
    assert problem == ('is an ELF64 little-endian file for x86_64 '
                       '(e_machine 62), not a BIOS syslinux module (ELF32 '
                       'i386, e_machine 3)')


@pytest.mark.parametrize('first', [
    b'\xea\x24\x7c\x00\x00',   # syslinux: jmp 0000:7C24
    b'\xea\x05\x00\xc0\x07',   # iPXE pxeprefix: ljmp $0x7c0, $5
])
def test_pxe_program_far_jump_is_recognised(first):
    found = binaries.identify(nbp(first))
    assert found.kind == binaries.NBP
    assert binaries.check(nbp(first), 'x86_64', 'pxelinux.0')[0] is None


def test_far_jump_outside_the_image_is_not_a_pxe_signature():
    # jmp F000:FFF0 (the BIOS reset vector), or past the end of the file
    for first in (b'\xea\xf0\xff\x00\xf0', b'\xea\x00\x90\x00\x00'):
        found = binaries.identify(nbp(first, size=16))
        assert found.kind is None
        # no signature to demand: a raw program is accepted
        assert binaries.check(nbp(first, 16), 'x86_64',
                              'undionly.kpxe')[0] is None


@pytest.mark.parametrize('data,what', [
    (pe(0x8664), 'an EFI application for x86_64 (PE machine 0x8664)'),
    (elf(3, bits=32), 'an ELF32 little-endian file for i386 (e_machine 3)'),
])
def test_pe_or_elf_as_bios_pxe_program_is_wrong(data, what):
    problem, _ = binaries.check(data, 'x86_64', 'undionly.kpxe')
    assert problem == ('is %s, not a BIOS PXE boot program (raw 16-bit '
                       'code, not PE or ELF)' % what)


def test_unknown_name_checks_the_machine_only():
    assert binaries.check(pe(0xaa64), 'aarch64', 'loader')[0] is None
    assert binaries.check(b'anything', 'aarch64', 'loader')[0] is None
    assert binaries.check(pe(0x8664), 'aarch64', 'loader')[0] == (
        'is an EFI application for x86_64 (PE machine 0x8664), but aarch64 '
        'nodes need an EFI binary for aarch64')


def shim(machine, second):
    return pe(machine) + b'\0\0' + ('\\%s' % second).encode(
        'utf-16-le') + b'\0\0'


def test_shim_second_stage_name():
    assert binaries.shim_second_stage(shim(0xaa64, 'grubaa64.efi')) == \
        'grubaa64.efi'
    assert binaries.shim_second_stage(pe(0xaa64)) is None


def test_shim_and_grub_pair():
    assert binaries.check_shim_pair(shim(0xaa64, 'grubaa64.efi'),
                                    'bootaa64.efi', pe(0xaa64),
                                    'grubaa64.efi') is None
    assert binaries.check_shim_pair(
        shim(0xaa64, 'grubaa64.efi'), 'bootaa64.efi', pe(0x8664),
        'grubaa64.efi') == (
        'bootaa64.efi is an EFI application for aarch64 (PE machine 0xaa64) '
        'but the GRUB it loads, grubaa64.efi, is an EFI application for '
        'x86_64 (PE machine 0x8664)')
    # an x86_64 shim renamed for aarch64 looks for grubx64.efi
    assert binaries.check_shim_pair(
        shim(0xaa64, 'grubx64.efi'), 'bootaa64.efi', pe(0xaa64),
        'grubaa64.efi') == ('bootaa64.efi loads grubx64.efi from its '
                            'directory, but GRUB is served as grubaa64.efi')


# -- real Debian loaders --------------------------------------------------

def test_debian_x86_64_grub():
    data = real(GRUB_X64)
    assert binaries.identify(data).detail == (
        'an EFI application for x86_64 (PE machine 0x8664)')
    assert binaries.check(data, 'x86_64', 'grubx64.efi')[0] is None
    assert binaries.check(data, 'aarch64', 'grubaa64.efi')[0] == (
        'is an EFI application for x86_64 (PE machine 0x8664), but aarch64 '
        'nodes need an EFI binary for aarch64 (PE machine 0xaa64)')


def test_debian_aarch64_grub_and_shim():
    grub, shim_data = real(GRUB_AA64), real(SHIM_AA64)
    assert binaries.check(grub, 'aarch64', 'grubaa64.efi')[0] is None
    assert binaries.check(shim_data, 'aarch64', 'bootaa64.efi')[0] is None
    assert binaries.shim_second_stage(shim_data) == 'grubaa64.efi'
    assert binaries.check_shim_pair(shim_data, 'bootaa64.efi', grub,
                                    'grubaa64.efi') is None
    assert binaries.check(grub, 'x86_64', 'grubx64.efi')[0] == (
        'is an EFI application for aarch64 (PE machine 0xaa64), but x86_64 '
        'nodes need an EFI binary for x86_64 (PE machine 0x8664)')


def test_debian_signed_x86_64_shim_with_aarch64_grub():
    shim_data = real(SHIM_X64)
    assert binaries.identify(shim_data).arch == 'x86_64'
    assert binaries.shim_second_stage(shim_data) == 'grubx64.efi'
    assert binaries.check_shim_pair(shim_data, 'bootx64.efi',
                                    real(GRUB_X64), 'grubx64.efi') is None
    assert binaries.check_shim_pair(
        shim_data, 'bootaa64.efi', real(GRUB_AA64), 'grubaa64.efi') == (
        'bootaa64.efi is an EFI application for x86_64 (PE machine 0x8664) '
        'but the GRUB it loads, grubaa64.efi, is an EFI application for '
        'aarch64 (PE machine 0xaa64)')


def test_debian_bios_loaders():
    for spec, name in ((PXELINUX, 'pxelinux.0'),
                       (UNDIONLY, 'undionly.kpxe')):
        problem, found = binaries.check(real(spec), 'x86_64', name)
        assert problem is None and found.kind == binaries.NBP, name
    problem, found = binaries.check(real(LDLINUX), 'x86_64', 'ldlinux.c32')
    assert problem is None
    assert found.detail == 'an ELF32 little-endian file for i386 ' \
        '(e_machine 3)'
    problem, _ = binaries.check(real(SNPONLY), 'x86_64', 'undionly.kpxe')
    assert problem == ('is an EFI application for x86_64 (PE machine '
                       '0x8664), not a BIOS PXE boot program (raw 16-bit '
                       'code, not PE or ELF)')


# -- the conductor's start-up placement -------------------------------------

def loader_file(arch, name, source):
    return loader_choice.LoaderFile(name, 'multiarch/%s/%s' % (arch, name),
                              prec.Chosen(source, 'test', prec.ARCH_GROUP))


@mock.patch.object(tree, 'LOG', autospec=True)
def test_place_loaders_keeps_a_wrong_architecture_out(log, tmp_path):
    good = tmp_path / 'grubnetaa64.efi'
    good.write_bytes(pe(0xaa64))
    bad = tmp_path / 'grubnetx64.efi'
    bad.write_bytes(pe(0x8664))
    root = tmp_path / 'tftp'
    missing = tree.place_loaders(
        {'tftp': str(root)},
        [loader_file('aarch64', 'grubaa64.efi', str(bad)),
         loader_file('x86_64', 'grubx64.efi', str(bad)),
         loader_file('aarch64', 'snponly.efi', str(good))])
    assert missing == []
    assert not (root / 'multiarch/aarch64/grubaa64.efi').exists()
    assert (root / 'multiarch/x86_64/grubx64.efi').read_bytes() == pe(0x8664)
    assert (root / 'multiarch/aarch64/snponly.efi').exists()
    assert [c.args[0] % c.args[1] for c in log.warning.call_args_list] == [
        'Loader file %s is not placed as multiarch/aarch64/grubaa64.efi: it '
        'is an EFI application for x86_64 (PE machine 0x8664), but aarch64 '
        'nodes need an EFI binary for aarch64 (PE machine 0xaa64). Set '
        '[multiarch_aarch64]loader_paths to a build of grubaa64.efi for '
        'aarch64.' % bad]


@mock.patch.object(tree, 'LOG', autospec=True)
def test_place_loaders_places_what_it_cannot_recognise(log, tmp_path):
    source = tmp_path / 'pxelinux.0'
    source.write_text('x')
    root = tmp_path / 'tftp'
    tree.place_loaders({'tftp': str(root)},
                       [loader_file('x86_64', 'pxelinux.0', str(source))])
    assert (root / 'multiarch/x86_64/pxelinux.0').read_text() == 'x'
    assert not log.warning.called
