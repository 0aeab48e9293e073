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

"""What a loader file is, read from its header, and whether it fits.

A loader served to the wrong architecture fails on the firmware's
console with a message that rarely names the cause (``Unsupported``,
``Exec format error``, a silent reset). The header says what a file is:

* EFI applications are PE/COFF images: ``MZ`` at 0, the offset of the
  ``PE\\0\\0`` signature at 0x3c, then the COFF ``Machine`` field (PE
  Format, "Machine Types": 0x8664 AMD64, 0xaa64 ARM64, 0x5064 RISCV64,
  0x6264 LOONGARCH64, 0x14c I386, 0x1c4 ARMNT, 0xebc EFI byte code) and,
  in the optional header, the subsystem (10 EFI application, 11 boot
  service driver, 12 runtime driver).
* Open Firmware GRUB images and syslinux modules are ELF files
  (``e_ident`` class and byte order, ``e_machine``: 3 i386, 20 PowerPC,
  21 PowerPC64, 62 x86-64, 183 AArch64, 243 RISC-V, 22 s390). What
  ``grub-mkimage -O powerpc-ieee1275`` writes is a 32-bit big-endian
  ``EM_PPC`` ELF, also when built from a ppc64el package: Open Firmware
  runs GRUB in 32-bit big-endian mode. So a ppc64le Open Firmware loader
  may be ``EM_PPC`` (ELF32) or ``EM_PPC64``.
* BIOS PXE network bootstrap programs (``pxelinux.0``,
  ``undionly.kpxe``) are raw 16-bit code loaded at 0000:7C00 and have no
  magic number. Both syslinux (``jmp 0:_start1``) and iPXE's PXE prefix
  (``ljmp $0x7c0, ...``) begin with a far jump into the image as loaded
  there; that is recognised, and anything else that is not a PE or ELF
  file is accepted as "raw, not checked". A PE or ELF file there is
  wrong.

Everything here is a pure function of bytes except :func:`read`.
"""

import dataclasses
import re
import struct

#: PE/COFF machine types (Microsoft PE Format specification).
PE_MACHINES = {
    0x014c: 'i386', 0x01c2: 'arm (thumb)', 0x01c4: 'armv7',
    0x0200: 'ia64', 0x0ebc: 'EFI byte code', 0x5032: 'riscv32',
    0x5064: 'riscv64', 0x5128: 'riscv128', 0x6232: 'loongarch32',
    0x6264: 'loongarch64', 0x8664: 'x86_64', 0xaa64: 'aarch64',
}
#: ELF e_machine values (System V ABI, elf.h).
ELF_MACHINES = {
    2: 'sparc', 3: 'i386', 8: 'mips', 20: 'powerpc', 21: 'powerpc64',
    22: 's390', 40: 'arm', 43: 'sparc64', 62: 'x86_64', 183: 'aarch64',
    243: 'riscv', 258: 'loongarch',
}
#: PE subsystems an EFI loader may have.
EFI_SUBSYSTEMS = {10: 'EFI application', 11: 'EFI boot service driver',
                  12: 'EFI runtime driver'}

#: What each architecture's firmware runs: PE machine, ELF machines.
PE_FOR_ARCH = {'x86_64': 0x8664, 'aarch64': 0xaa64, 'riscv64': 0x5064,
               'loongarch64': 0x6264}
ELF_FOR_ARCH = {'x86_64': (62,), 'aarch64': (183,), 'ppc64le': (20, 21),
                'ppc64': (20, 21), 'riscv64': (243,), 's390x': (22,),
                'loongarch64': (258,)}

EFI = 'EFI'
ELF = 'ELF'
NBP = 'PXE NBP'
SYSLINUX = 'syslinux module'

#: Expected kind by the served file name's ending.
_BY_SUFFIX = (('.efi', EFI), ('.efi.signed', EFI), ('.elf', ELF),
              ('.c32', SYSLINUX), ('.0', NBP), ('.kpxe', NBP),
              ('.kkpxe', NBP), ('.kkkpxe', NBP), ('.pxe', NBP))

#: How much of a file :func:`read` returns at most (shim is ~1 MiB).
READ_LIMIT = 16 * 1024 * 1024
#: Where a PXE NBP is loaded (PXE specification 2.1, 4.4.5).
NBP_LOAD = 0x7c00


@dataclasses.dataclass(frozen=True)
class Identity:
    """What a file's header says it is.

    :param kind: ``EFI`` (PE/COFF), ``ELF``, ``PXE NBP`` (recognised
        real-mode entry), or ``None`` for anything else.
    :param arch: the machine it runs on (``x86_64``...), or ``None``.
    :param machine: the raw PE ``Machine`` / ELF ``e_machine``.
    :param detail: human-readable description.
    """

    kind: object
    arch: object
    machine: object
    detail: str

    def __str__(self):
        return self.detail


def _u16(data, offset, endian='<'):
    return struct.unpack_from(endian + 'H', data, offset)[0]


def _u32(data, offset):
    return struct.unpack_from('<I', data, offset)[0]


def _pe(data):
    if len(data) < 0x40:
        return None
    lfanew = _u32(data, 0x3c)
    if lfanew + 24 > len(data) or data[lfanew:lfanew + 4] != b'PE\0\0':
        return Identity(None, None, None,
                        'an MZ (DOS) executable without a PE header')
    machine = _u16(data, lfanew + 4)
    optional = lfanew + 24
    subsystem = None
    if optional + 70 <= len(data) and _u16(data, optional) in (0x10b,
                                                               0x20b):
        subsystem = _u16(data, optional + 68)
    arch = PE_MACHINES.get(machine)
    what = EFI_SUBSYSTEMS.get(subsystem)
    if what is None:
        what = ('a PE/COFF image with subsystem %s (not EFI)' % subsystem
                if subsystem is not None else 'a PE/COFF image')
    else:
        what = 'an ' + what
    return Identity(EFI if subsystem in EFI_SUBSYSTEMS else None, arch,
                    machine, '%s for %s (PE machine 0x%04x)'
                    % (what, arch or 'an unknown machine', machine))


def _elf(data):
    if len(data) < 20:
        return Identity(None, None, None, 'a truncated ELF file')
    bits = {1: 32, 2: 64}.get(data[4])
    endian = {1: '<', 2: '>'}.get(data[5])
    if bits is None or endian is None:
        return Identity(None, None, None, 'an ELF file with a bad e_ident')
    machine = _u16(data, 18, endian)
    arch = ELF_MACHINES.get(machine)
    if machine == 21:
        arch = 'powerpc64 little-endian' if endian == '<' else \
            'powerpc64 big-endian'
    order = 'little-endian' if endian == '<' else 'big-endian'
    return Identity(ELF, arch, machine, 'an ELF%d %s file for %s '
                    '(e_machine %d)' % (bits, order,
                                        arch or 'an unknown machine',
                                        machine))


def _far_jump_into_image(data):
    """Whether the first instruction is ``jmp far`` into the image loaded
    at 0000:7C00 (syslinux: ``ea 24 7c 00 00``; iPXE: ``ea 05 00 c0 07``).
    """
    if len(data) < 5 or data[0] != 0xea:
        return False
    offset, segment = struct.unpack_from('<HH', data, 1)
    target = segment * 16 + offset
    return NBP_LOAD <= target < NBP_LOAD + max(len(data), 5)


def identify(data):
    """Say what ``data`` (a file's first bytes or all of it) is.

    :returns: :class:`Identity`.
    """
    if not data:
        return Identity(None, None, None, 'an empty file')
    if data[:2] == b'MZ':
        found = _pe(data)
        if found:
            return found
    if data[:4] == b'\x7fELF':
        return _elf(data)
    if _far_jump_into_image(data):
        return Identity(NBP, None, None, 'a real-mode PXE boot program '
                        '(far jump into 0000:7C00)')
    if data[:6] == b'#!ipxe':
        return Identity(None, None, None, 'an iPXE script')
    if data[:2] == b'\x1f\x8b':
        return Identity(None, None, None, 'a gzip file')
    head = data[:512]
    if all(32 <= b < 127 or b in (9, 10, 13) for b in head):
        return Identity(None, None, None, 'a text file')
    return Identity(None, None, None, 'raw data with no known header')


def expected_kind(name):
    """The kind of file ``name`` must be, by its ending, or ``None``."""
    lower = name.lower()
    for suffix, kind in sorted(_BY_SUFFIX, key=lambda s: -len(s[0])):
        if lower.endswith(suffix):
            return kind
    return None


def describe_expected(arch, name):
    """What a loader named ``name`` served to ``arch`` should be."""
    kind = expected_kind(name)
    if kind == EFI:
        machine = PE_FOR_ARCH.get(arch)
        return ('an EFI binary for %s (PE machine 0x%04x)' % (arch, machine)
                if machine else 'an EFI binary for %s' % arch)
    if kind == SYSLINUX:
        return 'a BIOS syslinux module (ELF32 i386, e_machine 3)'
    if kind == NBP:
        return 'a BIOS PXE boot program (raw 16-bit code, not PE or ELF)'
    machines = ELF_FOR_ARCH.get(arch, ())
    return ('an ELF file for %s (e_machine %s)'
            % (arch, ' or '.join(str(m) for m in machines))
            if machines else 'a loader for %s' % arch)


def check(data, arch, name):
    """Whether ``data`` fits as the loader ``name`` served to ``arch``.

    :param data: the file's bytes (the first 64 KiB are enough).
    :param arch: canonical architecture (``x86_64``, ``aarch64``...).
    :param name: the name the file is served under (``grubaa64.efi``).
    :returns: ``(problem or None, identity)``; the problem says what the
        file is and what it should be.
    """
    found = identify(data)
    kind = expected_kind(name)
    should = describe_expected(arch, name)
    problem = None
    if kind == EFI:
        want = PE_FOR_ARCH.get(arch)
        if found.kind != EFI:
            problem = 'is %s, not %s' % (found, should)
        elif want is not None and found.machine != want:
            problem = 'is %s, but %s nodes need %s' % (found, arch, should)
    elif kind == SYSLINUX:
        if found.kind != ELF or found.machine != 3:
            problem = 'is %s, not %s' % (found, should)
    elif kind == NBP:
        if found.kind in (EFI, ELF):
            problem = 'is %s, not %s' % (found, should)
    else:
        if found.kind == EFI and arch in PE_FOR_ARCH \
                and found.machine != PE_FOR_ARCH[arch]:
            problem = 'is %s, but %s nodes need an EFI binary for %s' % (
                found, arch, arch)
        elif kind == ELF and found.kind != ELF:
            problem = 'is %s, not %s' % (found, should)
        elif found.kind == ELF and arch in ELF_FOR_ARCH \
                and found.machine not in ELF_FOR_ARCH[arch]:
            problem = 'is %s, but %s nodes need %s' % (found, arch, should)
    return problem, found


_SHIM_LOADER = re.compile(rb'\\\x00(?:\\\x00)?((?:[A-Za-z0-9_]\x00){1,32}'
                          rb'\.\x00[eE]\x00[fF]\x00[iI]\x00)')


def shim_second_stage(data):
    """The second-stage file name compiled into a shim, if found.

    Shim loads ``DEFAULT_LOADER`` (``\\grub<arch>.efi``, a UTF-16
    string) from its own directory unless told otherwise.

    :returns: e.g. ``grubaa64.efi``, or ``None``.
    """
    for match in _SHIM_LOADER.finditer(data):
        name = match.group(1).decode('utf-16-le')
        if name.lower().startswith('grub'):
            return name
    return None


def check_shim_pair(shim_data, shim_name, grub_data, grub_name):
    """Whether a shim and the GRUB beside it belong together.

    Both must be EFI binaries of the same machine, and the GRUB must be
    served under the name the shim loads.

    :returns: a problem (str) or ``None``.
    """
    shim, grub = identify(shim_data), identify(grub_data)
    if shim.kind != EFI or grub.kind != EFI:
        return None  # each file's own check reports this
    if shim.machine != grub.machine:
        return ('%s is %s but the GRUB it loads, %s, is %s'
                % (shim_name, shim, grub_name, grub))
    wants = shim_second_stage(shim_data)
    if wants and wants.lower() != grub_name.lower():
        return ('%s loads %s from its directory, but GRUB is served as %s'
                % (shim_name, wants, grub_name))
    return None


def read(path, limit=READ_LIMIT):
    """Read at most ``limit`` bytes of a file.

    :raises OSError: as :func:`open` does.
    """
    with open(path, 'rb') as f:
        return f.read(limit)
