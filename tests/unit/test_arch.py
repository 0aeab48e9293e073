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

"""Tests of :mod:`ironic_multiarch.arch`: names, aliases, client-arch codes."""

import pytest

from ironic_multiarch import arch

KNOWN = ('x86_64', 'aarch64', 'ppc64le')


@pytest.mark.parametrize('value,expected', [
    ('x86_64', 'x86_64'), ('amd64', 'x86_64'), ('x64', 'x86_64'),
    ('x86-64', 'x86_64'), ('AMD64', 'x86_64'), ('X86_64', 'x86_64'),
    ('X86-64', 'x86_64'), ('Amd64', 'x86_64'),
    ('aarch64', 'aarch64'), ('arm64', 'aarch64'), ('aa64', 'aarch64'),
    ('ARM64', 'aarch64'), ('AArch64', 'aarch64'), ('AA64', 'aarch64'),
    ('ppc64le', 'ppc64le'), ('ppc64el', 'ppc64le'),
    ('powerpc64le', 'ppc64le'), ('PPC64EL', 'ppc64le'),
    ('PowerPC64LE', 'ppc64le'), ('PPC64LE', 'ppc64le'),
])
def test_normalize_aliases_any_case(value, expected):
    assert arch.normalize(value, KNOWN) == expected


def test_normalize_extra_aliases_any_case():
    extra = {'ARMv8': 'aarch64'}
    assert arch.normalize('armv8', KNOWN, extra) == 'aarch64'
    assert arch.normalize('ARMV8', KNOWN, extra) == 'aarch64'
    with pytest.raises(ValueError):
        arch.normalize('armv8', KNOWN)


@pytest.mark.parametrize('value', [
    '', None, 42, ' x86_64', 'x86_64 ', 'x86 64', 'aarch64\n', '-x86',
    '.aarch64', 'arm/64', 'a' * 33, 'ppc64le;', 'x86_64\x00',
])
def test_normalize_rejects_malformed(value):
    with pytest.raises(ValueError) as exc:
        arch.normalize(value, KNOWN)
    assert 'is not a CPU architecture' in str(exc.value)
    assert 'accepted: aarch64 (aa64, arm-a64, arm64)' in str(exc.value)


@pytest.mark.parametrize('value', ['riscv64', 's390x', 'i686', 'armv7l'])
def test_normalize_rejects_unknown(value):
    with pytest.raises(ValueError) as exc:
        arch.normalize(value, KNOWN)
    assert 'is not an enabled CPU architecture' in str(exc.value)
    assert repr(value) in str(exc.value)


def test_normalize_rejects_alias_of_disabled_arch():
    with pytest.raises(ValueError) as exc:
        arch.normalize('arm64', ('x86_64',))
    assert "'arm64' is not an enabled" in str(exc.value)
    assert str(exc.value).endswith('accepted: x86_64 (amd64, x64, x86-64)')


def test_accepted_lists_canonical_names_with_aliases():
    assert arch.accepted(KNOWN, arch.ALIASES) == (
        'aarch64 (aa64, arm-a64, arm64), ppc64le (powerisa, powerpc64le, '
        'ppc64el), x86_64 (amd64, x64, x86-64)')
    assert arch.accepted(('riscv64',), arch.ALIASES) == 'riscv64'


def test_aliases_are_read_only():
    with pytest.raises(TypeError):
        arch.ALIASES['armv8'] = 'aarch64'


@pytest.mark.parametrize('code,name', [
    (0x00, 'x86 BIOS'), (0x06, 'IA32 UEFI'), (0x07, 'x64 UEFI'),
    (0x0b, 'ARM 64-bit UEFI'), (0x0c, 'PowerPC Open Firmware'),
    (0x0e, 'POWER OPAL v3 (petitboot)'), (0x10, 'x64 UEFI HTTP'),
    (0x13, 'ARM 64-bit UEFI HTTP'), (0x1b, 'RISC-V 64-bit UEFI'),
    (0x1f, 's390 Basic'), (0x20, 's390 Extended'),
    (0x42, 'unassigned 0x42'),
])
def test_client_arch_name(code, name):
    assert arch.client_arch_name(code) == name


def test_client_arch_ebc_is_x64_and_0x0d_is_not_arm():
    assert 'x64' in arch.client_arch_name(0x09)
    assert not arch.client_arch_name(0x0d).startswith('ARM')


def test_redfish_instruction_sets_are_aliases():
    known = ('x86_64', 'aarch64', 'ppc64le')
    assert arch.normalize('ARM-A64', known) == 'aarch64'
    assert arch.normalize('PowerISA', known) == 'ppc64le'
    assert arch.normalize('x86-64', known) == 'x86_64'
