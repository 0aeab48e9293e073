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

"""CPU architecture names, aliases and DHCP client-architecture codes.

Normalising is strict: a value is either one of the canonical names of an
installed profile or one of their aliases (any case); anything else is an
error that lists the accepted values.
"""

import re
import types

X86_64 = 'x86_64'
AARCH64 = 'aarch64'
PPC64LE = 'ppc64le'

#: Built-in aliases (lower case) of the canonical ``cpu_arch`` names.
ALIASES = types.MappingProxyType({
    'amd64': X86_64, 'x64': X86_64, 'x86-64': X86_64, 'x86_64': X86_64,
    'aarch64': AARCH64, 'arm64': AARCH64, 'aa64': AARCH64,
    'ppc64le': PPC64LE, 'ppc64el': PPC64LE, 'powerpc64le': PPC64LE,
    # Redfish ProcessorArchitecture/InstructionSet values; PowerISA does
    # not say the byte order: the Power machines served here run the
    # little-endian agent.
    'arm-a64': AARCH64, 'powerisa': PPC64LE,
})

#: IANA "Processor Architecture Types" (DHCPv4 option 93 / DHCPv6 61).
CLIENT_ARCH = types.MappingProxyType({
    0x00: 'x86 BIOS',
    0x06: 'IA32 UEFI',
    0x07: 'x64 UEFI',
    0x09: 'EBC (sent by x64 UEFI firmware)',
    0x0a: 'ARM 32-bit UEFI',
    0x0b: 'ARM 64-bit UEFI',
    0x0c: 'PowerPC Open Firmware',
    0x0d: 'PowerPC ePAPR (also sent by petitboot on arm64)',
    0x0e: 'POWER OPAL v3 (petitboot)',
    0x0f: 'IA32 UEFI HTTP',
    0x10: 'x64 UEFI HTTP',
    0x11: 'EBC HTTP',
    0x12: 'ARM 32-bit UEFI HTTP',
    0x13: 'ARM 64-bit UEFI HTTP',
    0x19: 'RISC-V 32-bit UEFI',
    0x1b: 'RISC-V 64-bit UEFI',
    0x1c: 'RISC-V 64-bit UEFI HTTP',
    0x1f: 's390 Basic',
    0x20: 's390 Extended',
})

_WELL_FORMED = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$')


def client_arch_name(code):
    """Return the IANA name of a client-architecture code.

    :param code: the option 93 value as an int.
    :returns: its name, or ``'unassigned 0x..'``.
    """
    return CLIENT_ARCH.get(code, 'unassigned 0x%02x' % code)


def normalize(value, known, aliases=None):
    """Return the canonical architecture name of ``value``.

    :param value: a ``cpu_arch`` as written by a user or a tool.
    :param known: the canonical names that are acceptable (installed and
        enabled profiles).
    :param aliases: extra alias -> canonical mapping (profile aliases and
        ``[multiarch]arch_aliases``), merged over :data:`ALIASES`.
    :returns: a member of ``known``.
    :raises ValueError: with the list of accepted values, if ``value`` is
        empty, malformed, unknown or not among ``known``.
    """
    known = tuple(known)
    table = dict(ALIASES)
    table.update({k.lower(): v for k, v in (aliases or {}).items()})
    if not isinstance(value, str) or not _WELL_FORMED.fullmatch(value):
        raise ValueError('%r is not a CPU architecture; accepted: %s'
                         % (value, accepted(known, table)))
    lowered = value.lower()
    name = table.get(lowered, lowered)
    if name not in known:
        raise ValueError('%r is not an enabled CPU architecture; accepted: %s'
                         % (value, accepted(known, table)))
    return name


def accepted(known, aliases):
    """Describe the accepted values: canonical names with their aliases.

    :param known: canonical names.
    :param aliases: alias -> canonical mapping.
    :returns: e.g. ``'aarch64 (aa64, arm64), x86_64 (amd64, x64)'``.
    """
    parts = []
    for name in sorted(known):
        alts = sorted(a for a, c in aliases.items() if c == name and a != name)
        parts.append('%s (%s)' % (name, ', '.join(alts)) if alts else name)
    return ', '.join(parts)
